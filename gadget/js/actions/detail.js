/** The selected Open entry: what it shows, its journey, moving activities, and closing it. */

import { debounce } from '../dom.js';
import { t } from '../i18n.js';
import { TEXT_MEDIA, displayName, mergeJourney, selectedEntry } from '../model.js';
import { EMPTY_DETAIL, PATHS, without } from './shared.js';

const JOURNEY_PAGE = 50; // items (activities, and requests without any) a page

const fetchOr = (promise, errors) => promise.catch((error) => {
  errors.push(error);
  return null;
});

export function installDetail(ctx) {
  const { store, api, dialogs, state } = ctx;
  let detailSeq = 0;

  function clearSelection() {
    detailSeq += 1;
    store.set({ selectedEntryId: null, detailLoading: false, ...EMPTY_DETAIL });
  }

  async function selectEntry(id, { force = false, settled = false } = {}) {
    if (id === state.selectedEntryId && !force) return;
    if (!settled && !(await ctx.settleUnsaved())) return;
    const activityId = state.open.find((entry) => entry.id === id)?.activity_id;
    ctx.clearStaleError();
    store.set({
      selectedEntryId: id, detailLoading: true, ...EMPTY_DETAIL, unread: without(state.unread, activityId),
    });
    await loadDetail();
  }

  /** Load everything the selected entry shows. */
  async function loadDetail({ keepForm = false } = {}) {
    const seq = ++detailSeq;
    const entry = selectedEntry(state);
    if (!entry) return;
    const requestId = state.requestOverride[entry.id] ?? entry.request_id;
    const errors = [];
    const hasMessages = entry.activity_id && TEXT_MEDIA.has(entry.activity?.media_type);
    const [customer, journey, request, activity, notes, messages] = await Promise.all([
      entry.customer_id ? fetchOr(api.get(PATHS.customer(entry.customer_id)), errors) : null,
      entry.customer_id ? fetchOr(journeyPage(entry.customer_id), errors) : null,
      requestId ? fetchOr(api.get(PATHS.request(requestId)), errors) : null,
      entry.activity_id ? fetchOr(api.get(PATHS.activity(entry.activity_id)), errors) : null,
      entry.activity_id
        ? fetchOr(api.get(`${PATHS.activity(entry.activity_id)}/notes`), errors) : [],
      hasMessages ? fetchOr(api.get(`${PATHS.activity(entry.activity_id)}/messages`), errors) : [],
    ]);
    if (seq !== detailSeq) return;
    if (errors.length) {
      // Nothing half-loaded is shown as if it were the customer ("Unknown customer"): what
      // was shown stays, or the detail says it could not be loaded; resync loads it again.
      store.set({ detailLoading: false, detailFailed: true });
      ctx.report(errors[0]);
      return;
    }
    const patch = {
      customer, journey, request, activity, notes: notes || [], messages: messages || [],
      detailLoading: false, detailFailed: false,
    };
    if (!keepForm) Object.assign(patch, { customerForm: { mode: 'closed', errors: null } });
    store.set(patch);
  }

  /** Show an Open entry (an accepted task's), fetching the lists first if it is new. */
  async function showEntry(id) {
    if (!state.open.some((entry) => entry.id === id)) await ctx.loadLists();
    if (state.tab !== 'open') store.set({ tab: 'open' });
    await selectEntry(id);
  }

  /** The customer whose journey is shown, or is being loaded for the selected entry. */
  function shownCustomerId() {
    return state.customer?.id ?? selectedEntry(state)?.customer_id ?? null;
  }

  function journeyPage(customerId, before = null) {
    return api.get(`${PATHS.customer(customerId)}/journey`, {
      query: { limit: JOURNEY_PAGE, before },
    });
  }

  /** The shown journey again, as many pages as were loaded. */
  async function reloadJourney() {
    const customerId = shownCustomerId();
    if (!customerId) return;
    const pages = state.journeyPages;
    let journey = await journeyPage(customerId);
    for (let page = 1; page < pages && journey.next; page += 1) {
      journey = mergeJourney(journey, await journeyPage(customerId, journey.next));
    }
    if (shownCustomerId() === customerId) store.set({ journey });
  }

  /** The next page of the journey (its end scrolled into view, or Show more). */
  async function loadMoreJourney() {
    const customerId = shownCustomerId();
    const { journey } = state;
    if (!customerId || !journey?.next || state.journeyMore) return;
    store.set({ journeyMore: true });
    try {
      const page = await journeyPage(customerId, journey.next);
      if (shownCustomerId() === customerId && state.journey?.next === journey.next) {
        store.set({ journey: mergeJourney(state.journey, page), journeyPages: state.journeyPages + 1 });
      }
    } catch (error) {
      ctx.report(error);
    } finally {
      store.set({ journeyMore: false });
    }
  }

  const reloadJourneySoon = debounce(() => reloadJourney().catch(ctx.report), 200);

  function selectJourneyItem(kind, id) {
    store.set({ journeySelection: { kind, id } });
  }

  function hoverJourneyItem(item) {
    const same = JSON.stringify(item) === JSON.stringify(state.journeyHover);
    if (!same) store.set({ journeyHover: item });
  }

  /** The request an activity of the shown journey is in. */
  function requestOf(activityId) {
    return state.journey?.requests
      .find((request) => request.activities.some((activity) => activity.id === activityId))?.id;
  }

  /**
   * Move an activity: {request_id} | {new_request: true} | {customer_id}. The notice offers
   * Undo for a few seconds: back to the request it came from.
   */
  async function moveActivity(activityId, target, { undoing = false } = {}) {
    const from = requestOf(activityId);
    let body = target;
    if (target.pickCustomer) {
      const customerId = await dialogs.pickCustomer({
        exclude: state.customer?.id,
        open: state.open.filter((entry) => entry.customer),
        find: ctx.findCustomers,
      });
      if (!customerId) return false;
      body = { customer_id: customerId };
    }
    try {
      const moved = await api.post(`${PATHS.activity(activityId)}/move`, body);
      const undo = !undoing && from
        ? () => moveActivity(activityId, { request_id: from }, { undoing: true }) : null;
      ctx.notify('info', undoing ? 'journey.movedBack' : 'journey.moved', {}, null, undo);
      const entry = selectedEntry(state);
      if (entry && entry.activity_id === activityId) {
        // The shown interaction moved: its entry now points at the target request.
        store.set({
          requestOverride: without(state.requestOverride, entry.id),
          activity: moved,
        });
        ctx.upsertOpen({ ...entry, request_id: moved.request_id, customer_id: moved.customer_id });
        await loadDetail({ keepForm: true });
      } else {
        await reloadJourney().catch(ctx.report);
      }
      ctx.reloadListsSoon();
      return true;
    } catch (error) {
      ctx.report(error, error.status === 409 ? 'journey.moveRefused' : undefined);
      return false;
    }
  }

  /** The entry's chat is still going on: the customer may write after it is closed. */
  function liveChat(entry) {
    const { activity } = state;
    return activity?.id === entry.activity_id && activity.media_type === 'chat'
      && activity.state !== 'ended';
  }

  async function confirmLiveClose() {
    const choice = await dialogs.ask({
      title: t('close.liveTitle'),
      message: t('close.liveMessage'),
      actions: [
        { id: 'close', label: t('close.anyway') },
        { id: 'cancel', label: t('action.cancel'), primary: true },
      ],
    });
    return choice === 'close';
  }

  async function closeEntry() {
    const entry = selectedEntry(state);
    if (!entry) return;
    if (!entry.customer_id) {
      const choice = await dialogs.ask({
        title: t('close.unknownTitle'),
        message: t('close.unknownMessage'),
        actions: [
          { id: 'create', label: t('action.create'), primary: true },
          { id: 'discard', label: t('action.discard') },
          { id: 'cancel', label: t('action.cancel') },
        ],
      });
      if (choice === 'cancel' || !choice) return;
      if (choice === 'create' && !(await ctx.createCustomer())) return;
      if (choice === 'discard') ctx.discardAll();
    } else if (!(await ctx.settleUnsaved())) {
      return;
    }
    if (liveChat(entry) && !(await confirmLiveClose())) return;
    try {
      await api.post(`api/v1/me/open/${entry.id}/close`);
      const open = state.open.filter((item) => item.id !== entry.id);
      // Its task is complete now: it leaves In Progress (the push confirms). It is in Recent
      // at once (the reload confirms), so a message that reopens it before the reload is
      // known for what it is (close.reopened).
      const recent = [{ ...entry, closed_at: new Date().toISOString() }, ...state.recent];
      store.set({
        open, recent, tasks: state.tasks.filter((task) => task.open_entry_id !== entry.id),
      });
      clearSelection();
      ctx.notify('info', 'close.done', { name: displayName(entry.customer || state.customer) });
      await ctx.loadLists();
    } catch (error) {
      ctx.report(error);
    }
  }

  return {
    clearSelection, selectEntry, loadDetail, showEntry, shownCustomerId, reloadJourney,
    reloadJourneySoon, loadMoreJourney, selectJourneyItem, hoverJourneyItem, moveActivity, closeEntry,
  };
}
