/** Concurrent changes (R9): a save refused with 412, or a newer version pushed while shown. */

import { isAgentActor } from '../model.js';
import { PATHS, without } from './shared.js';

export function installConflicts(ctx) {
  const { store, api, state } = ctx;

  function failedSave(kind, error, payload) {
    if (error.status === 412) {
      store.set({
        conflicts: {
          ...state.conflicts,
          [kind]: {
            source: 'save',
            changedBy: error.changed_by,
            changedAt: error.changed_at,
            current: error.current || null,
            mine: payload,
          },
        },
      });
      return false;
    }
    if (kind === 'customer' && error.status === 422) {
      store.set({ customerForm: { ...state.customerForm, errors: error.errors || {} } });
    }
    ctx.report(error);
    return false;
  }

  function editedKind(kind) {
    if (kind === 'customer') return ctx.customerDirty();
    if (kind === 'request') return ctx.requestDirty();
    return false;
  }

  function apply(kind, current) {
    const patch = { [kind]: current, conflicts: without(state.conflicts, kind) };
    if (kind === 'customer') {
      patch.customerDraft = null;
      if (state.customerForm.mode === 'edit') patch.customerForm = { mode: 'view', errors: null };
      if (state.journey) patch.journey = { ...state.journey, customer: current };
    }
    if (kind === 'request') patch.requestDraft = null;
    patch.overwrite = without(state.overwrite, kind);
    store.set(patch);
    if (kind === 'activity') {
      api.get(`${PATHS.activity(current.id)}/notes`)
        .then((notes) => state.activity?.id === current.id && store.set({ notes }))
        .catch(ctx.report);
    }
    ctx.reloadJourneySoon();
  }

  /**
   * A newer version exists. Another agent's change, or any change while the
   * agent has unsaved edits, raises the warning; otherwise it is simply shown.
   */
  async function refresh(kind) {
    const local = state[kind];
    if (!local) return;
    const current = await api.get(PATHS[kind](local.id));
    const shown = state[kind];
    if (!shown || shown.id !== current.id || current.version <= shown.version) return;
    // The agent already chose to keep theirs over this version.
    if (state.overwrite[kind] && current.version <= state.overwrite[kind]) return;
    const changedBy = current.updated_by;
    const byOtherAgent = changedBy !== state.agent?.id && isAgentActor(changedBy);
    if (byOtherAgent || editedKind(kind)) {
      store.set({
        conflicts: {
          ...state.conflicts,
          [kind]: { source: 'push', changedBy, changedAt: current.updated_at, current },
        },
      });
    } else {
      apply(kind, current);
    }
  }

  async function resolveConflict(kind, choice) {
    const conflict = state.conflicts[kind];
    if (!conflict) return;
    if (choice === 'load') {
      try {
        const current = conflict.current || await api.get(PATHS[kind](state[kind].id));
        apply(kind, current);
      } catch (error) {
        ctx.report(error);
      }
      return;
    }
    if (conflict.source === 'save' && conflict.mine) {
      if (kind === 'customer') await ctx.saveCustomer({ body: conflict.mine, overwrite: true });
      else if (kind === 'request' && 'status' in conflict.mine) {
        store.set({ overwrite: { ...state.overwrite, request: Infinity } });
        await ctx.setRequestStatus(conflict.mine.status);
      } else if (kind === 'request') await ctx.saveRequest({ body: conflict.mine, overwrite: true });
      return;
    }
    // Seen without a save: keep what is shown; the next save overwrites theirs.
    const patch = {
      conflicts: without(state.conflicts, kind),
      overwrite: { ...state.overwrite, [kind]: conflict.current.version },
    };
    if (kind === 'activity') {
      delete patch.overwrite;
      patch[kind] = { ...state.activity, version: conflict.current.version };
    }
    store.set(patch);
  }

  return { failedSave, refresh, resolveConflict };
}
