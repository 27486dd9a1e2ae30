/**
 * Issue 14: the merge dialog. Both customers side by side, field by field; where both have
 * a value and they differ, the agent picks whose survives (the survivor's is preselected).
 * Loaded by a dynamic import on first use: most visits never merge.
 */

import { h, uid } from '../dom.js';
import { t } from '../i18n.js';
import { CUSTOMER_FIELDS, displayName, draftFromCustomer, joinParts } from '../model.js';
import { extraText } from './fields.js';

// The fields the service merges by choice; emails and phones are always kept from both.
const CHOSEN = CUSTOMER_FIELDS.filter((field) => field !== 'emails' && field !== 'phones');

/** [field, label, survivor's text, other's text] for every field either side has. */
function rows(survivor, other, defs) {
  const mine = draftFromCustomer(survivor);
  const theirs = draftFromCustomer(other);
  const shown = CHOSEN.map((field) => [field, t(`customer.${field}`), mine[field], theirs[field]]);
  shown.push(['extra', t('merge.customFields'), extraText(defs, 'customer', survivor.extra),
    extraText(defs, 'customer', other.extra)]);
  return shown.filter(([, , a, b]) => a || b);
}

function cell(field, side, value, choice) {
  if (!choice) return h('td', { data: { side }, text: value || '–' });
  const id = uid(`merge-${field}`);
  return h('td', { data: { side } },
    h('input', {
      type: 'radio', id, name: field, value: side, checked: side === 'survivor',
      data: { testid: `merge-${field}-${side}` },
    }),
    h('label', { for: id, text: value }));
}

/**
 * Ask which values survive the merge of `other` into `survivor`. Resolves with the
 * `fields` choices for the API, or null when the agent cancelled.
 */
export async function askMerge(dialogs, survivor, other, defs) {
  const labelId = uid('dialog-title');
  const names = { survivor: displayName(survivor), other: displayName(other) };
  const table = h('table', { class: 'cc-diff cc-merge', data: { testid: 'merge-fields' } },
    h('thead', {}, h('tr', {},
      h('th', { scope: 'col', text: t('conflict.field') }),
      h('th', { scope: 'col', text: t('merge.keeps', { name: names.survivor }) }),
      h('th', { scope: 'col', text: t('merge.goes', { name: names.other }) }))),
    h('tbody', {}, rows(survivor, other, defs).map(([field, label, a, b]) => {
      const choice = Boolean(a && b && a !== b);
      return h('tr', { data: { field, clash: choice ? 'true' : null } },
        h('th', { scope: 'row', text: label }),
        cell(field, 'survivor', a, choice),
        cell(field, 'other', b, choice));
    })));
  const both = joinParts([...survivor.emails, ...other.emails, ...survivor.phones, ...other.phones]);
  const content = h('form', { method: 'dialog', class: 'cc-dialog-body', data: { testid: 'merge-dialog' } },
    h('h2', { id: labelId, text: t('merge.title') }),
    h('p', { text: t('merge.explain', names) }),
    table,
    both && h('p', { class: 'cc-hint', text: t('merge.bothKept', { list: both }) }),
    h('div', { class: 'cc-actions' },
      h('button', { value: 'merge', class: 'cc-primary', data: { action: 'dialog-merge' } },
        t('merge.confirm')),
      h('button', { value: 'cancel', data: { action: 'dialog-cancel' } }, t('action.cancel'))));
  if (await dialogs.show(content, labelId, '.cc-primary') !== 'merge') return null;
  const fields = {};
  for (const input of content.querySelectorAll('input[type="radio"]:checked')) {
    fields[input.name] = input.value;
  }
  return fields;
}
