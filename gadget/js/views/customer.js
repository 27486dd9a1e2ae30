/** R7: the customer's name (a button that opens the form), the form, and Close (R8). */

import { h, renderOnce, uid, unrender, withAddress } from '../dom.js';
import { hasKey, t } from '../i18n.js';
import {
  CUSTOMER_FIELDS, displayName, joinParts, draftFromContact, draftFromCustomer, mediaLabel, selectedEntry,
} from '../model.js';
import { conflictBanner, conflictKey } from './conflict.js';
import { customFields, untypedExtra } from './fields.js';
import { presenceSlot } from './presence.js';

const WIDE_FIELDS = new Set(['emails', 'phones', 'street']);

export function renderCustomer(el, state, actions) {
  const entry = selectedEntry(state);
  if (!entry || state.detailLoading) {
    unrender(el);
    return;
  }
  const form = state.customerForm;
  const key = [
    entry.id, state.customer?.id, state.customer?.version, state.activity?.id,
    state.activity?.candidate_ids?.length, form.mode,
    form.collapsed, JSON.stringify(form.errors), conflictKey(state.conflicts.customer),
    state.fieldDefs.map((def) => `${def.id}.${def.version}`),
  ].join('|');
  renderOnce(el, key, () => build(state, actions));
  if (state.focus === 'customer-invalid') {
    actions.focusDone();
    el.querySelector('[aria-invalid="true"]')?.focus();
  }
}

function build(state, actions) {
  const { customer, activity, customerForm: form } = state;
  const formId = uid('customer-form');
  const open = form.mode !== 'closed' && !form.collapsed;
  const contact = joinParts([
    activity && mediaLabel(activity.media_type),
    !customer && activity?.customer_name,
    activity?.from,
  ]);
  const candidates = !customer && activity?.candidate_ids?.length > 1
    ? activity.candidate_ids.length : 0;

  return [
    h('div', { class: 'cc-customer-head' },
      h('h2', { class: 'cc-customer-title' },
        h('button', {
          type: 'button', class: 'cc-name-button', 'aria-expanded': String(open),
          'aria-controls': formId, data: { testid: 'customer-name', known: customer ? 'true' : 'false' },
          title: t(customer ? 'customer.openForm' : 'customer.openCreateForm'),
          on: { click: () => actions.toggleCustomerForm() },
        }, displayName(customer))),
      h('button', {
        type: 'button', class: 'cc-close-entry', data: { testid: 'close-entry', action: 'close-entry' },
        on: { click: () => actions.closeEntry() },
      }, t('close.button'))),
    customer && presenceSlot('presence'),
    contact && h('p', { class: 'cc-contact-line', data: { testid: 'contact-line' } },
      withAddress(contact, activity?.from)),
    !customer && h('p', { class: 'cc-hint', text: t('customer.unknownHint') }),
    !customer && !open && h('button', {
      type: 'button', class: 'cc-primary', data: { action: 'open-create-customer' },
      on: { click: () => actions.toggleCustomerForm() },
    }, t('customer.createButton')),
    candidates > 0 && h('p', {
      class: 'cc-hint', data: { testid: 'candidates' }, text: t('customer.candidates', { count: candidates }),
    }),
    candidates > 0 && h('button', {
      type: 'button', data: { action: 'merge-candidates' },
      on: { click: () => actions.mergeCustomers({ candidates: activity.candidate_ids }) },
    }, t('merge.candidates')),
    conflictBanner('customer', state, actions),
    customerForm(formId, open, state, actions),
  ];
}

function customerForm(formId, open, state, actions) {
  const { customer, activity, customerForm: form } = state;
  const mode = form.mode;
  const readOnly = mode === 'view' || mode === 'closed';
  const draft = state.customerDraft
    || (customer ? draftFromCustomer(customer) : draftFromContact(activity));
  const errors = form.errors || {};

  const fields = CUSTOMER_FIELDS.map((field) => {
    const id = uid(field);
    const hintId = uid(`${field}-hint`);
    const errorId = uid(`${field}-error`);
    // The service's words are English and name raw fields: the agent reads their own.
    const message = errors[field] ? t(hasKey(`customer.invalid.${field}`) ? `customer.invalid.${field}` : 'customer.invalid') : '';
    const hint = field === 'emails' || field === 'phones' ? t('customer.listHint') : null;
    return h('div', { class: `cc-field${WIDE_FIELDS.has(field) ? ' cc-field-wide' : ''}` },
      h('label', { for: id, text: t(`customer.${field}`) }),
      h('input', {
        id, name: field, value: draft[field], readOnly,
        type: 'text',
        autocomplete: 'off', maxLength: field === 'preferred_language' ? 35 : 2000,
        'aria-invalid': message ? 'true' : null,
        'aria-describedby': [hint && hintId, message && errorId].filter(Boolean).join(' ') || null,
        data: { field, testid: `customer-${field}` },
        on: { input: (event) => actions.setCustomerDraft(field, event.target.value) },
      }),
      hint && !readOnly && h('p', { id: hintId, class: 'cc-hint', text: hint }),
      message && h('p', { id: errorId, class: 'cc-error', data: { errorFor: field }, text: message }));
  });

  fields.push(...customFields(state.fieldDefs, 'customer', {
    values: draft.extra, errors, readOnly, onChange: (key, value) => actions.setExtra('customer', key, value),
  }));
  const extra = untypedExtra(state.fieldDefs, 'customer', customer?.extra);
  const buttons = {
    view: [h('button', {
      type: 'button', class: 'cc-primary', data: { action: 'edit-customer' },
      on: { click: () => actions.editCustomer() },
    }, t('action.edit')), h('button', {
      type: 'button', data: { action: 'merge-customer' },
      on: { click: () => actions.mergeCustomers({}) },
    }, t('merge.button'))],
    edit: [
      h('button', { type: 'submit', class: 'cc-primary', data: { action: 'save-customer' } },
        t('action.save')),
      h('button', {
        type: 'button', data: { action: 'cancel-customer' },
        on: { click: () => actions.cancelCustomer() },
      }, t('action.cancel')),
    ],
    create: [h('button', { type: 'submit', class: 'cc-primary', data: { action: 'create-customer' } },
      t('action.create'))],
    closed: [],
  }[mode];

  return h('form', {
    id: formId, class: 'cc-customer-form', hidden: !open, novalidate: true,
    'aria-label': t(mode === 'create' ? 'customer.createTitle' : 'customer.formTitle'),
    data: { testid: 'customer-form', mode },
    on: {
      submit: (event) => {
        event.preventDefault();
        if (mode === 'edit') actions.saveCustomer();
        else if (mode === 'create') actions.createCustomer();
      },
    },
  },
  mode === 'create' && h('p', { class: 'cc-hint', text: t('customer.createHint') }),
  mode === 'edit' && presenceSlot('presence-warning'),
  h('div', { class: 'cc-fields' }, fields),
  extra.length > 0 && h('dl', { class: 'cc-extra', data: { testid: 'customer-extra' } },
    extra.flatMap(([name, value]) => [
      h('dt', { text: name }),
      h('dd', { text: value === null ? '' : String(value) }),
    ])),
  h('div', { class: 'cc-actions' }, buttons));
}
