/** R3, R12: the request being worked on: status, dates, title and description. */

import { h, mount, renderOnce, uid, unrender } from '../dom.js';
import { formatDate, formatNumber, t } from '../i18n.js';
import { TEXT_MAX, actorName, clip, joinParts, selectedEntry, textLength } from '../model.js';
import { conflictBanner, conflictKey } from './conflict.js';
import { customFields } from './fields.js';

const FIELDS = ['title', 'description'];

export function renderRequest(el, state, actions) {
  const entry = selectedEntry(state);
  if (!entry || state.detailLoading) {
    unrender(el);
    return;
  }
  const { request } = state;
  const key = [entry.id, request?.id, request?.status, state.customer?.id,
    conflictKey(state.conflicts.request), state.fieldDefs.map((def) => `${def.id}.${def.version}`)].join('|');
  renderOnce(el, key, () => build(state, actions));
  if (request) update(el, state, actions);
}

function build(state, actions) {
  const { request, customer } = state;
  const heading = h('h2', { class: 'cc-section-title', text: t('request.heading') });
  const addButton = h('button', {
    type: 'button', data: { action: 'add-request', testid: 'add-request' },
    disabled: !customer, title: customer ? null : t('request.addNeedsCustomer'),
    on: { click: () => actions.addRequest() },
  }, t('request.add'));
  if (!request) {
    return [
      h('div', { class: 'cc-section-head' }, heading, addButton),
      h('p', { class: 'cc-empty', data: { testid: 'no-request' }, text: t('request.none') }),
    ];
  }
  const closed = request.status !== 'open';
  const infoId = uid('request-info');
  const info = h('div', { id: infoId, class: 'cc-request-info', hidden: true, data: { part: 'info', testid: 'request-info' } });
  const statusButton = h('button', {
    type: 'button', class: 'cc-status-button', 'aria-expanded': 'false', 'aria-controls': infoId,
    data: { testid: 'request-status', status: request.status, part: 'status' },
    on: {
      click: () => {
        info.hidden = !info.hidden;
        statusButton.setAttribute('aria-expanded', String(!info.hidden));
      },
    },
  });

  const fields = FIELDS.map((field) => {
    const id = uid(field);
    const counterId = uid(`${field}-counter`);
    const limitId = uid(`${field}-limit`);
    const control = h(field === 'title' ? 'input' : 'textarea', {
      id, name: field, maxLength: TEXT_MAX, readOnly: closed, rows: field === 'title' ? null : 4,
      type: field === 'title' ? 'text' : null, autocomplete: 'off',
      'aria-describedby': `${counterId} ${limitId}`,
      data: { testid: `request-${field}`, part: field },
      on: {
        beforeinput: (event) => refuseOverLimit(event, event.target.closest('[data-request-root]')),
        input: (event) => {
          const value = clip(event.target.value, TEXT_MAX);
          if (value !== event.target.value) event.target.value = value;
          actions.setRequestDraft(field, value);
          refreshField(event.target.closest('[data-request-root]'), field, actions, false);
        },
      },
    });
    return h('div', { class: 'cc-field cc-field-wide' },
      h('label', { for: id, text: t(`request.${field}`) }),
      control,
      h('div', { class: 'cc-field-foot' },
        h('span', {
          id: limitId, class: 'cc-limit', role: 'status', data: { testid: `${field}-limit`, part: `${field}-limit` },
        }),
        h('span', {
          id: counterId, class: 'cc-counter', data: { testid: `${field}-counter`, part: `${field}-counter` },
        })));
  });

  return h('div', { data: { requestRoot: String(request.id) } },
    h('div', { class: 'cc-section-head' }, heading, addButton),
    conflictBanner('request', state, actions),
    h('div', { class: 'cc-request-head' }, statusButton, h('button', {
      type: 'button', data: { action: closed ? 'reopen-request' : 'close-request', part: 'status-action' },
      disabled: closed && !customer,
      on: { click: () => actions.setRequestStatus(closed ? 'open' : 'closed') },
    }, t(closed ? 'request.reopenRequest' : 'request.closeRequest'))),
    info,
    closed && h('p', { class: 'cc-hint', text: t('request.closedReadOnly') }),
    h('form', {
      class: 'cc-request-form', novalidate: true,
      on: {
        submit: (event) => {
          event.preventDefault();
          actions.saveRequest();
        },
      },
    },
    fields,
    h('div', { class: 'cc-fields', data: { part: 'extra' } }),
    !closed && h('div', { class: 'cc-actions' },
      h('button', { type: 'submit', class: 'cc-primary', data: { action: 'save-request', part: 'save' } },
        t('action.save')),
      h('button', {
        type: 'button', data: { action: 'revert-request', part: 'revert' },
        on: { click: () => actions.revertRequest() },
      }, t('action.revert')))));
}

