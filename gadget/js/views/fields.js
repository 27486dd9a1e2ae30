/**
 * Issue 14: typed custom fields (GET /api/v1/fields) in the customer and request forms.
 * Each definition names a key of the record's `extra`; it gets the input its type calls
 * for, its label in the agent's language, and the service's 422 for `extra.<key>` under it.
 * Keys no definition names are shown as before, untyped.
 */

import { h, uid } from '../dom.js';
import { locale, t } from '../i18n.js';
import { TEXT_MAX, joinParts } from '../model.js';

/** The definitions of one entity (customer or request). */
export function definitionsOf(defs, entity) {
  return (defs || []).filter((def) => def.entity === entity);
}

/** The label in the agent's language, else its base language, English, any, the key. */
export function labelOf(def) {
  const labels = def.labels || {};
  const lang = locale();
  return labels[lang] || labels[lang.split('-')[0]] || labels.en || Object.values(labels)[0] || def.key;
}

/** A value as the read-only views say it. */
function valueText(def, value) {
  if (value === null || value === undefined || value === '') return '';
  if (def?.type === 'boolean') return t(value ? 'fields.yes' : 'fields.no');
  return String(value);
}

/** `extra` in one line, labelled (the merge dialog compares it as one value). */
export function extraText(defs, entity, extra) {
  const byKey = new Map(definitionsOf(defs, entity).map((def) => [def.key, def]));
  return joinParts(Object.entries(extra || {}).sort(([a], [b]) => a.localeCompare(b))
    .filter(([, value]) => value !== null && value !== '')
    .map(([key, value]) => {
      const def = byKey.get(key);
      return `${def ? labelOf(def) : key}: ${valueText(def, value)}`;
    }));
}

/** [key, value] of `extra` that no definition types: shown as they always were. */
export function untypedExtra(defs, entity, extra) {
  const typed = new Set(definitionsOf(defs, entity).map((def) => def.key));
  return Object.entries(extra || {}).filter(([key]) => !typed.has(key));
}

/** A form value in the field's type; undefined for none (the key is left out of `extra`). */
export function fieldValue(def, raw) {
  if (def.type === 'boolean') return raw;
  if (raw === '') return undefined;
  if (def.type === 'number') {
    const number = Number(raw);
    return Number.isFinite(number) ? number : raw; // the service names what is wrong
  }
  return raw;
}

/** The service's words are English: the agent reads their own. */
function errorText(def, messages) {
  if (!messages) return '';
  if (messages.includes('Required.')) return t('fields.required');
  if (def.type === 'string') return t('fields.tooLong', { max: def.max_length || TEXT_MAX });
  return t('customer.invalid');
}

function control(def, value, readOnly, props) {
  const on = (read) => ({ [def.type === 'string' ? 'input' : 'change']: (event) => props.onChange(read(event.target)) });
  const common = { ...props.attrs, disabled: readOnly && (def.type === 'boolean' || def.type === 'choice') };
  if (def.type === 'boolean') {
    return h('input', { ...common, type: 'checkbox', checked: value === true, on: on((el) => el.checked) });
  }
  if (def.type === 'choice') {
    return h('select', { ...common, on: on((el) => el.value) },
      h('option', { value: '', text: '' }),
      def.options.map((option) => h('option', { value: option, selected: option === value, text: option })));
  }
  const type = { number: 'number', date: 'date' }[def.type] || 'text';
  return h('input', {
    ...common, type, readOnly, autocomplete: 'off', step: type === 'number' ? 'any' : null,
    value: value === null || value === undefined ? '' : String(value),
    maxLength: def.type === 'string' ? def.max_length || TEXT_MAX : null,
    on: on((el) => el.value),
  });
}

/**
 * The entity's custom fields as form fields: `values` is the record's (or draft's) `extra`,
 * `errors` the 422's field errors, `onChange(key, value)` gets typed values.
 */
export function customFields(defs, entity, { values, errors, readOnly, onChange }) {
  return definitionsOf(defs, entity).map((def) => {
    const id = uid(`extra-${def.key}`);
    const errorId = uid(`extra-${def.key}-error`);
    const message = errorText(def, errors?.[`extra.${def.key}`]);
    const input = control(def, values?.[def.key], readOnly, {
      attrs: {
        id, name: `extra.${def.key}`, required: def.required,
        'aria-invalid': message ? 'true' : null, 'aria-describedby': message ? errorId : null,
        data: { field: `extra.${def.key}`, testid: `${entity}-extra-${def.key}` },
      },
      onChange: (raw) => onChange(def.key, fieldValue(def, raw)),
    });
    const label = h('label', { for: id, text: labelOf(def) });
    return h('div', { class: `cc-field${def.type === 'boolean' ? ' cc-field-check' : ''}`, data: { type: def.type } },
      def.type === 'boolean' ? [input, label] : [label, input],
      message && h('p', { id: errorId, class: 'cc-error', data: { errorFor: `extra.${def.key}` }, text: message }));
  });
}
