/** Push frames, resyncing after a reconnect, and contacts a host desktop reports. */

import { TEXT_MEDIA, displayName, selectedEntry } from '../model.js';
import { without } from './shared.js';

export function installFrames(ctx) {
  const { store, api, state } = ctx;

  function onOpenFrame(frame) {
    const entry = selectedEntry(state);
    ctx.openListChanged();
    switch (frame.type) {
      case 'open.added':
        if (!frame.entry) break;
        if (state.recent.some((item) => item.activity_id && item.activity_id === frame.entry.activity_id)) {
          // A message on a chat closed too early brought it back (the service reopens it).
          ctx.notify('info', 'close.reopened', { name: displayName(frame.entry.customer) });
        }
        ctx.upsertOpen(frame.entry);
        // R1: the contact just accepted is what the agent wants to see, unless busy editing.
        if (!state.selectedEntryId || (!ctx.hasUnsaved() && !ctx.typing())) {
          ctx.selectEntry(frame.entry.id, { settled: true }).catch(ctx.report);
        }
        break;
      case 'open.changed': {
        if (!frame.entry) break;
        const before = state.open.find((item) => item.id === frame.entry.id);
        ctx.upsertOpen(frame.entry);
        if (entry && entry.id === frame.entry.id && before) {
          const moved = ['customer_id', 'request_id', 'activity_id']
            .some((field) => before[field] !== frame.entry[field]);
          if (moved) {
            if (before.request_id !== frame.entry.request_id) {
              store.quietly({ requestOverride: without(state.requestOverride, entry.id) });
            }
            ctx.loadDetail({ keepForm: true });
          }
        }
        break;
      }
      case 'open.removed':
        store.set({ open: state.open.filter((item) => item.id !== frame.id) });
        if (state.selectedEntryId === frame.id) {
          ctx.clearSelection();
          if (state.open.length) ctx.selectEntry(state.open[0].id, { settled: true }).catch(ctx.report);
        }
        ctx.reloadListsSoon();
        break;
      default:
        break;
    }
  }

  /** A changed customer, request or activity: shown again if it is the one shown. */
  function onChangedFrame(kind, frame) {
    if (state[kind]?.id === frame.id && frame.version > state[kind].version) {
      ctx.refresh(kind).catch(ctx.report);
    }
    // Also while the selected entry loads: its journey may have been read before this.
    if (kind !== 'customer' && frame.customer_id && frame.customer_id === ctx.shownCustomerId()) {
      ctx.reloadJourneySoon();
    }
  }

  /** Whether the Open or Recent list shows any of these customers. */
  function listsName(customerIds) {
    return [...state.open, ...state.recent].some((item) => customerIds.includes(item.customer_id));
  }

  /**
   * Issue 14: a customer was merged into another (`customer.merged`: `id` into `into`), or
   * back out (`customer.unmerged`: `id` from `from`). A gadget showing the merged-away
   * customer switches to the survivor; one showing either side loads it again; lists that
   * name either are fetched again.
   */
  function onMergeFrame(frame) {
    const merged = frame.type === 'customer.merged';
    const ids = [frame.id, merged ? frame.into : frame.from];
    const entry = selectedEntry(state);
    const shown = ctx.shownCustomerId();
    if (merged && entry && shown === frame.id) {
      ctx.upsertOpen({ ...entry, customer_id: frame.into });
      ctx.loadDetail().catch(ctx.report);
      if (frame.changed_by !== state.agent?.id) ctx.notify('info', 'merge.switched', { who: frame.changed_by });
    } else if (ids.includes(shown) || state.activity?.candidate_ids?.some((id) => ids.includes(id))) {
      ctx.loadDetail({ keepForm: true }).catch(ctx.report);
    }
    if (listsName(ids)) ctx.reloadListsSoon();
    if (state.searchResults?.some((customer) => ids.includes(customer.id))) ctx.search(state.searchQuery);
  }

  function onFrame(frame) {
    if (ctx.messageFrame(frame) || ctx.careFrame(frame) || ctx.presenceFrame(frame)) return;
    if (frame.type.startsWith('open.')) {
      onOpenFrame(frame);
      return;
    }
    if (frame.type === 'customer.merged' || frame.type === 'customer.unmerged') {
      onMergeFrame(frame);
    } else if (frame.type === 'customer.changed') {
      if (frame.action === 'erase') {
        if (state.customer?.id === frame.id) ctx.clearSelection();
        ctx.reloadListsSoon();
        return;
      }
      onChangedFrame('customer', frame);
      if (listsName([frame.id])) ctx.reloadListsSoon();
    } else if (frame.type === 'request.changed') {
      onChangedFrame('request', frame);
    } else if (frame.type === 'activity.changed') {
      onChangedFrame('activity', frame);
      // An ended contact is marked for wrap-up in the Open list.
      if (state.open.some((item) => item.activity_id === frame.id)) ctx.reloadListsSoon();
    }
  }

  /** After (re)connecting: reload what is shown, so nothing pushed meanwhile is missed. */
  async function resync() {
    try {
      await Promise.all([ctx.loadLists(), ctx.loadCare(), ctx.loadFields()]);
      if (selectedEntry(state) && state.detailFailed) {
        await ctx.loadDetail({ keepForm: true });
        if (state.detailFailed) return; // still failing: said by loadDetail
      } else if (selectedEntry(state)) {
        await Promise.all(['customer', 'request', 'activity'].map((kind) => ctx.refresh(kind)));
        await ctx.reloadJourney();
        if (state.activity) {
          await ctx.reloadNotes();
          if (TEXT_MEDIA.has(state.activity.media_type)) await ctx.reloadMessages();
        }
      }
      // Everything shown is fresh again: an error said during the outage no longer holds.
      ctx.clearStaleError();
    } catch (error) {
      ctx.report(error);
    }
  }

  /**
   * A contact from the host desktop, posted as the signed-in agent. With
   * `replay`, a 409 means the event was recorded before (a reload mid-call).
   * A refusal is shown to the agent and answers null; with `raise` it also throws, so a
   * host that asked (postMessage v2) hears why.
   */
  async function postContactEvent(event, { replay = false, raise = false } = {}) {
    if (!event || typeof event !== 'object' || !state.agent) return null;
    const body = { source: 'host', ...event, agent_id: state.agent.id };
    try {
      const result = await api.post('api/v1/contact-events', body);
      // Accepted, or ringing here (offered to this agent): the caller is in Open; show them.
      if (body.type === 'accepted' || body.type === 'offered') {
        await ctx.loadLists();
        const entry = state.open.find((item) => item.activity_id === result.activity.id);
        if (entry && !ctx.hasUnsaved() && !ctx.typing()) await ctx.selectEntry(entry.id, { settled: true });
      } else if (state.activity?.id === result.activity?.id) {
        await ctx.refreshActivity();
      }
      return result;
    } catch (error) {
      if (replay && error.status === 409) return { replayed: true };
      ctx.report(error, 'error.contactEvent');
      if (raise) throw error;
      return null;
    }
  }

  return { onFrame, resync, postContactEvent };
}
