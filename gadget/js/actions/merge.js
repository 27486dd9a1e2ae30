/**
 * Issue 14: merging duplicate customers, and Undo. Loaded by a dynamic import on first use (with
 * the dialog, views/merge.js): most visits never merge.
 */

import { etagOf } from '../api.js';
import { t } from '../i18n.js';
import { displayName, selectedEntry } from '../model.js';
import { askMerge } from '../views/merge.js';
import { PATHS } from './shared.js';

/** What a merge or its undo changed is shown again: lists, and the shown entry. */
async function reload(ctx) {
  try {
    await ctx.loadLists();
    if (selectedEntry(ctx.state)) await ctx.loadDetail({ keepForm: true });
  } catch (error) {
    ctx.report(error);
  }
}

async function undoMerge(ctx, mergeId) {
  try {
    const result = await ctx.api.post(`api/v1/customers/merges/${mergeId}/undo`);
    ctx.notify('info', 'merge.undone', { name: displayName(result.restored) });
  } catch (error) {
    // Too late, or something moved since: the service says which.
    if (error.status === 409) ctx.notify('error', 'merge.undoRefused', {}, error.detail);
    else ctx.report(error);
  }
  await reload(ctx);
}

/** The two customers: the survivor and the duplicate, picked or taken from `candidates`. */
async function pickPair(ctx, candidates) {
  const { api, dialogs, state } = ctx;
  const pick = (survivorId, open, listTitle) => dialogs.pickCustomer({
    exclude: survivorId, open, find: ctx.findCustomers, title: t('merge.pickTitle'), listTitle,
  });
  if (candidates) {
    // A contact's possible callers: the first survives unless the agent merges otherwise.
    const [survivorId, ...rest] = candidates;
    if (rest.length === 1) return [survivorId, rest[0]];
    const others = await Promise.all(rest.map((id) => api.get(PATHS.customer(id))));
    return [survivorId, await pick(survivorId, others.map((customer) => ({ customer })),
      t('merge.candidatesList'))];
  }
  if (!state.customer || !(await ctx.settleUnsaved())) return [null, null];
  const survivorId = state.customer.id;
  return [survivorId, await pick(survivorId, state.open.filter((entry) => entry.customer))];
}

/** Pick the duplicate, choose whose values survive, merge; the notice offers Undo. */
export async function mergeCustomers(ctx, { candidates } = {}) {
  const { api, dialogs, state } = ctx;
  try {
    const [survivorId, otherId] = await pickPair(ctx, candidates);
    if (!otherId) return;
    const [survivor, other] = await Promise.all(
      [survivorId, otherId].map((id) => api.get(PATHS.customer(id))));
    const fields = await askMerge(dialogs, survivor, other, state.fieldDefs);
    if (!fields) return;
    const merge = await api.post(`${PATHS.customer(survivor.id)}/merge`,
      { other_id: other.id, other_version: other.version, fields },
      { ifMatch: etagOf(survivor.version) });
    ctx.notify('info', 'merge.done', { other: displayName(other), survivor: displayName(merge.customer) },
      null, () => undoMerge(ctx, merge.id));
  } catch (error) {
    // Either side changed since it was loaded: both are loaded again before another try.
    if (error.status === 412) ctx.notify('error', 'merge.stale');
    else ctx.report(error);
  }
  await reload(ctx);
}
