/*
 * The gadgets.* features the stand-in container gives a gadget's iframe, as Shindig
 * does for Finesse gadgets (OpenSocial Gadgets API): gadgets.util (getUrlParameters,
 * registerOnLoadHandler, runOnLoadHandlers), gadgets.Prefs (getString, getInt, getBool,
 * set for "setprefs"), gadgets.window (adjustHeight for "dynamic-height", setTitle for
 * "settitle") and, for "pubsub-2", gadgets.HubSettings.onConnect and gadgets.Hub
 * (isConnected, subscribe(topic, onData(topic, data)), unsubscribe, publish).
 *
 * The hub and the RPCs travel to the desktop (the parent page, same origin) by
 * postMessage, as Shindig's OpenAjax hub and gadgets.rpc do.
 */
(function () {
  'use strict';

  var query = new URLSearchParams(window.location.search);
  var urlParameters = {};
  var prefs = {};
  query.forEach(function (value, name) {
    urlParameters[name] = value;
    if (name.indexOf('up_') === 0) prefs[name.slice(3)] = value;
  });
  var container = window.parent;
  var onLoadHandlers = [];
  var subscriptions = {};
  var nextSubscription = 1;
  var connected = false;

  function post(message) {
    message.gadget = urlParameters.mid;
    container.postMessage(message, window.location.origin);
  }

  /** The content's height, as dynamic-height measures it. */
  function contentHeight() {
    var body = document.body;
    var root = document.documentElement;
    return Math.max(body ? body.scrollHeight : 0, body ? body.offsetHeight : 0,
      root.offsetHeight);
  }

  window.addEventListener('message', function (event) {
    if (event.source !== container || event.origin !== window.location.origin) return;
    var message = event.data || {};
    if (message.hub === 'connected' && !connected) {
      connected = true;
      if (typeof gadgets.HubSettings.onConnect === 'function') gadgets.HubSettings.onConnect();
    } else if (message.hub === 'message') {
      Object.keys(subscriptions).forEach(function (id) {
        var subscription = subscriptions[id];
        if (subscription && subscription.topic === message.topic) {
          subscription.onData(message.topic, message.data);
        }
      });
    }
  });

  function Prefs() {}
  Prefs.prototype.getString = function (name) {
    return Object.prototype.hasOwnProperty.call(prefs, name) ? String(prefs[name]) : '';
  };
  Prefs.prototype.getInt = function (name) {
    return parseInt(this.getString(name), 10) || 0;
  };
  Prefs.prototype.getBool = function (name) {
    return this.getString(name) === 'true';
  };
  Prefs.prototype.set = function (name, value) {
    prefs[name] = value === undefined || value === null ? '' : String(value);
  };
  Prefs.prototype.getMsg = function () {
    return '';
  };

  window.gadgets = {
    util: {
      getUrlParameters: function () {
        return Object.assign({}, urlParameters);
      },
      registerOnLoadHandler: function (handler) {
        onLoadHandlers.push(handler);
      },
      runOnLoadHandlers: function () {
        onLoadHandlers.splice(0).forEach(function (handler) { handler(); });
        post({ hub: 'connect' }); // pubsub-2: the hub client connects once the gadget loaded
      },
    },
    Prefs: Prefs,
    window: {
      adjustHeight: function (height) {
        var value = typeof height === 'number' && height > 0 ? height : contentHeight();
        post({ rpc: 'resize_iframe', height: Math.ceil(value) });
      },
      setTitle: function (title) {
        post({ rpc: 'set_title', title: String(title) });
      },
    },
    HubSettings: { onConnect: null },
    Hub: {
      isConnected: function () {
        return connected;
      },
      subscribe: function (topic, onData) {
        var id = String(nextSubscription++);
        subscriptions[id] = { topic: topic, onData: onData };
        return id;
      },
      unsubscribe: function (id) {
        delete subscriptions[id];
      },
      publish: function (topic, data) {
        post({ hub: 'publish', topic: topic, data: data });
      },
    },
  };
}());
