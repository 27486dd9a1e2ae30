/**
 * Finesse host: the gadget inside the Cisco Finesse desktop (gadget.xml).
 *
 * Reads the agent from finesse.gadget.Config, signs in with the credentials
 * Finesse gave the gadget (checked by Finesse, via the service), and follows
 * the agent's dialogs: a dialog that becomes ACTIVE is posted as `accepted`,
 * one that drops or leaves the collection as `ended`. Event ids are
 * `${dialogId}:${type}`, so a reload or a repeated notification changes nothing.
 *
 * Finesse routes the contacts itself, so the gadget's Care desktop stays hidden here.
 *
 * Finesse's JavaScript library differs between releases, so every call is
 * guarded: a missing function is skipped, never fatal.
 */

const ACCEPTED_STATES = new Set(['ACTIVE', 'ACCEPTED']);
const ENDED_STATES = new Set(['DROPPED', 'FAILED', 'CLOSED', 'WRAPPING_UP']);
const MEDIA_TYPES = ['voice', 'chat', 'email', 'video', 'social', 'web', 'mobile'];
const VARIABLE_MAX = 100;
// The hub normally connects within a second; do not wait for it forever.
const HUB_WAIT_MS = 5000;

function call(object, name, ...args) {
  return object && typeof object[name] === 'function' ? object[name](...args) : undefined;
}

function log(...args) {
  const logger = window.finesse?.cslogger?.ClientLogger;
  if (typeof logger?.log === 'function') logger.log(['Customer Context', ...args].join(' '));
}

/** 'Voice', 'chat', an MRD name like 'Chat_MRD'... -> one of the service's media types. */
export function mediaTypeOf(raw, fallback) {
  const text = String(raw || '').toLowerCase();
  if (text.includes('mail')) return 'email';
  return MEDIA_TYPES.find((type) => text.includes(type)) || fallback;
}

/** Call variables and ECC variables as the service takes them: string to string. */
export function variablesOf(properties) {
  const variables = {};
  for (const [name, value] of Object.entries(properties || {})) {
    if (Object.keys(variables).length >= VARIABLE_MAX) break;
    if (!name || name.length > 100) continue;
    if (!/^(callVariable\d+|user\..+)$/.test(name)) continue;
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
      const text = String(value);
      if (text) variables[name] = text.slice(0, 2000);
    }
  }
  return variables;
}

export function createFinesseHost() {
  const finesse = window.finesse;
  const Config = finesse.gadget.Config;
  const gadgetsApi = window.gadgets;
  const posted = new Set();
  const accepted = new Set();
  let postEvent = null;
  let following = false;

  // pubsub-2 calls onConnect once the gadget's hub client is connected; Finesse
  // services work only after that. Set it now, before the hub connects.
  const hubConnected = new Promise((resolve) => {
    const settings = gadgetsApi?.HubSettings;
    if (!settings) {
      resolve();
      return;
    }
    const previous = settings.onConnect;
    settings.onConnect = (...args) => {
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

  function describe(dialog, mediaHint) {
    const data = call(dialog, 'getData') || {};
    const properties = call(dialog, 'getMediaProperties') || data.mediaProperties || {};
    const id = call(dialog, 'getId') ?? data.id;
    const rawMedia = call(dialog, 'getMediaType') ?? data.mediaType ?? properties.mediaType;
    let from = call(dialog, 'getFromAddress') ?? data.fromAddress;
    let to = call(dialog, 'getToAddress') ?? data.toAddress;
    // On a call the agent placed, the customer is the dialled party.
    if (Config.extension && from === Config.extension && to) [from, to] = [to, from];
    return {
      id: id === undefined || id === null ? null : String(id),
      state: String(call(dialog, 'getState') ?? data.state ?? '').toUpperCase(),
      media: mediaTypeOf(rawMedia || mediaHint, mediaHint ? 'chat' : 'voice'),
      from: from ? String(from) : undefined,
      to: to ? String(to) : undefined,
      name: properties.customerName || properties['user.customerName'] || undefined,
      variables: variablesOf(properties),
    };
  }

  function send(info, type) {
    const key = `${info.id}:${type}`;
    if (!postEvent || posted.has(key)) return;
    posted.add(key);
    const event = {
      event_id: key,
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
    // Ids are stable, the time is not: after a reload the service may know this event already.
    Promise.resolve(postEvent(event, { replay: true })).then((result) => {
      if (!result) posted.delete(key); // refused or failed: a later notification may retry
    });
  }

  function track(dialog, mediaHint) {
    const info = describe(dialog, mediaHint);
    if (!info.id) return;
    if (ACCEPTED_STATES.has(info.state)) {
      accepted.add(info.id);
      send(info, 'accepted');
    } else if (ENDED_STATES.has(info.state) && accepted.has(info.id)) {
      send(info, 'ended');
    }
  }

  function follow(dialog, mediaHint) {
    track(dialog, mediaHint);
    call(dialog, 'addHandler', 'change', (changed) => track(changed || dialog, mediaHint));
  }

  function ended(dialog, mediaHint) {
    const info = describe(dialog, mediaHint);
    if (info.id && accepted.has(info.id)) send(info, 'ended');
  }

  function collectionHandlers(mediaHint) {
    return {
      onCollectionAdd: (dialog) => follow(dialog, mediaHint),
      onCollectionDelete: (dialog) => ended(dialog, mediaHint),
      onLoad: (collection) => {
        const items = call(collection, 'getCollection') || {};
        for (const dialog of Object.values(items)) follow(dialog, mediaHint);
      },
    };
  }

  function followUser(user) {
    // Newer releases include chat and email dialogs with includeNonVoice; older ones ignore it.
    call(user, 'getDialogs', { ...collectionHandlers(null), includeNonVoice: true });
    if (typeof user.getMediaList !== 'function') return;
    user.getMediaList({
      onLoad: (mediaList) => {
        const media = call(mediaList, 'getCollection') || {};
        for (const item of Object.values(media)) {
          const hint = call(item, 'getMediaType') || call(item, 'getName') || call(item, 'getId') || 'chat';
          call(item, 'getMediaDialogs', collectionHandlers(String(hint)));
        }
      },
    });
  }

  return {
    name: 'finesse',
    canSignOut: false,
    async start({ api }) {
      await hubConnected;
      try {
        call(finesse.clientservices?.ClientServices, 'init', Config, false);
        call(finesse.cslogger?.ClientLogger, 'init', gadgetsApi?.Hub, 'Customer Context');
      } catch (error) {
        log('client services init failed', error);
      }
      try {
        const { token } = await api.post('api/v1/auth/finesse',
          { agent_id: String(Config.id), authorization: authorization() }, { auth: false });
        return { locale: Config.locale, token, routing: 'host' };
      } catch (error) {
        log('sign-in failed', error.status);
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
        new Rest.User({ id: Config.id, onLoad: followUser, onError: (error) => log('user', error) });
      } catch (error) {
        log('user load failed', error);
      }
    },
    signedOut() {
      postEvent = null;
    },
    resized() {
      call(gadgetsApi?.window, 'adjustHeight');
    },
    setTitle(text) {
      call(gadgetsApi?.window, 'setTitle', text);
    },
    offered() {},
    offerEnded() {},
  };
}
