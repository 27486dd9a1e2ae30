/**
 * Who else is viewing the shown customer (issue 14). The gadget tells the service which
 * customer it shows (PUT /me/viewing), again well within the service's TTL, and that it
 * shows none (DELETE); `presence.changed` frames say who else views it. While someone
 * does, Save first checks whether the record moved on since the form opened, and asks
 * (the conflict view) instead of sending a save the service would refuse.
 */

import { PATHS } from './shared.js';

const VIEWING = 'api/v1/me/viewing';
const DEFAULT_TTL_SECONDS = 120; // the service's default, for a config.json without it

export function installPresence(ctx) {
  const { store, api, state } = ctx;
  // Said again three times a TTL: one lost call does not make the agent vanish.
  const refreshMs = ((ctx.config?.presence_ttl_seconds || DEFAULT_TTL_SECONDS) * 1000) / 3;
  let said = null; // the customer the service last heard this gadget shows
  let timer = null;
  let seq = 0; // the latest answer wins: a slow one never shows viewers that left since
  let queue = Promise.resolve(); // one call at a time: the service hears them in order

  /** Show who views `customerId` (a list from the service), the agent itself left out. */
  function show(customerId, list, mine) {
    if (mine !== seq || customerId !== ctx.shownCustomerId()) return;
    store.set({
      viewers: { customerId, list: list.filter((viewer) => viewer.agent_id !== state.agent?.id) },
    });
  }

  /** Presence is a courtesy: a failed call is said again at the next refresh, not shown. */
  async function say(customerId) {
    const mine = ++seq;
    said = customerId;
    clearInterval(timer);
    timer = customerId === null ? null : setInterval(() => say(customerId), refreshMs);
    queue = queue.then(async () => {
      try {
        if (customerId === null) await api.del(VIEWING);
        else show(customerId, await api.put(VIEWING, { customer_id: customerId }), mine);
      } catch {
        // said again later (or the stream's end clears it at the service)
      }
    });
    return queue;
  }

  /** Follow what the detail shows: the selected entry's customer, while signed in. */
  function follow() {
    if (state.phase !== 'ready') {
      // Signed out or switched agent: the old session's stream closing ends it there.
      seq += 1;
      said = null;
      clearInterval(timer);
      return;
    }
    const shown = ctx.shownCustomerId();
    if (shown === said) return;
    if (state.viewers) store.set({ viewers: null }); // another customer's viewers, until told
    say(shown);
  }

  async function reload(customerId) {
    const mine = ++seq;
    try {
      show(customerId, await api.get(`${PATHS.customer(customerId)}/viewers`), mine);
    } catch {
      // the next frame or refresh tells again
    }
  }

  /** `presence.changed`: the viewers' ids. Known ones are shown at once; a new one is fetched. */
  function presenceFrame(frame) {
    if (frame.type !== 'presence.changed') return false;
    const customerId = frame.customer_id;
    if (customerId !== said || customerId !== ctx.shownCustomerId()) return true;
    const ids = frame.viewers || [];
    const known = state.viewers?.customerId === customerId ? state.viewers.list : [];
    const others = ids.filter((id) => id !== state.agent?.id);
    if (others.every((id) => known.some((viewer) => viewer.agent_id === id))) {
      seq += 1;
      show(customerId, known.filter((viewer) => ids.includes(viewer.agent_id)), seq);
    } else {
      reload(customerId);
    }
    return true;
  }

  /** The other agents viewing the customer shown now. */
  function othersViewing() {
    const { viewers } = state;
    return viewers && viewers.customerId === state.customer?.id ? viewers.list : [];
  }

  /**
   * Before a save while someone else views the customer: has the record (`customer` or
   * `request`) moved on since the form opened? Then the conflict view asks, and nothing
   * is sent. True: go on and save (the save's If-Match still guards what this misses).
   */
  async function clearToSave(kind, payload) {
    const shown = state[kind];
    if (!shown || !othersViewing().length) return true;
    let current;
    try {
      current = await api.get(PATHS[kind](shown.id));
    } catch {
      return true;
    }
    if (state[kind]?.id !== shown.id || current.version <= shown.version) return true;
    ctx.raiseConflict(kind, 'save', current, current.updated_by, current.updated_at, payload);
    return false;
  }

  store.watch(['phase', 'selectedEntryId', 'customer'], follow);

  return {
    presenceFrame,
    othersViewing,
    clearToSave,
    /** After the stream reconnects: the service cleared this agent when the old one closed. */
    sayViewingAgain: () => said !== null && say(said),
    /** Signing out: nothing is shown any more (while the token still works). */
    stopViewing: () => (said === null ? null : say(null)),
  };
}
