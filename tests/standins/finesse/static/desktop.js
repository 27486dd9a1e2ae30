/*
 * The stand-in desktop's container side: the hub its gadgets publish to, their RPCs
 * (resize_iframe from gadgets.window.adjustHeight, set_title from setTitle) and the tabs.
 *
 * As Finesse's container does, it answers ContainerServices' "ActiveTabReq" request
 * (published on finesse.containerservices.requests) with the active tab's id on
 * finesse.containerservices.activeTab, and publishes that topic to every gadget whenever
 * the agent switches tabs; each gadget's ContainerServices decides whether it is on
 * that tab. A hidden tab keeps its gadgets' size, and their resize requests are not
 * applied until it shows again (Cisco: adjustHeight works only on the visible tab).
 * ClientLogger messages (finesse.clientLogging.<gadgetId>) are recorded, not passed on.
 * window.desktopLog records what happened, for tests to read.
 */
(function () {
  'use strict';

  var REQUESTS = 'finesse.containerservices.requests';
  var ACTIVE_TAB = 'finesse.containerservices.activeTab';
  var LOGGING = 'finesse.clientLogging.';
  var LOG_LIMIT = 1000;
  var log = [];
  window.desktopLog = log;

  function record(entry) {
    log.push(entry);
    if (log.length > LOG_LIMIT) log.shift();
  }

  function frames() {
    return Array.prototype.slice.call(document.querySelectorAll('iframe[data-gadget]'));
  }

  function send(frame, message) {
    frame.contentWindow.postMessage(message, window.location.origin);
  }

  function activeTab() {
    var tab = document.querySelector('[role=tab][aria-selected=true]');
    return tab ? tab.getAttribute('data-tab') : null;
  }

  function publish(frame, topic, data) {
    send(frame, { hub: 'message', topic: topic, data: data });
  }

  window.addEventListener('message', function (event) {
    if (event.origin !== window.location.origin) return;
    var frame = frames().find(function (f) { return f.contentWindow === event.source; });
    if (!frame) return;
    var message = event.data || {};
    if (message.hub === 'connect') {
      send(frame, { hub: 'connected' });
    } else if (message.hub === 'publish') {
      if (message.topic === REQUESTS && message.data && message.data.type === 'ActiveTabReq') {
        publish(frame, ACTIVE_TAB, activeTab());
      } else if (String(message.topic).indexOf(LOGGING) === 0) {
        record({ type: 'log', gadget: frame.dataset.gadget, message: String(message.data) });
      } else {
        frames().forEach(function (f) { publish(f, message.topic, message.data); });
      }
    } else if (message.rpc === 'resize_iframe') {
      // As Cisco's samples warn: adjustHeight works only while the gadget's tab is shown.
      var shown = !frame.closest('.tab-panel').classList.contains('tab-hidden');
      var height = Math.max(0, Math.min(Number(message.height) || 0, 20000));
      if (shown) frame.style.height = height + 'px';
      record({ type: 'resize', gadget: frame.dataset.gadget, height: height, applied: shown,
        at: Date.now() });
    } else if (message.rpc === 'set_title') {
      frame.parentElement.querySelector('[data-role=gadget-title]').textContent = message.title;
      record({ type: 'title', gadget: frame.dataset.gadget, title: message.title });
    }
  });

  // Loaded before the gadgets' frames, so no gadget's hub connect is missed; the tabs
  // exist once the page is parsed.
  document.addEventListener('DOMContentLoaded', function () {
    document.querySelectorAll('[role=tab]').forEach(listenToTab);
  });

  function listenToTab(button) {
    button.addEventListener('click', function () {
      var name = button.getAttribute('data-tab');
      document.querySelectorAll('[role=tab]').forEach(function (tab) {
        tab.setAttribute('aria-selected', String(tab === button));
      });
      document.querySelectorAll('.tab-panel').forEach(function (panel) {
        panel.classList.toggle('tab-hidden', panel.id !== 'panel_' + name);
      });
      record({ type: 'activeTab', tab: name, at: Date.now() });
      frames().forEach(function (f) { publish(f, ACTIVE_TAB, name); });
    });
  }
}());
