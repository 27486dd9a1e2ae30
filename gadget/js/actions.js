/**
 * What the agent can do, and what the gadget does when the service pushes a
 * change: every call to the API lives here (the Care desktop's in care.js, wired in
 * below), views only call these actions.
 */

import { etagOf } from './api.js';
import { createCareActions } from './care.js';
import { t } from './i18n.js';
import {
  TAG_MAX, customerChanges, customerPayload, draftFromContact, draftFromCustomer, displayName,
  TEXT_MEDIA, isAgentActor, normaliseTag, requestChanged, sameTag, selectedEntry, textLength,
} from './model.js';
import { debounce } from './dom.js';

const PATHS = {
  customer: (id) => `api/v1/customers/${id}`,
  request: (id) => `api/v1/requests/${id}`,
  activity: (id) => `api/v1/activities/${id}`,
};

const EMPTY_DETAIL = {
  customer: null,
  journey: null,
  request: null,
  activity: null,
  notes: [],
  customerForm: { mode: 'closed', errors: null },
  customerDraft: null,
  requestDraft: null,
  overwrite: {},
  conflicts: {},
  journeySelection: null,
  journeyHover: null,
  tagMessage: null,
  messages: [],
};

function without(object, key) {
  const copy = { ...object };
  delete copy[key];
  return copy;
}

