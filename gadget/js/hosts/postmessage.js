/**
 * postMessage host: the gadget in an iframe of any page (Genesys, Twilio Flex, Zendesk,
 * Chatwoot, a custom desktop, the Amazon Connect bridge). The README's table is the protocol.
 *
 * Who is heard: only the parent window, and only from an allowed origin, the gadget's own
 * or one in config.json `allowed_origins`. Started as /gadget/?host=postmessage&origin=O
 * (as Genesys and Amazon Connect load apps), only O, which must be allowed as well.
 *
 * Versions: a message without `version` is v1 and is handled as it always was (cc:init,
 * cc:contact; nothing is answered). A v2 message may carry an `id` and is always answered,
 * cc:ack (`id`, `result`) or cc:error (`id`, `status`, `detail`), so the host learns when a
 * contact was refused instead of losing it. The gadget's own messages carry `version: 2`
 * once the host spoke v2 or named itself in the URL; cc:ready always does, so a host can
 * tell a gadget that speaks v2.
 */

export const PROTOCOL_VERSION = 2;
// Without an init the gadget still starts, with the browser's locale and the sign-in form.
const INIT_WAIT_MS = 3000;
// A v2 request that needs a session waits this long for one that is starting or renewing.
const SESSION_WAIT_MS = 15000;
const ID_MAX = 200;
const QUERY_MAX = 200;

/** A request the gadget turns down, answered as cc:error. */
class Refusal extends Error {
  constructor(status, detail) {
    super(detail);
    this.status = status;
    this.detail = detail;
  }
}

const notSignedIn = () => new Refusal(401, 'The agent is not signed in to the gadget.');

function isObject(value) {
  return Boolean(value) && typeof value === 'object' && !Array.isArray(value);
}

/** 'https://host.example' for exactly that origin (a trailing slash allowed), else null. */
function originOf(text) {
  try {
    const { origin } = new URL(text);
    return origin === text.replace(/\/$/, '') ? origin : null;
  } catch {
    return null;
  }
}

function idOf(data) {
  if (typeof data.id === 'number' && Number.isFinite(data.id)) return data.id;
  if (typeof data.id === 'string' && data.id.length <= ID_MAX) return data.id;
  return null;
}

function infoOf(data) {
  return {
    token: typeof data.token === 'string' && data.token ? data.token : null,
    locale: typeof data.locale === 'string' ? data.locale : null,
    routing: data.routing === 'host' ? 'host' : 'service',
  };
}

function customerIdOf(value) {
  const id = typeof value === 'string' && /^\d{1,10}$/.test(value) ? Number(value) : value;
  if (!Number.isSafeInteger(id) || id < 1) throw new Refusal(400, '`customer_id` is a customer id.');
  return id;
}

/** cc:error's fields: the service's status and detail, and its field errors for a 422. */
function problemOf(error) {
  const problem = {
    status: Number.isInteger(error?.status) ? error.status : 500,
    detail: String(error?.detail || error?.title || error?.message || 'Failed.'),
  };
  if (isObject(error?.errors)) problem.errors = error.errors;
  return problem;
}

/** A match as a host needs it to choose: who, and how to reach them. */
function summary(customer) {
  return {
    id: customer.id,
    display_name: customer.display_name,
    first_name: customer.first_name ?? null,
    last_name: customer.last_name ?? null,
    emails: customer.emails || [],
    phones: customer.phones || [],
  };
}

/**
 * `origin` and `locale` come from the gadget's URL (null when it was not started by URL).
 */
