/**
 * Finesse host: the gadget inside the Cisco Finesse desktop (gadget.xml).
 *
 * Reads the agent from finesse.gadget.Config, signs in with the credentials Finesse gave
 * the gadget (checked by Finesse, via the service), and follows the agent's dialogs
 * (user.getDialogs with includeNonVoice, so chats and emails too) as a contact center
 * has them:
 * - a dialog ringing at the agent (ALERTING, a task OFFERED) is posted as `offered`: the
 *   service pops the caller into Open before the agent answers; ACTIVE (ACCEPTED...) is
 *   `accepted`; DROPPED, the agent's own leg in WRAP_UP, a closed task, or the dialog
 *   leaving the collection is `ended` (for a ring never answered too: it then leaves Open);
 * - calls that are not customer contacts are ignored: a callType the service lists
 *   (consult, supervisor monitor...) or a call whose other legs are all agents' phones;
 * - the customer is the caller's leg, not fromAddress, when fromAddress is an agent
 *   (a transferred call keeps its caller; on a call the agent placed, the dialled party);
 * - chats and emails name their Media Routing Domain in mediaType (mapped to a media
 *   type by the service's settings) and often have no fromAddress: the customer's
 *   address is then the first email or phone among the configured media properties.
 * Event ids are `${dialogId}:${type}`, so a reload or a repeated notification changes
 * nothing. The settings come from the service's config.json (`finesse_dialogs`).
 *
 * Finesse routes the contacts itself, so the gadget's Care desktop stays hidden here.
 * Finesse's JavaScript library differs between releases, so every call is guarded: a
 * missing function is skipped, never fatal.
 */

const OFFERED = new Set(['ALERTING', 'OFFERED']);
const ACCEPTED = new Set(['ACTIVE', 'HELD', 'ACCEPTED', 'PAUSED', 'INTERRUPTED']);
const ENDED = new Set(['DROPPED', 'FAILED', 'WRAP_UP', 'WRAPPING_UP', 'CLOSED']);
const AGENT_DEVICE = 'AGENT_DEVICE';
// Media properties kept beside the call and ECC variables: what reports ask about.
const KEPT_PROPERTIES = ['queueName', 'DNIS', 'callType', 'wrapUpReason'];
const VARIABLE_MAX = 100;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s().-]+$/;
const PHONE_DIGITS_MIN = 6;
// The hub normally connects within a second; do not wait for it forever.
const HUB_WAIT_MS = 5000;

function call(object, name, ...args) {
  return object && typeof object[name] === 'function' ? object[name](...args) : undefined;
}

function log(...args) {
  const logger = window.finesse?.cslogger?.ClientLogger;
  if (typeof logger?.log === 'function') logger.log(['Customer Context', ...args].join(' '));
}

const text = (value) => (value === undefined || value === null ? '' : String(value).trim());

/** A Media Routing Domain's name ('Voice', 'Cisco_Chat'...) to a media type, by the
 * service's `[pattern, media]` pairs: the first pattern found in it wins, `*` is any. */
export function mediaTypeOf(raw, pairs) {
  const name = text(raw).toLowerCase();
  const found = (pairs || []).find(([pattern]) => (
    pattern === '*' || (name && name.includes(String(pattern).toLowerCase()))));
  return found ? found[1] : null;
}

function isAddress(value) {
  const candidate = text(value);
  return EMAIL.test(candidate) || (PHONE.test(candidate)
    && candidate.replace(/\D/g, '').length >= PHONE_DIGITS_MIN);
}

function globToRegExp(glob) {
  const escaped = String(glob).replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
  return new RegExp(`^${escaped}$`);
}

/** The first email or phone among the media properties the patterns name, in order. */
export function addressFromProperties(properties, patterns) {
  const entries = Object.entries(properties || {});
  for (const pattern of patterns || []) {
    const matches = globToRegExp(pattern);
    const found = entries.find(([name, value]) => matches.test(name) && isAddress(value));
    if (found) return text(found[1]);
  }
  return null;
}

