/**
 * R9: someone else changed what the agent is editing. Field by field: what they saved
 * (theirs) and what the agent has (yours), then Load theirs or Overwrite with yours.
 */

import { h } from '../dom.js';
import { formatDate, t } from '../i18n.js';
import { CUSTOMER_FIELDS, actorName, draftFromCustomer } from '../model.js';
import { extraText } from './fields.js';

const EXTRA = ['extra', 'merge.customFields'];
const FIELDS = {
  customer: [...CUSTOMER_FIELDS.map((field) => [field, `customer.${field}`]), EXTRA],
  request: [['title', 'request.title'], ['description', 'request.description'],
    ['status', 'request.statusLabel'], EXTRA],
};

export function conflictKey(conflict) {
  return conflict ? `${conflict.source}:${conflict.current?.version ?? conflict.changedAt}` : '';
}

/** A field's value as the form shows it (custom fields in one line, labelled by `defs`). */
function shown(kind, record, field, defs) {
  if (!record) return '';
  if (field === 'extra') return extraText(defs, kind, record.extra);
  if (kind === 'customer') return draftFromCustomer(record)[field] ?? '';
  if (field === 'status') return record.status ? t(`request.status.${record.status}`) : '';
  return record[field] ?? '';
}

function text(value) {
  if (Array.isArray(value)) return value.join(', ');
  return value === null || value === undefined ? '' : String(value);
}

/** The fields either side changed: [field, label, theirs, yours] (yours: null if unchanged). */
function changedFields(kind, conflict, defs) {
  const mine = conflict.mine || {};
  return (FIELDS[kind] || []).flatMap(([field, label]) => {
    const base = shown(kind, conflict.base, field, defs);
    const theirs = conflict.current ? shown(kind, conflict.current, field, defs) : null;
    const theirsChanged = theirs !== null && theirs !== base;
    if (!theirsChanged && !(field in mine)) return [];
    const yours = field in mine ? {
      status: () => t(`request.status.${mine.status}`),
      extra: () => extraText(defs, kind, mine.extra),
    }[field]?.() ?? text(mine[field]) : null;
    return [[field, label, theirs ?? base, yours]];
  });
}

export function conflictBanner(kind, state, actions) {
  const conflict = state.conflicts[kind];
  if (!conflict) return null;
  const rows = changedFields(kind, conflict, state.fieldDefs);
  return h('div', {
    class: 'cc-conflict', role: 'alert', data: { testid: `conflict-${kind}`, source: conflict.source },
  },
  h('p', {
    class: 'cc-conflict-text',
    text: t(`conflict.${kind}`, {
      who: actorName(conflict.changedBy) || t('conflict.someone'),
      when: formatDate(conflict.changedAt) || t('conflict.recently'),
    }),
  }),
  rows.length > 0 && h('table', { class: 'cc-diff', data: { testid: `diff-${kind}` } },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', text: t('conflict.field') }),
      h('th', { scope: 'col', text: t('conflict.theirs') }),
      h('th', { scope: 'col', text: t('conflict.yours') }))),
    h('tbody', {}, rows.map(([field, label, theirs, yours]) => h('tr', {
      data: { field, clash: yours !== null && yours !== theirs ? 'true' : null },
    },
    h('th', { scope: 'row', text: t(label) }),
    h('td', { data: { side: 'theirs' }, text: theirs || '–' }),
    h('td', { data: { side: 'yours' }, text: yours === null ? t('conflict.unchanged') : yours || '–' }))))),
  h('p', {
    class: 'cc-hint',
    text: t(conflict.source === 'save' ? 'conflict.saveHint' : 'conflict.pushHint'),
  }),
  h('div', { class: 'cc-actions' },
    h('button', {
      type: 'button', class: 'cc-primary', data: { action: 'conflict-load' },
      on: { click: () => actions.resolveConflict(kind, 'load') },
    }, t('conflict.load')),
    h('button', {
      type: 'button', data: { action: 'conflict-overwrite' },
      on: { click: () => actions.resolveConflict(kind, 'overwrite') },
    }, t('conflict.overwrite'))));
}