/** The limit explains itself when the agent tries to type or paste past it. */
function refuseOverLimit(event, root) {
  if (!event.inputType.startsWith('insert')) return;
  const target = event.target;
  const selected = target.selectionEnd - target.selectionStart;
  const adding = event.data ? event.data.length : 0;
  if (target.value.length - selected + adding > TEXT_MAX || target.value.length >= TEXT_MAX) {
    showLimit(root, target.name, true);
  }
}

function showLimit(root, field, on) {
  const limit = root?.querySelector(`[data-part="${field}-limit"]`);
  if (!limit) return;
  limit.textContent = on ? t('request.limit', { max: formatNumber(TEXT_MAX) }) : '';
  limit.dataset.active = on ? 'true' : 'false';
}

function refreshField(root, field, actions, fromState) {
  if (!root) return;
  const control = root.querySelector(`[data-part="${field}"]`);
  const length = textLength(control.value);
  root.querySelector(`[data-part="${field}-counter"]`).textContent = t('request.counter', {
    count: formatNumber(length), max: formatNumber(TEXT_MAX),
  });
  if (length >= TEXT_MAX) showLimit(root, field, true);
  else if (!fromState) showLimit(root, field, false);
  else if (length < TEXT_MAX) showLimit(root, field, false);
  const save = root.querySelector('[data-part="save"]');
  if (save) {
    const dirty = actions.requestDirty();
    save.disabled = !dirty;
    root.querySelector('[data-part="revert"]').disabled = !dirty;
  }
}

function update(el, state, actions) {
  const root = el.querySelector('[data-request-root]');
  if (!root) return;
  const { request } = state;
  const draft = state.requestDraft;
  for (const field of FIELDS) {
    const control = root.querySelector(`[data-part="${field}"]`);
    const value = draft ? draft[field] : request[field];
    if (control.value !== value) control.value = value;
    refreshField(root, field, actions, true);
  }
  // Custom fields: built again when the request, the draft's presence or the errors change.
  const errors = state.requestErrors;
  renderOnce(root.querySelector('[data-part="extra"]'), [request.version, !draft, JSON.stringify(errors)].join('|'),
    () => customFields(state.fieldDefs, 'request', {
      values: (draft || request).extra, errors, readOnly: request.status !== 'open',
      onChange: (key, value) => {
        actions.setExtra('request', key, value);
        refreshField(root, 'title', actions, false);
      },
    }));
  if (state.focus === 'request-invalid') {
    actions.focusDone();
    root.querySelector('[aria-invalid="true"]')?.focus();
  }
  const status = root.querySelector('[data-part="status"]');
  status.dataset.status = request.status;
  mount(status,
    h('span', { class: 'cc-status-icon', 'aria-hidden': 'true', data: { status: request.status } }),
    h('span', { class: 'cc-status-text', text: t(`request.status.${request.status}`) }),
    h('span', { class: 'cc-status-dates' },
      h('span', { data: { testid: 'request-created' }, text: t('request.created', { when: formatDate(request.created_at, 'date') }) }),
      request.closed_at && h('span', {
        data: { testid: 'request-closed' }, text: t('request.closedOn', { when: formatDate(request.closed_at, 'date') }),
      })));
  const info = root.querySelector('[data-part="info"]');
  mount(info,
    h('dl', { class: 'cc-facts' },
      h('dt', { text: t('request.number') }), h('dd', { text: t('request.numberValue', { id: request.id }) }),
      h('dt', { text: t('request.statusLabel') }), h('dd', { text: t(`request.status.${request.status}`) }),
      h('dt', { text: t('request.createdLabel') }), h('dd', { text: formatDate(request.created_at) }),
      request.closed_at && h('dt', { text: t('request.closedLabel') }),
      request.closed_at && h('dd', {
        text: joinParts([formatDate(request.closed_at),
          request.closed_reason && t(`request.closedReason.${request.closed_reason}`)]),
      }),
      request.updated_by && h('dt', { text: t('request.updatedBy') }),
      request.updated_by && h('dd', { text: joinParts([actorName(request.updated_by), formatDate(request.updated_at)]) })));
  if (state.focus === 'request-title') {
    actions.focusDone();
    root.querySelector('[data-part="title"]').focus();
  }
}
