/** The customer and request forms: drafts, saving, creating, and unsaved changes (R7, R8, R12). */

import { etagOf } from '../api.js';
import { t } from '../i18n.js';
import {
  customerChanges, customerPayload, draftFromContact, draftFromCustomer, displayName,
  requestChanged, requestChanges, selectedEntry, withExtra,
} from '../model.js';
import { PATHS, without } from './shared.js';

export function installForms(ctx) {
  const { store, api, dialogs, state } = ctx;

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
      conflicts: without(state.conflicts, 'customer'),
    });
  }

  function setCustomerDraft(field, value) {
    const base = state.customerDraft
      || (state.customer ? draftFromCustomer(state.customer) : draftFromContact(state.activity));
    store.quietly({ customerDraft: { ...base, [field]: value } });
  }

  /** A custom field's typed value (undefined: none) in the customer or request draft. */
  function setExtra(kind, key, value) {
    if (kind === 'request') {
      const base = state.requestDraft || requestBase();
      if (base) store.quietly({ requestDraft: { ...base, extra: withExtra(base.extra, key, value) } });
      return;
    }
    const extra = (state.customerDraft || draftFromCustomer(state.customer)).extra;
    setCustomerDraft('extra', withExtra(extra, key, value));
  }

  /** The custom field definitions (issue 14); without them `extra` shows untyped. */
  async function loadFields() {
    try {
      store.set({ fieldDefs: await api.get('api/v1/fields') });
    } catch (error) {
      ctx.report(error);
    }
  }

  /**
   * Save the fields the agent changed (only those: another agent's other changes survive).
   * `body` and `version`: an overwrite after a conflict, over the version now current.
   */
  async function saveCustomer({ body, version } = {}) {
    const customer = state.customer;
    if (!customer) return false;
    const payload = body || customerChanges(customer, state.customerDraft || draftFromCustomer(customer));
    if (!Object.keys(payload).length) {
      store.set({ customerForm: { mode: 'view', errors: null }, customerDraft: null });
      return true;
    }
    if (!body && !(await ctx.clearToSave('customer', payload))) return false;
    try {
      const updated = await api.patch(PATHS.customer(customer.id), payload, {
        ifMatch: etagOf(version ?? customer.version),
      });
      store.set({
        customer: updated,
        journey: state.journey ? { ...state.journey, customer: updated } : null,
        customerForm: { mode: 'view', errors: null },
        customerDraft: null,
        conflicts: without(state.conflicts, 'customer'),
      });
      ctx.notify('info', 'customer.saved');
      ctx.reloadListsSoon();
      return true;
    } catch (error) {
      return ctx.failedSave('customer', error, payload);
    }
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
      ctx.upsertOpen({ ...entry, customer_id: customer.id, customer });
      store.set({ customerDraft: null, customerForm: { mode: 'view', errors: null } });
      ctx.notify('info', 'customer.created', { name: displayName(customer) });
      await ctx.loadDetail({ keepForm: true });
      ctx.reloadListsSoon();
      return true;
    } catch (error) {
      if (error.status === 422 && error.errors) {
        store.set({
          customerForm: { mode: 'create', errors: error.errors }, customerDraft: draft,
          focus: 'customer-invalid',
        });
        ctx.notify('error', 'customer.checkFields');
      } else {
        ctx.report(error);
      }
      return false;
    }
  }

  // --- request (R3, R12) ------------------------------------------------------------------

  function requestBase() {
    const { request } = state;
    return request && { title: request.title, description: request.description, extra: { ...request.extra } };
  }

  function setRequestDraft(field, value) {
    const base = state.requestDraft || requestBase();
    if (base) store.quietly({ requestDraft: { ...base, [field]: value } });
  }

  function revertRequest() {
    store.set({ requestDraft: null, requestErrors: null, conflicts: without(state.conflicts, 'request') });
  }

  /** Like saveCustomer: the changed fields, over the version shown or `version`. */
  async function saveRequest({ body, version } = {}) {
    const request = state.request;
    if (!request) return false;
    const payload = body || requestChanges(request, state.requestDraft);
    if (!Object.keys(payload).length) return true;
    if (!body && !(await ctx.clearToSave('request', payload))) return false;
    try {
      const updated = await api.patch(PATHS.request(request.id), payload, {
        ifMatch: etagOf(version ?? request.version),
      });
      store.set({
        request: updated,
        requestDraft: null,
        requestErrors: null,
        conflicts: without(state.conflicts, 'request'),
      });
      ctx.notify('info', 'request.saved');
      ctx.reloadJourneySoon();
      return true;
    } catch (error) {
      return ctx.failedSave('request', error, payload);
    }
  }

  async function setRequestStatus(status, { version } = {}) {
    const request = state.request;
    if (!request || requestDirty()) {
      if (requestDirty()) ctx.notify('error', 'request.saveFirst');
      return;
    }
    try {
      const updated = await api.patch(PATHS.request(request.id), { status }, {
        ifMatch: etagOf(version ?? request.version),
      });
      store.set({
        request: updated,
        conflicts: without(state.conflicts, 'request'),
      });
      ctx.reloadJourneySoon();
    } catch (error) {
      ctx.failedSave('request', error, { status });
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
      ctx.notify('info', 'request.added');
      ctx.reloadJourneySoon();
    } catch (error) {
      ctx.report(error);
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
      ctx.report(error);
    }
  }

  return {
    customerDirty, requestDirty, hasUnsaved, typing, discardAll, settleUnsaved,
    toggleCustomerForm, editCustomer, cancelCustomer, setCustomerDraft, setExtra, loadFields, saveCustomer,
    createCustomer, setRequestDraft, revertRequest, saveRequest, setRequestStatus, addRequest,
    editRequest,
  };
}
