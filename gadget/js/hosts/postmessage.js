/**
 * postMessage host: the gadget in an iframe of any page.
 *
 * Parent -> gadget (accepted only from the parent window, from an origin in
 * config.json `allowed_origins` or the gadget's own origin):
 *   {type: "cc:init", token?: "...", locale?: "de", routing?: "host"}
 *       without a token the sign-in form shows; routing "host" says the host routes
 *       contacts itself, so the Care desktop (state switch, offers, Tasks) stays hidden
 *   {type: "cc:contact", event: {...contact event without agent_id...}}
 * Gadget -> parent (to the origin that sent cc:init):
 *   {type: "cc:ready"}                  on load (to any origin: it carries nothing)
 *   {type: "cc:height", height: N}      whenever the content height changes
 *   {type: "cc:signed-in", agent_id}    once signed in
 *   {type: "cc:offer", task_id, expires_in, media_type, queue}   a task is offered (Care desktop)
 *   {type: "cc:offer-ended", task_id, reason}   accepted, missed, withdrawn, abandoned or ended
 */

// Without an init the gadget still starts, with the browser's locale and the sign-in form.
const INIT_WAIT_MS = 3000;

export function createPostMessageHost() {
  let parentOrigin = null;
  const allowed = new Set([window.location.origin]);
  let configured;
  const configReady = new Promise((resolve) => {
    configured = resolve;
  });
  let context = null;
  let firstInit;
  const initialised = new Promise((resolve) => {
    firstInit = resolve;
  });
  let initSeen = false;
  let postEvent = null;
  const waiting = [];
  let lastHeight = 0;

  function send(message) {
    if (parentOrigin) window.parent.postMessage(message, parentOrigin);
  }

  async function onMessage(event) {
    if (event.source !== window.parent) return;
    const data = event.data;
    if (!data || typeof data !== 'object' || typeof data.type !== 'string') return;
    await configReady;
    if (!allowed.has(event.origin)) return;
    if (data.type === 'cc:init') {
      parentOrigin = event.origin;
      const info = {
        token: typeof data.token === 'string' && data.token ? data.token : null,
        locale: typeof data.locale === 'string' ? data.locale : null,
        routing: data.routing === 'host' ? 'host' : 'service',
      };
      if (lastHeight) send({ type: 'cc:height', height: lastHeight });
      if (!initSeen) {
        initSeen = true;
        firstInit(info);
      } else {
        context?.reinit(info);
      }
    } else if (data.type === 'cc:contact' && event.origin === parentOrigin) {
      if (!data.event || typeof data.event !== 'object' || Array.isArray(data.event)) return;
      if (postEvent) postEvent(data.event);
      else waiting.push(data.event);
    }
  }

  // Listen before announcing readiness, so an immediate answer is not lost.
  window.addEventListener('message', onMessage);

  return {
    name: 'postmessage',
    canSignOut: true,
    async start(ctx) {
      context = ctx;
      for (const origin of ctx.config.allowed_origins || []) allowed.add(origin);
      configured();
      window.parent.postMessage({ type: 'cc:ready' }, '*');
      const timeout = new Promise((resolve) => {
        setTimeout(() => resolve(null), INIT_WAIT_MS);
      });
      const info = await Promise.race([initialised, timeout]);
      if (!info) initSeen = true; // a late init is then a re-init
      return info || {};
    },
    signedIn(agent, hooks) {
      postEvent = hooks.postEvent;
      send({ type: 'cc:signed-in', agent_id: agent.id });
      for (const event of waiting.splice(0)) postEvent(event);
    },
    signedOut() {
      postEvent = null;
    },
    resized(height) {
      lastHeight = height;
      send({ type: 'cc:height', height });
    },
    setTitle() {},
    offered(task, secondsLeft) {
      send({
        type: 'cc:offer', task_id: task.id, expires_in: secondsLeft,
        media_type: task.media_type, queue: task.queue,
      });
    },
    offerEnded(taskId, reason) {
      send({ type: 'cc:offer-ended', task_id: taskId, reason });
    },
  };
}