/** Call variables, ECC variables and the kept properties, as the service takes them. */
export function variablesOf(properties) {
  const variables = {};
  for (const [name, value] of Object.entries(properties || {})) {
    if (Object.keys(variables).length >= VARIABLE_MAX) break;
    if (!name || name.length > 100) continue;
    if (!/^(callVariable\d+|user\..+)$/.test(name) && !KEPT_PROPERTIES.includes(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const kept = String(value);
      if (kept) variables[name] = kept.slice(0, 2000);
    }
  }
  return variables;
}

/** What the agent's leg and the dialog's state say: offered, accepted, ended or nothing yet. */
function phaseOf(dialogState, mine) {
  const legState = text(mine?.state).toUpperCase();
  if (ENDED.has(dialogState) || ENDED.has(legState)) return 'ended';
  if (ACCEPTED.has(legState || dialogState)) return 'accepted';
  if (OFFERED.has(legState) || OFFERED.has(dialogState)) return 'offered';
  return null;
}

/**
 * One dialog as the gadget reads it:
 * {id, phase, contact (a customer contact?), media, from, to, name, variables}.
 */
export function readDialog(dialog, { settings, extension, agentId }) {
  const data = call(dialog, 'getData') || {};
  const properties = call(dialog, 'getMediaProperties') || {};
  const id = text(call(dialog, 'getId') ?? data.id) || null;
  const media = mediaTypeOf(call(dialog, 'getMediaType') ?? data.mediaType, settings.media_types);
  const participants = (call(dialog, 'getParticipants') || []).filter(Boolean);
  const me = new Set([text(extension), text(agentId)].filter(Boolean));
  const mine = participants.find((leg) => me.has(text(leg.mediaAddress)));
  const others = participants.filter((leg) => leg !== mine && text(leg.mediaAddress));
  const isAgent = (address) => me.has(address) || participants.some(
    (leg) => leg.mediaAddressType === AGENT_DEVICE && text(leg.mediaAddress) === address);
  const fromAddress = text(call(dialog, 'getFromAddress') ?? data.fromAddress);
  const toAddress = text(call(dialog, 'getToAddress') ?? data.toAddress);

  let contact = Boolean(media) && !(settings.ignored_call_types || []).includes(
    text(properties.callType));
  let from = null;
  let to = null;
  if (media === 'voice') {
    // Only agents' phones on the other legs: agent to agent, not a customer.
    if (others.length && others.every((leg) => leg.mediaAddressType === AGENT_DEVICE)) {
      contact = false;
    }
    const callers = others.filter((leg) => leg.mediaAddressType !== AGENT_DEVICE)
      .map((leg) => text(leg.mediaAddress));
    from = callers.includes(fromAddress) ? fromAddress
      : callers[0] || [fromAddress, toAddress].find((address) => address && !isAgent(address));
    to = [toAddress, fromAddress, text(extension)].find((address) => address && address !== from);
  } else {
    from = fromAddress || null;
  }
  from = from || addressFromProperties(properties, settings.address_properties);
  return {
    id,
    phase: phaseOf(text(call(dialog, 'getState') ?? data.state).toUpperCase(), mine),
    contact,
    media,
    from: from || undefined,
    to: to || undefined,
    name: text(properties.customerName || properties['user.customerName']) || undefined,
    variables: variablesOf(properties),
  };
}

export function createFinesseHost() {
  const finesse = window.finesse;
  const Config = finesse.gadget.Config;
  const gadgetsApi = window.gadgets;
  const posted = new Map(); // dialog id -> event types posted (or under way)
  const queues = new Map(); // dialog id -> the last post: one dialog's events go in order
  const followed = new WeakSet();
  let settings = {};
  let postEvent = null;
  let following = false;
  let watching = false;

  // pubsub-2 calls onConnect once the gadget's hub client is connected; Finesse
  // services work only after that. Set it now, before the hub connects.
  const hubConnected = new Promise((resolve) => {
    const hubSettings = gadgetsApi?.HubSettings;
    if (!hubSettings) {
      resolve();
      return;
    }
    const previous = hubSettings.onConnect;
    hubSettings.onConnect = (...args) => {
      if (typeof previous === 'function') previous(...args);
      resolve();
    };
    if (call(gadgetsApi.Hub, 'isConnected')) resolve();
    setTimeout(resolve, HUB_WAIT_MS);
  });

  function authorization() {
    const sso = Config.systemAuthMode === 'SSO' || (!Config.authorization && Config.authToken);
    return sso ? `Bearer ${Config.authToken}` : `Basic ${Config.authorization}`;
  }

  function adjustHeight() {
    call(gadgetsApi?.window, 'adjustHeight');
  }

  /** Cisco's samples: when the gadget's tab becomes visible, fit its height again. */
  function watchTab() {
    const services = finesse.containerservices?.ContainerServices;
    if (watching) return; // start() runs again when the token expires
    watching = true;
    try {
      const container = call(services, 'init') || services;
      const topic = services?.Topics?.ACTIVE_TAB;
      if (topic) call(container, 'addHandler', topic, adjustHeight);
      call(container, 'makeActiveTabReq');
    } catch (error) {
      log('container services failed', error);
    }
  }

  function send(info, type) {
    const types = posted.get(info.id) || new Set();
    if (!postEvent || types.has(type)) return;
    types.add(type);
    posted.set(info.id, types);
    const event = {
      event_id: `${info.id}:${type}`,
      source: 'finesse',
      contact_id: info.id,
      media_type: info.media,
      type,
      occurred_at: new Date().toISOString(),
      variables: info.variables,
    };
    if (info.from) event.from = info.from;
    if (info.to) event.to = info.to;
    if (info.name) event.customer_name = info.name;
    const post = postEvent;
    const previous = queues.get(info.id) || Promise.resolve();
    // Ids are stable, the time is not: after a reload the service may know this event already.
    const next = previous.then(() => post(event, { replay: true })).then((result) => {
      if (!result) types.delete(type); // refused or failed: a later notification may retry
    });
    queues.set(info.id, next);
  }

  function track(dialog, gone = false) {
    const info = readDialog(dialog, { settings, extension: Config.extension, agentId: Config.id });
    if (!info.id) return;
    const types = posted.get(info.id);
    if (gone || info.phase === 'ended') {
      // Only what was reported ends: a ring never posted needs no end.
      if (types?.size) send(info, 'ended');
      return;
    }
    if (!info.contact || !info.phase) return;
    if (info.phase === 'accepted') send(info, 'accepted');
    else if (!types?.has('accepted')) send(info, 'offered');
  }

  function follow(dialog) {
    if (!dialog || followed.has(dialog)) return;
    followed.add(dialog);
    track(dialog);
    call(dialog, 'addHandler', 'change', (changed) => track(changed || dialog));
  }

  function followUser(user) {
    // includeNonVoice (Cisco's Finesse 12.x JavaScript API docs, DialogBase): chats and
    // emails in the same collection; a library without it shows calls only.
    const dialogs = call(user, 'getDialogs', {
      includeNonVoice: true,
      onCollectionAdd: follow,
      onCollectionDelete: (dialog) => track(dialog, true),
      onLoad: (collection) => {
        const items = call(collection || dialogs, 'getCollection') || {};
        Object.values(items).forEach(follow);
      },
      onError: (error) => log('dialogs', error?.status),
    });
  }

  return {
    name: 'finesse',
    canSignOut: false,
    async start({ api, config, problem }) {
      settings = config?.finesse_dialogs || {};
      await hubConnected;
      try {
        call(finesse.clientservices?.ClientServices, 'init', Config, false);
        call(finesse.cslogger?.ClientLogger, 'init', gadgetsApi?.Hub, 'CustomerContext', Config);
      } catch (error) {
        log('client services init failed', error);
      }
      watchTab();
      if (problem) return { locale: Config.locale, problem, routing: 'host' };
      try {
        const { token } = await api.post('api/v1/auth/finesse',
          { agent_id: String(Config.id), authorization: authorization() }, { auth: false });
        return { locale: Config.locale, token, routing: 'host' };
      } catch (error) {
        log('sign-in failed', error.status);
        // No answer at all: the service is down, or refuses this desktop's origin (CORS).
        if (error.status === 0) {
          return { locale: Config.locale, problem: 'host.serviceUnreachable', routing: 'host' };
        }
        return { locale: Config.locale, error: 'signin.finesseFailed', routing: 'host' };
      }
    },
    signedIn(agent, hooks) {
      postEvent = hooks.postEvent;
      const Rest = finesse.restservices;
      if (following || typeof Rest?.User !== 'function') return;
      following = true;
      try {
        // eslint-disable-next-line no-new
        new Rest.User({
          id: String(Config.id), onLoad: followUser, onError: (error) => log('user', error?.status),
        });
      } catch (error) {
        log('user load failed', error);
      }
    },
    signedOut() {
      postEvent = null;
    },
    resized() {
      adjustHeight();
    },
    setTitle(title) {
      call(gadgetsApi?.window, 'setTitle', title);
    },
    // The gadgets API cannot scroll the desktop, nor can a cross-origin frame: offers are
    // not routed by the service in Finesse anyway (routing: host), and dialogs open inside
    // the visible part that the browser reports (viewport.js).
    bringIntoView() {},
    offered() {},
    offerEnded() {},
  };
}

/**
 * The page is a Finesse gadget (gadget.xml marks its root) but finesse.js did not load:
 * no calls can be followed, and the agent is told what to check instead of a sign-in form.
 */
export function createFinesseMissingHost() {
  return {
    name: 'finesse-missing',
    canSignOut: false,
    async start() {
      return { problem: 'host.finesseMissing', routing: 'host' };
    },
    signedIn() {},
    signedOut() {},
    resized() {
      call(window.gadgets?.window, 'adjustHeight');
    },
    setTitle(title) {
      call(window.gadgets?.window, 'setTitle', title);
    },
    bringIntoView() {},
    offered() {},
    offerEnded() {},
  };
}
