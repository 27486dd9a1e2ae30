/**
 * What the agent can do, and what the gadget does when the service pushes a change. Every
 * call to the API lives in this folder, one module per concern (as the views are split);
 * views only call these actions.
 *
 * The modules share one context object: each adds its actions to it, and calls the
 * others' through it (looked up when called, so the order of installation does not matter).
 */

import { installCare } from './care.js';
import { installConflicts } from './conflicts.js';
import { installDetail } from './detail.js';
import { installForms } from './forms.js';
import { installFrames } from './frames.js';
import { installLists } from './lists.js';
import { installMessages } from './messages.js';
import { installNotes } from './notes.js';
import { installPresence } from './presence.js';

const KNOWN_STATUSES = [0, 400, 403, 404, 409, 413, 422, 428, 429, 500, 502, 503];

export function createActions({ store, api, dialogs, config }) {
  const ctx = { store, api, dialogs, config, state: store.state };
  let noticeTimer = null;

  /** `undo`: a function the notice offers as Undo, for as long as it is shown. */
  function notify(kind, key, params = {}, detail = null, undo = null) {
    clearTimeout(noticeTimer);
    store.set({ notice: { kind, key, params, detail, undo } });
    if (kind === 'info') noticeTimer = setTimeout(() => store.set({ notice: null }), undo ? 8000 : 6000);
  }

  function report(error, key) {
    // A refused token is the session's to handle (renewal by the host, or sign-in again):
    // a request that raced it must not cover the notice that says so.
    if (error?.name === 'AbortError' || error?.status === 401) return;
    const status = error?.status ?? 0;
    const fallback = `error.status.${KNOWN_STATUSES.includes(status) ? status : 'other'}`;
    notify('error', key || fallback, { status }, status ? error.detail : null);
  }

  /**
   * Forget an error notice that no longer holds once everything shown was loaded again (an
   * unreachable or failing service) or another entry is shown (fields to correct). A refusal
   * of something the agent or the host did stays until dismissed.
   */
  function clearStaleError() {
    const { notice } = store.state;
    if (notice?.kind !== 'error') return;
    const status = notice.params?.status;
    if (notice.key === 'customer.checkFields' || status === 0 || status >= 500) {
      store.set({ notice: null });
    }
  }

  Object.assign(ctx, {
    notify,
    report,
    clearStaleError,
    dismissNotice: () => store.set({ notice: null }),
    focusDone: () => store.quietly({ focus: null }),
    // Issue 14: the merge dialog and its calls load when first used.
    mergeCustomers: async (options) => (await import('./merge.js')).mergeCustomers(ctx, options),
  });
  for (const install of [installLists, installDetail, installForms, installConflicts,
    installNotes, installCare, installMessages, installFrames, installPresence]) {
    Object.assign(ctx, install(ctx));
  }
  return ctx;
}