export function createPostMessageHost({ origin = null, locale = null } = {}) {
  const named = origin !== null;
  const urlOrigin = named ? originOf(origin) : null;
  const framed = window.parent !== window;
  let allowed = new Set();
  let parentOrigin = null; // where the gadget's own messages go
  let spoken = named ? PROTOCOL_VERSION : 1; // the protocol version the host speaks
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
  let firstAnswer = null; // {resolve, reject} of the first v2 cc:init, until the session settles
  let hooks = null; // {postEvent, showCustomer, lookup} while signed in
  let signedInAs = null;
  let session = 'starting'; // starting | in | renewing | out
  let lastHeight = 0;
  const waiting = []; // v1 contacts that came before sign-in, posted once signed in
  const held = []; // v2 requests waiting for a session: {run, resolve, reject, timer}
  // v2 requests run one after the other: a call's `accepted` must not overtake its `offered`.
  let turn = Promise.resolve();

  function send(message) {
    if (!parentOrigin) return;
    const versioned = spoken >= 2 ? { ...message, version: PROTOCOL_VERSION } : message;
    window.parent.postMessage(versioned, parentOrigin);
  }

  function settleFirst({ result, error }) {
    if (!firstAnswer) return;
    const { resolve, reject } = firstAnswer;
    firstAnswer = null;
    if (error) reject(error);
    else resolve(result);
  }

  function inTurn(run) {
    const next = turn.then(() => (hooks ? run() : Promise.reject(notSignedIn())));
    turn = next.catch(() => {});
    return next;
  }

  /** Runs `run` in the agent's session: now, once a starting or renewing one is ready, or not. */
  function whenSignedIn(run) {
    if (session === 'in') return inTurn(run);
    if (session === 'out') return Promise.reject(notSignedIn());
    return new Promise((resolve, reject) => {
      const item = { run, resolve, reject };
      item.timer = setTimeout(() => {
        held.splice(held.indexOf(item), 1);
        reject(notSignedIn());
      }, SESSION_WAIT_MS);
      held.push(item);
    });
  }

  /** cc:init: the first one starts the gadget (answered when its session settles). */
  function init(info, { answered }) {
    if (info.token && session !== 'in') session = 'starting';
    if (lastHeight) send({ type: 'cc:height', height: lastHeight });
    if (initSeen) return context.reinit(info);
    initSeen = true;
    const settled = answered ? new Promise((resolve, reject) => {
      firstAnswer = { resolve, reject };
    }) : null;
    firstInit(info);
    return settled;
  }

  function handleV1(data, from) {
    if (data.type === 'cc:init') {
      parentOrigin = from;
      spoken = 1;
      init(infoOf(data), { answered: false })?.catch(() => {}); // v1 hears nothing back
    } else if (data.type === 'cc:viewport' && from === parentOrigin) {
      context?.viewport(data);
    } else if (data.type === 'cc:contact' && from === parentOrigin) {
      if (!isObject(data.event)) return;
      if (hooks) hooks.postEvent(data.event);
      else waiting.push(data.event);
    }
  }

  async function handleV2(data, from) {
    if (!Number.isInteger(data.version) || data.version < 1) {
      throw new Refusal(400, '`version` is a whole number; the gadget speaks 2.');
    }
    if (data.type === 'cc:init') {
      parentOrigin = from;
      spoken = Math.min(data.version, PROTOCOL_VERSION);
      return init(infoOf(data), { answered: true });
    }
    if (from !== parentOrigin) throw new Refusal(409, 'Send cc:init first.');
    switch (data.type) {
      case 'cc:token':
        if (typeof data.token !== 'string' || !data.token) {
          throw new Refusal(400, '`token` is an agent token.');
        }
        if (session === 'out') session = 'starting';
        return context.useToken(data.token);
      case 'cc:viewport':
        if (!context?.viewport(data)) {
          throw new Refusal(400, '`top` and `height` are the visible part of the iframe, in pixels.');
        }
        return {};
      case 'cc:contact':
        if (!isObject(data.event)) throw new Refusal(400, '`event` is a contact event object.');
        return whenSignedIn(async () => {
          const result = await hooks.postEvent(data.event, { raise: true });
          if (!result) throw notSignedIn();
          return result;
        });
      case 'cc:show-customer': {
        const customerId = customerIdOf(data.customer_id);
        return whenSignedIn(async () => {
          const entry = await hooks.showCustomer(customerId);
          if (!entry) {
            throw new Refusal(409, 'The agent chose to keep editing; the customer was not opened.');
          }
          return { entry_id: entry.id, customer_id: entry.customer_id };
        });
      }
      case 'cc:lookup': {
        const query = typeof data.query === 'string' ? data.query.trim() : '';
        if (!query || query.length > QUERY_MAX) {
          throw new Refusal(400, `\`query\` is a name, email or phone number (at most ${QUERY_MAX} characters).`);
        }
        return whenSignedIn(async () => ({ customers: (await hooks.lookup(query)).map(summary) }));
      }
      default:
        throw new Refusal(400, `Unknown message type ${data.type}.`);
    }
  }

  async function onMessage(event) {
    if (!framed || event.source !== window.parent) return;
    const { data } = event;
    if (!isObject(data) || typeof data.type !== 'string' || !data.type.startsWith('cc:')) return;
    await configReady;
    if (!allowed.has(event.origin)) return;
    if (data.version === undefined || data.version === 1) {
      handleV1(data, event.origin);
      return;
    }
    // Answers go to the window and origin that asked, even before it sent cc:init.
    const reply = (message) => window.parent.postMessage(
      { ...message, version: PROTOCOL_VERSION, id: idOf(data) }, event.origin);
    try {
      reply({ type: 'cc:ack', result: (await handleV2(data, event.origin)) ?? {} });
    } catch (error) {
      reply({ type: 'cc:error', ...problemOf(error) });
    }
  }

  // Listen before announcing readiness, so an immediate answer is not lost.
  window.addEventListener('message', onMessage);

  return {
    name: 'postmessage',
    canSignOut: true,
    async start(ctx) {
      context = ctx;
      const listed = ctx.config.allowed_origins || [];
      const own = window.location.origin;
      if (!named) {
        allowed = new Set([own, ...listed]);
      } else if (urlOrigin && (urlOrigin === own || listed.includes(urlOrigin))) {
        allowed = new Set([urlOrigin]);
        parentOrigin = urlOrigin;
      }
      configured();
      if (named && !parentOrigin) {
        initSeen = true;
        return { locale, error: 'host.pageNotAllowed' };
      }
      // To anyone when the host is unknown yet: it carries nothing but the version.
      window.parent.postMessage({ type: 'cc:ready', version: PROTOCOL_VERSION }, parentOrigin || '*');
      const timeout = new Promise((resolve) => {
        setTimeout(() => resolve(null), INIT_WAIT_MS);
      });
      const info = await Promise.race([initialised, timeout]);
      if (!info) {
        initSeen = true; // a late init is then a re-init
        return { locale };
      }
      return { ...info, locale: info.locale || locale };
    },
    signedIn(agent, sessionHooks) {
      hooks = sessionHooks;
      session = 'in';
      if (signedInAs !== agent.id) send({ type: 'cc:signed-in', agent_id: agent.id });
      signedInAs = agent.id;
      settleFirst({ result: { agent_id: agent.id } });
      for (const event of waiting.splice(0)) hooks.postEvent(event);
      for (const item of held.splice(0)) {
        clearTimeout(item.timer);
        inTurn(item.run).then(item.resolve, item.reject);
      }
    },
    /** No session, and none coming unless the agent signs in; `error`: why a start failed. */
    signedOut(error = null) {
      hooks = null;
      signedInAs = null;
      session = 'out';
      settleFirst(error ? { error } : { result: { agent_id: null } });
      for (const item of held.splice(0)) {
        clearTimeout(item.timer);
        item.reject(notSignedIn());
      }
    },
    /** The service refused the token the host gave: a v2 host is asked for a new one. */
    tokenExpired(agentId) {
      if (spoken < 2) return false;
      session = 'renewing';
      settleFirst({ error: new Refusal(401, 'The service did not accept the token.') });
      send({ type: 'cc:token-expired', agent_id: agentId ?? null });
      return true;
    },
    resized(height) {
      lastHeight = height;
      send({ type: 'cc:height', height });
    },
    setTitle() {},
    /** The unread customer messages in the agent's lists (the host may badge its tab). */
    unread(count) {
      send({ type: 'cc:unread', count });
    },
    /** Ask the host page to scroll `rect` ({top, height} of the gadget) into its view. */
    bringIntoView(rect) {
      send({ type: 'cc:bring-into-view', top: Math.round(rect.top), height: Math.round(rect.height) });
    },
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