export function createActions({ store, api, dialogs }) {
  const state = store.state;
  let detailSeq = 0;
  let searchController = null;
  let noticeTimer = null;

  // --- notices ----------------------------------------------------------------------------

  function notify(kind, key, params = {}, detail = null) {
    clearTimeout(noticeTimer);
    store.set({ notice: { kind, key, params, detail } });
    if (kind === 'info') noticeTimer = setTimeout(() => store.set({ notice: null }), 6000);
  }

  function report(error, key) {
    if (error?.name === 'AbortError') return;
    const status = error?.status ?? 0;
    const known = [0, 400, 403, 404, 409, 413, 422, 428, 429, 500, 502, 503];
    const fallback = `error.status.${known.includes(status) ? status : 'other'}`;
    notify('error', key || fallback, { status }, status ? error.detail : null);
  }

  function dismissNotice() {
    store.set({ notice: null });
  }

  // --- lists ------------------------------------------------------------------------------

  // Bumped by every pushed Open-list change: a list answer that was under way
  // meanwhile may predate the push, so it is fetched again rather than shown.
  let listEpoch = 0;
  const LIST_ATTEMPTS = 5;

  async function loadLists() {
    let open;
    let recent;
    for (let attempt = 1; attempt <= LIST_ATTEMPTS; attempt += 1) {
      const epoch = listEpoch;
      [open, recent] = await Promise.all([
        api.get('api/v1/me/open'),
        api.get('api/v1/me/recent'),
      ]);
      if (epoch === listEpoch) break;
    }
    store.set({ open, recent });
    if (state.selectedEntryId && !open.some((entry) => entry.id === state.selectedEntryId)) {
      clearSelection();
    }
    if (!state.selectedEntryId && open.length) await selectEntry(open[0].id);
  }

  const reloadListsSoon = debounce(() => loadLists().catch(report), 300);

  function setTab(tab) {
    store.set({ tab });
  }

  function upsertOpen(entry) {
    const open = state.open.filter((item) => item.id !== entry.id);
    open.unshift(entry);
    open.sort((a, b) => (b.opened_at || '').localeCompare(a.opened_at || '') || b.id - a.id);
    store.set({ open });
  }

  async function search(query) {
    searchController?.abort();
    const q = query.trim();
    store.quietly({ searchQuery: query });
    if (!q) {
      store.set({ searchResults: null, searchBusy: false });
      return;
    }
    searchController = new AbortController();
    store.set({ searchBusy: true });
    try {
      const results = await findCustomers(q, searchController.signal);
      store.set({ searchResults: results, searchBusy: false });
    } catch (error) {
      if (error.name === 'AbortError') return;
      store.set({ searchBusy: false });
      report(error);
    }
  }

  /** Customers by name, email or phone (the Search tab and the "Another customer…" picker). */
  async function findCustomers(query, signal) {
    const q = query.trim();
    if (!q) return [];
    return api.get('api/v1/customers', { query: { q, page_size: 20 }, signal });
  }

  async function reopen(customerId) {
    try {
      await openCustomer(customerId);
    } catch (error) {
      report(error);
    }
  }

  /**
   * The customer in the agent's Open list, selected (Reopen, and a host's cc:show-customer).
   * Resolves with the Open entry, or null when the agent kept unsaved changes; API errors throw.
   */
  async function openCustomer(customerId) {
    if (!(await settleUnsaved())) return null;
    const entry = await api.post('api/v1/me/open', { customer_id: customerId });
    upsertOpen(entry);
    store.set({ tab: 'open' });
    await selectEntry(entry.id, { force: true, settled: true });
    reloadListsSoon();
    return entry;
  }

  // --- the selected entry -----------------------------------------------------------------

  function clearSelection() {
    detailSeq += 1;
    store.set({ selectedEntryId: null, detailLoading: false, ...EMPTY_DETAIL });
  }

  async function selectEntry(id, { force = false, settled = false } = {}) {
    if (id === state.selectedEntryId && !force) return;
    if (!settled && !(await settleUnsaved())) return;
    store.set({ selectedEntryId: id, detailLoading: true, ...EMPTY_DETAIL });
    await loadDetail();
  }

  const fetchOr = (promise, errors) => promise.catch((error) => {
    errors.push(error);
    return null;
  });

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
      entry.customer_id
        ? fetchOr(api.get(`${PATHS.customer(entry.customer_id)}/journey`), errors) : null,
      requestId ? fetchOr(api.get(PATHS.request(requestId)), errors) : null,
      entry.activity_id ? fetchOr(api.get(PATHS.activity(entry.activity_id)), errors) : null,
      entry.activity_id
        ? fetchOr(api.get(`${PATHS.activity(entry.activity_id)}/notes`), errors) : [],
      hasMessages ? fetchOr(api.get(`${PATHS.activity(entry.activity_id)}/messages`), errors) : [],
    ]);
    if (seq !== detailSeq) return;
    const patch = {
      customer, journey, request, activity, notes: notes || [], messages: messages || [],
      detailLoading: false,
    };
    if (!keepForm) Object.assign(patch, { customerForm: { mode: 'closed', errors: null } });
    store.set(patch);
    if (errors.length) report(errors[0]);
  }

  /** Show an Open entry (an accepted task's), fetching the lists first if it is new. */
  async function showEntry(id) {
    if (!state.open.some((entry) => entry.id === id)) await loadLists();
    if (state.tab !== 'open') store.set({ tab: 'open' });
    await selectEntry(id);
  }

  const care = createCareActions({ store, api, notify, report, showEntry });

  /** The customer whose journey is shown, or is being loaded for the selected entry. */
  function shownCustomerId() {
    return state.customer?.id ?? selectedEntry(state)?.customer_id ?? null;
  }

  async function reloadJourney() {
    const customerId = shownCustomerId();
    if (!customerId) return;
    try {
      const journey = await api.get(`${PATHS.customer(customerId)}/journey`);
      if (shownCustomerId() === customerId) store.set({ journey });
    } catch (error) {
      report(error);
    }
  }

  const reloadJourneySoon = debounce(reloadJourney, 200);

  // --- unsaved changes (R8) ---------------------------------------------------------------

  function customerDirty() {
    const { mode } = state.customerForm;
    if (mode !== 'edit' || !state.customer || !state.customerDraft) return false;
    return Object.keys(customerChanges(state.customer, state.customerDraft)).length > 0;
  }

  function requestDirty() {
    return requestChanged(state.request, state.requestDraft);
  }

  function hasUnsaved() {
    return customerDirty() || requestDirty();
  }

  /** Text in a field of the shown entry (a note, a tag) that switching would throw away. */
  function typing() {
    const field = document.activeElement;
    return Boolean(field?.closest?.('[data-region="detail"]') && field.value?.trim());
  }

  async function saveAll() {
    if (customerDirty() && !(await saveCustomer())) return false;
    if (requestDirty() && !(await saveRequest())) return false;
    return true;
  }

  function discardAll() {
    store.set({
      customerDraft: null,
      customerForm: { mode: state.customerForm.mode === 'closed' ? 'closed' : 'view', errors: null },
      requestDraft: null,
    });
  }

  /** Before leaving the shown entry: Save, Discard or stay. True when it is safe to go on. */
  async function settleUnsaved() {
    if (!hasUnsaved()) return true;
    const choice = await dialogs.ask({
      title: t('unsaved.title'),
      message: t('unsaved.message'),
      actions: [
        { id: 'save', label: t('action.save'), primary: true },
        { id: 'discard', label: t('action.discard') },
        { id: 'cancel', label: t('action.cancel') },
      ],
    });
    if (choice === 'save') return saveAll();
    if (choice === 'discard') {
      discardAll();
      return true;
    }
    return false;
  }

  // --- customer (R7) ----------------------------------------------------------------------

  function toggleCustomerForm() {
    if (state.customerForm.mode !== 'closed') {
      if (state.customerForm.mode === 'view') {
        store.set({ customerForm: { mode: 'closed', errors: null }, customerDraft: null });
      } else {
        // An open edit keeps its draft: collapsing the form must not lose typing.
        store.set({ customerForm: { ...state.customerForm, collapsed: !state.customerForm.collapsed } });
      }
      return;
    }
    if (state.customer) {
      store.set({ customerForm: { mode: 'view', errors: null }, customerDraft: null });
    } else {
      store.set({
        customerForm: { mode: 'create', errors: null },
        customerDraft: state.customerDraft || draftFromContact(state.activity),
      });
    }
  }

  function editCustomer() {
    store.set({
      customerForm: { mode: 'edit', errors: null },
      customerDraft: draftFromCustomer(state.customer),
    });
  }

  function cancelCustomer() {
    store.set({
      customerForm: { mode: 'view', errors: null },
      customerDraft: null,
      overwrite: without(state.overwrite, 'customer'),
    });
  }

  function setCustomerDraft(field, value) {
    const base = state.customerDraft
      || (state.customer ? draftFromCustomer(state.customer) : draftFromContact(state.activity));
    store.quietly({ customerDraft: { ...base, [field]: value } });
  }

  async function saveCustomer({ body, overwrite = false } = {}) {
    const customer = state.customer;
    if (!customer) return false;
    const force = overwrite || state.overwrite.customer;
    // Overwriting on purpose sends the whole form: "keep mine" means all of mine.
    const payload = body || (force ? customerPayload(state.customerDraft || draftFromCustomer(customer))
      : customerChanges(customer, state.customerDraft || draftFromCustomer(customer)));
    if (!Object.keys(payload).length) {
      store.set({ customerForm: { mode: 'view', errors: null }, customerDraft: null });
      return true;
    }
    try {
      const updated = await api.patch(PATHS.customer(customer.id), payload, {
        ifMatch: force ? '*' : etagOf(customer.version),
      });
      store.set({
        customer: updated,
        journey: state.journey ? { ...state.journey, customer: updated } : null,
        customerForm: { mode: 'view', errors: null },
        customerDraft: null,
        overwrite: without(state.overwrite, 'customer'),
        conflicts: without(state.conflicts, 'customer'),
      });
      notify('info', 'customer.saved');
      reloadListsSoon();
      return true;
    } catch (error) {
      return failedSave('customer', error, payload);
    }
  }

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
    report(error);
    return false;
  }

  /** R7: create the customer from the unknown contact shown. */
  async function createCustomer() {
    const activity = state.activity;
    const entry = selectedEntry(state);
    if (!activity || !entry) return false;
    const draft = state.customerDraft || draftFromContact(activity);
    const body = { ...customerPayload(draft), from_activity_id: activity.id };
    for (const [field, value] of Object.entries(body)) {
      if (value === null) delete body[field];
    }
    try {
      const customer = await api.post('api/v1/customers', body);
      upsertOpen({ ...entry, customer_id: customer.id, customer });
      store.set({ customerDraft: null, customerForm: { mode: 'view', errors: null } });
      notify('info', 'customer.created', { name: displayName(customer) });
      await loadDetail({ keepForm: true });
      reloadListsSoon();
      return true;
    } catch (error) {
      if (error.status === 422) {
        store.set({
          customerForm: { mode: 'create', errors: error.errors || {} },
          customerDraft: draft,
        });
      }
      report(error);
      return false;
    }
  }

  // --- request (R3, R12) ------------------------------------------------------------------

  function setRequestDraft(field, value) {
    const request = state.request;
    if (!request) return;
    const base = state.requestDraft || { title: request.title, description: request.description };
    store.quietly({ requestDraft: { ...base, [field]: value } });
  }

  function revertRequest() {
    store.set({ requestDraft: null, overwrite: without(state.overwrite, 'request') });
  }

  async function saveRequest({ body, overwrite = false } = {}) {
    const request = state.request;
    if (!request) return false;
    const force = overwrite || state.overwrite.request;
    const draft = state.requestDraft || { title: request.title, description: request.description };
    const payload = body || { title: draft.title, description: draft.description };
    try {
      const updated = await api.patch(PATHS.request(request.id), payload, {
        ifMatch: force ? '*' : etagOf(request.version),
      });
      store.set({
        request: updated,
        requestDraft: null,
        overwrite: without(state.overwrite, 'request'),
        conflicts: without(state.conflicts, 'request'),
      });
      notify('info', 'request.saved');
      reloadJourneySoon();
      return true;
    } catch (error) {
      return failedSave('request', error, payload);
    }
  }

  async function setRequestStatus(status) {
    const request = state.request;
    if (!request || requestDirty()) {
      if (requestDirty()) notify('error', 'request.saveFirst');
      return;
    }
    try {
      const updated = await api.patch(PATHS.request(request.id), { status }, {
        ifMatch: state.overwrite.request ? '*' : etagOf(request.version),
      });
      store.set({
        request: updated,
        overwrite: without(state.overwrite, 'request'),
        conflicts: without(state.conflicts, 'request'),
      });
      reloadJourneySoon();
    } catch (error) {
      failedSave('request', error, { status });
    }
  }

  async function addRequest() {
    const customer = state.customer;
    const entry = selectedEntry(state);
    if (!customer || !entry) return;
    if (requestDirty() && !(await settleUnsaved())) return;
    try {
      const request = await api.post(`${PATHS.customer(customer.id)}/requests`,
        { title: '', description: '' });
      store.set({
        requestOverride: { ...state.requestOverride, [entry.id]: request.id },
        request,
        requestDraft: null,
        focus: 'request-title',
      });
      notify('info', 'request.added');
      reloadJourneySoon();
    } catch (error) {
      report(error);
    }
  }

  /** Edit another open request of this customer (picked in the journey). */
  async function editRequest(requestId) {
    const entry = selectedEntry(state);
    if (!entry || state.request?.id === requestId) return;
    if (!(await settleUnsaved())) return;
    try {
      const request = await api.get(PATHS.request(requestId));
      store.set({
        requestOverride: { ...state.requestOverride, [entry.id]: requestId },
        request,
        requestDraft: null,
        conflicts: without(state.conflicts, 'request'),
        focus: 'request-title',
      });
    } catch (error) {
      report(error);
    }
  }

  // --- activity: tags (R5) and notes (R6) -------------------------------------------------

  async function refreshActivity() {
    const activity = state.activity;
    if (!activity) return;
    const fresh = await api.get(PATHS.activity(activity.id));
    if (state.activity?.id === fresh.id) store.set({ activity: fresh });
  }

  /** Add a tag; false (with a visible message) when refused. */
  async function addTag(raw) {
    const activity = state.activity;
    const name = normaliseTag(raw);
    if (!activity || !name) return false;
    if (textLength(name) > TAG_MAX) {
      store.set({ tagMessage: { key: 'tag.tooLong', params: { max: TAG_MAX } } });
      return false;
    }
    if (activity.tags.some((tag) => sameTag(tag.name, name))) {
      store.set({ tagMessage: { key: 'tag.duplicate', params: { name } } });
      return false;
    }
    try {
      const tag = await api.post(`${PATHS.activity(activity.id)}/tags`, { name });
      store.set({ activity: { ...activity, tags: [...activity.tags, tag] }, tagMessage: null });
      await refreshActivity();
      reloadJourneySoon();
      return true;
    } catch (error) {
      const key = { 409: 'tag.duplicate', 422: 'tag.invalid' }[error.status];
      if (key) store.set({ tagMessage: { key, params: { name, max: TAG_MAX } } });
      else report(error);
      return false;
    }
  }

  function clearTagMessage() {
    if (state.tagMessage) store.set({ tagMessage: null });
  }

  async function removeTag(name) {
    const activity = state.activity;
    if (!activity) return;
    try {
      await api.del(`${PATHS.activity(activity.id)}/tags/${encodeURIComponent(name)}`);
      store.set({
        activity: { ...activity, tags: activity.tags.filter((tag) => tag.name !== name) },
        tagMessage: null,
        focus: 'tag-input',
      });
      await refreshActivity();
      reloadJourneySoon();
    } catch (error) {
      report(error);
    }
  }

  async function addNote(text) {
    const activity = state.activity;
    if (!activity || !text.trim()) return false;
    try {
      const note = await api.post(`${PATHS.activity(activity.id)}/notes`, { text });
      store.set({ notes: [...state.notes, note] });
      await refreshActivity();
      reloadJourneySoon();
      return true;
    } catch (error) {
      report(error);
      return false;
    }
  }

  // --- journey (R11) ----------------------------------------------------------------------

  function selectJourneyItem(kind, id) {
    store.set({ journeySelection: { kind, id } });
  }

  function hoverJourneyItem(item) {
    const same = JSON.stringify(item) === JSON.stringify(state.journeyHover);
    if (!same) store.set({ journeyHover: item });
  }

  /** Move an activity: {request_id} | {new_request: true} | {customer_id}. */
  async function moveActivity(activityId, target) {
    let body = target;
    if (target.pickCustomer) {
      const customerId = await dialogs.pickCustomer({
        exclude: state.customer?.id,
        open: state.open.filter((entry) => entry.customer),
        find: findCustomers,
      });
      if (!customerId) return false;
      body = { customer_id: customerId };
    }
    try {
      const moved = await api.post(`${PATHS.activity(activityId)}/move`, body);
      notify('info', 'journey.moved');
      const entry = selectedEntry(state);
      if (entry && entry.activity_id === activityId) {
        // The shown interaction moved: its entry now points at the target request.
        store.set({
          requestOverride: without(state.requestOverride, entry.id),
          activity: moved,
        });
        upsertOpen({ ...entry, request_id: moved.request_id, customer_id: moved.customer_id });
        await loadDetail({ keepForm: true });
      } else {
        await reloadJourney();
      }
      reloadListsSoon();
      return true;
    } catch (error) {
      report(error, error.status === 409 ? 'journey.moveRefused' : undefined);
      return false;
    }
  }

  // --- close (R8) -------------------------------------------------------------------------

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
      if (choice === 'create' && !(await createCustomer())) return;
      if (choice === 'discard') discardAll();
    } else if (!(await settleUnsaved())) {
      return;
    }
    try {
      await api.post(`api/v1/me/open/${entry.id}/close`);
      const open = state.open.filter((item) => item.id !== entry.id);
      // Its task is complete now: it leaves In Progress (the push confirms).
      store.set({ open, tasks: state.tasks.filter((task) => task.open_entry_id !== entry.id) });
      clearSelection();
      notify('info', 'close.done', { name: displayName(entry.customer || state.customer) });
      await loadLists();
    } catch (error) {
      report(error);
    }
  }

  // --- concurrent changes (R9) ------------------------------------------------------------

  function editedKind(kind) {
    if (kind === 'customer') return customerDirty();
    if (kind === 'request') return requestDirty();
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
        .catch(report);
    }
    reloadJourneySoon();
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
        report(error);
      }
      return;
    }
    if (conflict.source === 'save' && conflict.mine) {
      if (kind === 'customer') await saveCustomer({ body: conflict.mine, overwrite: true });
      else if (kind === 'request' && 'status' in conflict.mine) {
        store.set({ overwrite: { ...state.overwrite, request: Infinity } });
        await setRequestStatus(conflict.mine.status);
      } else if (kind === 'request') await saveRequest({ body: conflict.mine, overwrite: true });
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

  // --- push frames ------------------------------------------------------------------------

  function onFrame(frame) {
    if (care.careFrame(frame)) return;
    const entry = selectedEntry(state);
    if (frame.type.startsWith('open.')) listEpoch += 1;
    switch (frame.type) {
      case 'open.added':
        if (!frame.entry) break;
        upsertOpen(frame.entry);
        // R1: the contact just accepted is what the agent wants to see, unless busy editing.
        if (!state.selectedEntryId || (!hasUnsaved() && !typing())) {
          selectEntry(frame.entry.id, { settled: true }).catch(report);
        }
        break;
      case 'open.changed': {
        if (!frame.entry) break;
        const before = state.open.find((item) => item.id === frame.entry.id);
        upsertOpen(frame.entry);
        if (entry && entry.id === frame.entry.id && before) {
          const moved = ['customer_id', 'request_id', 'activity_id']
            .some((field) => before[field] !== frame.entry[field]);
          if (moved) {
            if (before.request_id !== frame.entry.request_id) {
              store.quietly({ requestOverride: without(state.requestOverride, entry.id) });
            }
            loadDetail({ keepForm: true });
          }
        }
        break;
      }
      case 'open.removed':
        store.set({ open: state.open.filter((item) => item.id !== frame.id) });
        if (state.selectedEntryId === frame.id) {
          clearSelection();
          if (state.open.length) selectEntry(state.open[0].id, { settled: true }).catch(report);
        }
        reloadListsSoon();
        break;
      case 'customer.changed':
        if (frame.action === 'erase') {
          if (state.customer?.id === frame.id) clearSelection();
          reloadListsSoon();
          break;
        }
        if (state.customer?.id === frame.id && frame.version > state.customer.version) {
          refresh('customer').catch(report);
        }
        if ([...state.open, ...state.recent].some((item) => item.customer_id === frame.id)) {
          reloadListsSoon();
        }
        break;
      case 'request.changed':
        if (state.request?.id === frame.id && frame.version > state.request.version) {
          refresh('request').catch(report);
        }
        // Also while the selected entry loads: its journey may have been read before this.
        if (frame.customer_id && frame.customer_id === shownCustomerId()) reloadJourneySoon();
        break;
      case 'activity.changed':
        if (state.activity?.id === frame.id && frame.version > state.activity.version) {
          refresh('activity').catch(report);
        }
        if (frame.customer_id && frame.customer_id === shownCustomerId()) reloadJourneySoon();
        break;
      default:
        break;
    }
  }

  /** After (re)connecting: reload what is shown, so nothing pushed meanwhile is missed. */
  async function resync() {
    try {
      await Promise.all([loadLists(), care.loadCare()]);
      if (!selectedEntry(state)) return;
      await Promise.all(['customer', 'request', 'activity'].map((kind) => refresh(kind)));
      await reloadJourney();
      if (state.activity) {
        const notes = await api.get(`${PATHS.activity(state.activity.id)}/notes`);
        store.set({ notes });
        if (TEXT_MEDIA.has(state.activity.media_type)) await care.reloadMessages();
      }
    } catch (error) {
      report(error);
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
        await loadLists();
        const entry = state.open.find((item) => item.activity_id === result.activity.id);
        if (entry && !hasUnsaved() && !typing()) await selectEntry(entry.id, { settled: true });
      } else if (state.activity?.id === result.activity?.id) {
        await refreshActivity();
      }
      return result;
    } catch (error) {
      if (replay && error.status === 409) return { replayed: true };
      report(error, 'error.contactEvent');
      if (raise) throw error;
      return null;
    }
  }

  return {
    ...care,
    notify, report, dismissNotice,
    loadLists, setTab, search, findCustomers, reopen, openCustomer,
    selectEntry, clearSelection, loadDetail,
    hasUnsaved, customerDirty, requestDirty,
    toggleCustomerForm, editCustomer, cancelCustomer, setCustomerDraft, saveCustomer,
    createCustomer,
    setRequestDraft, revertRequest, saveRequest, setRequestStatus, addRequest, editRequest,
    addTag, removeTag, clearTagMessage, addNote,
    selectJourneyItem, hoverJourneyItem, moveActivity,
    closeEntry, resolveConflict, onFrame, resync, postContactEvent,
    focusDone: () => store.quietly({ focus: null }),
    overwriting: (kind) => Boolean(state.overwrite[kind]),
  };
}
