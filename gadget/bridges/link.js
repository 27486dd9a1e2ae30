/**
 * A host page's end of the gadget's postMessage protocol v2 (see the README), for bridges.
 *
 * Loads the gadget in `frame` started by URL for this page's origin, sends cc:init when it
 * is ready, and turns requests into promises: resolved by cc:ack with its `result`,
 * rejected by cc:error with an Error carrying `status` and `detail`. Only messages from
 * the gadget's window and origin are heard. Contact events may be sent twice (after a
 * reload of the gadget): the service records an event id once.
 */

const VERSION = 2;

export function linkGadget(frame, { gadgetUrl, locale, init = {} }) {
  const url = new URL(gadgetUrl);
  url.searchParams.set('host', 'postmessage');
  url.searchParams.set('origin', window.location.origin);
  if (locale) url.searchParams.set('locale', locale);
  const gadgetOrigin = url.origin;
  const pending = new Map();
  const listeners = new Map();
  let sequence = 0;

  // Until the gadget has loaded, a message would reach the frame's blank page and be lost:
  // requests wait for cc:ready, and those a reloaded gadget never answered are sent again.
  let loaded = false;

  function post(id) {
    frame.contentWindow.postMessage(pending.get(id).message, gadgetOrigin);
  }

  function request(type, fields = {}) {
    sequence += 1;
    const id = `bridge-${sequence}`;
    return new Promise((resolve, reject) => {
      pending.set(id, { message: { ...fields, type, version: VERSION, id }, resolve, reject });
      if (loaded) post(id);
    });
  }

  function on(type, listener) {
    if (!listeners.has(type)) listeners.set(type, []);
    listeners.get(type).push(listener);
  }

  window.addEventListener('message', (event) => {
    if (event.source !== frame.contentWindow || event.origin !== gadgetOrigin) return;
    const { data } = event;
    if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
    const waiting = pending.get(data.id);
    if (waiting && (data.type === 'cc:ack' || data.type === 'cc:error')) {
      pending.delete(data.id);
      if (data.type === 'cc:ack') {
        waiting.resolve(data.result);
      } else {
        waiting.reject(Object.assign(new Error(data.detail), { status: data.status, detail: data.detail }));
      }
      return;
    }
    for (const listener of listeners.get(data.type) || []) listener(data);
  });

  // The gadget announces itself on every load; each load is initialised afresh.
  on('cc:ready', () => {
    loaded = true;
    for (const [id, { message }] of pending) {
      if (message.type === 'cc:init') pending.delete(id); // the new load gets its own
    }
    const unanswered = [...pending.keys()];
    request('cc:init', { locale, ...init }).catch(() => {
      // refused tokens come back as cc:token-expired; without a token the gadget signs in itself
    });
    for (const id of unanswered) post(id);
  });
  frame.src = url.href;
  return { request, on };
}
