/**
 * Concurrent changes (R9): a save refused with 412, or a newer version pushed while shown.
 *
 * An agent who is not editing simply sees the new version (and is told who changed it). An
 * agent who is editing sees, field by field, what they changed (theirs) and what the agent
 * changed (yours), against the version the agent loaded (base); Overwrite sends only the
 * agent's own fields, over the new version, so the other agent's other changes survive.
 */

import { formatDate } from '../i18n.js';
import {
  customerChanges, draftFromCustomer, isAgentActor, rebaseExtra, requestChanges,
} from '../model.js';
import { PATHS, without } from './shared.js';

export function installConflicts(ctx) {
  const { store, api, state } = ctx;

  /** The fields the agent changed in the shown form, as a PATCH body. */
  function mine(kind) {
    if (kind === 'customer' && ctx.customerDirty()) {
      return customerChanges(state.customer, state.customerDraft || draftFromCustomer(state.customer));
    }
    if (kind === 'request' && ctx.requestDirty()) return requestChanges(state.request, state.requestDraft);
    return {};
  }

  function raise(kind, source, current, changedBy, changedAt, body) {
    store.set({
      conflicts: {
        ...state.conflicts,
        [kind]: { source, changedBy, changedAt, base: state[kind], current, mine: body },
      },
    });
  }

  function failedSave(kind, error, payload) {
    if (error.status === 412) {
      raise(kind, 'save', error.current || null, error.changed_by, error.changed_at, payload);
      return false;
    }
    if (error.status === 422 && error.errors) {
      store.set(kind === 'customer'
        ? { customerForm: { ...state.customerForm, errors: error.errors }, focus: 'customer-invalid' }
        : { requestErrors: error.errors, focus: 'request-invalid' });
      ctx.notify('error', 'customer.checkFields');
      return false;
    }
    ctx.report(error);
    return false;
  }

  function apply(kind, current) {
    const patch = { [kind]: current, conflicts: without(state.conflicts, kind) };
    if (kind === 'customer') {
      patch.customerDraft = null;
      if (state.customerForm.mode === 'edit') patch.customerForm = { mode: 'view', errors: null };
      if (state.journey) patch.journey = { ...state.journey, customer: current };
    }
    if (kind === 'request') Object.assign(patch, { requestDraft: null, requestErrors: null });
    store.set(patch);
    if (kind === 'activity') ctx.reloadNotes().catch(ctx.report);
    ctx.reloadJourneySoon();
  }

  /** A newer version exists: shown at once, unless the agent is editing it (a conflict). */
  async function refresh(kind) {
    const local = state[kind];
    if (!local) return;
    const current = await api.get(PATHS[kind](local.id));
    const shown = state[kind];
    if (!shown || shown.id !== current.id || current.version <= shown.version) return;
    const seen = state.conflicts[kind];
    if (seen && seen.current && current.version <= seen.current.version) return;
    const changedBy = current.updated_by;
    const edits = mine(kind);
    if (Object.keys(edits).length) {
      raise(kind, 'push', current, changedBy, current.updated_at, edits);
      return;
    }
    apply(kind, current);
    if (changedBy !== state.agent?.id && isAgentActor(changedBy)) {
      ctx.notify('info', `conflict.${kind}`, { who: changedBy, when: formatDate(current.updated_at) });
    }
  }

  async function resolveConflict(kind, choice) {
    const conflict = state.conflicts[kind];
    if (!conflict) return;
    let current = conflict.current;
    try {
      current = current || await api.get(PATHS[kind](state[kind].id));
    } catch (error) {
      ctx.report(error);
      return;
    }
    // Yours: what the agent tried to save, or has typed since it was warned. `extra` is
    // written whole: only the keys the agent changed go over the current values.
    let body = conflict.source === 'save' ? conflict.mine : mine(kind);
    if (body?.extra) body = { ...body, extra: rebaseExtra(conflict.base?.extra, body.extra, current.extra) };
    if (choice === 'load' || !Object.keys(body || {}).length) {
      apply(kind, current);
      return;
    }
    const { version } = current;
    if (kind === 'customer') await ctx.saveCustomer({ body, version });
    else if ('status' in body) await ctx.setRequestStatus(body.status, { version });
    else await ctx.saveRequest({ body, version });
  }

  return { failedSave, refresh, resolveConflict, raiseConflict: raise };
}
