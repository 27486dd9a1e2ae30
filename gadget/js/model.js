/**
 * Rules about the data the views and actions share: how a customer is named,
 * how a contact pre-fills the customer form, what counts as an unsaved change.
 */

import { t } from './i18n.js';

export const TEXT_MAX = 2000; // R3: title and description.
export const TAG_MAX = 50; // R5.

export const CUSTOMER_FIELDS = [
  'first_name', 'last_name', 'emails', 'phones', 'street', 'postal_code', 'city', 'region',
  'country', 'preferred_language',
];
const LIST_FIELDS = new Set(['emails', 'phones']);

/** Name, else email, else phone, else the translated "Unknown customer". */
export function displayName(customer) {
  if (!customer) return t('customer.unknown');
  const name = [customer.first_name, customer.last_name].filter(Boolean).join(' ').trim();
  return name || customer.emails?.[0] || customer.phones?.[0] || t('customer.unknown');
}

/** Length as the service counts it: code points, not UTF-16 units. */
export function textLength(text) {
  return [...(text || '')].length;
}

export function clip(text, max) {
  const chars = [...(text || '')];
  return chars.length > max ? chars.slice(0, max).join('') : text;
}

/** A tag as the service stores it: inner whitespace collapsed, trimmed. */
export function normaliseTag(name) {
  return (name || '').split(/\s+/).filter(Boolean).join(' ');
}

export function sameTag(a, b) {
  return normaliseTag(a).toLocaleLowerCase() === normaliseTag(b).toLocaleLowerCase();
}

/** Who changed something: agents have plain ids, services are `role:name`. */
export function isAgentActor(actor) {
  return Boolean(actor) && !actor.includes(':');
}

const ACTORS = { 'system:auto-close': 'actor.autoClose', 'system:router': 'actor.router' };
const ACTOR_KINDS = { system: 'actor.system', key: 'actor.connector', connector: 'actor.connector', admin: 'actor.admin' };

/** Who changed something, in words: agents by id, services (`system:auto-close`) described. */
export function actorName(actor) {
  if (!actor || isAgentActor(actor)) return actor || '';
  const [kind, name] = actor.split(':');
  const key = ACTORS[actor] || ACTOR_KINDS[kind];
  return key ? t(key, { name }) : actor;
}

function splitList(text) {
  return (text || '').split(/[,;\n]/).map((item) => item.trim()).filter(Boolean);
}

/** Form strings for a customer (lists as comma-separated text), and a copy of `extra`. */
export function draftFromCustomer(customer) {
  const draft = { extra: { ...customer?.extra } };
  for (const field of CUSTOMER_FIELDS) {
    const value = customer?.[field];
    draft[field] = LIST_FIELDS.has(field) ? (value || []).join(', ') : value || '';
  }
  return draft;
}

/** `extra` with `key` set to `value`, or left out when undefined (custom fields, issue 14). */
export function withExtra(extra, key, value) {
  const copy = { ...extra };
  if (value === undefined) delete copy[key];
  else copy[key] = value;
  return copy;
}

/** The agent's `extra` edits (made against `base`) over `current`: others' keys survive. */
export function rebaseExtra(base, mine, current) {
  let extra = { ...current };
  for (const key of new Set([...Object.keys(base || {}), ...Object.keys(mine || {})])) {
    if (JSON.stringify(base?.[key]) !== JSON.stringify(mine?.[key])) extra = withExtra(extra, key, mine?.[key]);
  }
  return extra;
}

/** Same keys and values, in any order. */
export function sameExtra(a, b) {
  const text = (extra) => JSON.stringify(Object.entries(extra || {}).sort(([x], [y]) => x.localeCompare(y)));
  return text(a) === text(b);
}

/**
 * R7: an unknown contact pre-fills the form. The last word of the contact's
 * name is the last name, the rest the first name; the address is an email
 * when it has an @, else a phone number.
 */
export function draftFromContact(activity) {
  const draft = draftFromCustomer(null);
  const words = (activity?.customer_name || '').trim().split(/\s+/).filter(Boolean);
  if (words.length) {
    draft.last_name = words[words.length - 1];
    draft.first_name = words.slice(0, -1).join(' ');
  }
  const address = (activity?.from || '').trim();
  if (address.includes('@')) draft.emails = address;
  else if (address) draft.phones = address;
  return draft;
}

/** The API body for a form draft: lists split, blanks as null, `extra` as a whole. */
export function customerPayload(draft) {
  const body = { extra: draft.extra || {} };
  for (const field of CUSTOMER_FIELDS) {
    const value = draft[field] ?? '';
    body[field] = LIST_FIELDS.has(field) ? splitList(value) : value.trim() || null;
  }
  return body;
}

/** Only the fields the draft changed, compared with the customer as loaded. */
export function customerChanges(customer, draft) {
  const before = customerPayload(draftFromCustomer(customer));
  const after = customerPayload(draft);
  const changes = {};
  for (const field of CUSTOMER_FIELDS) {
    if (JSON.stringify(before[field]) !== JSON.stringify(after[field])) changes[field] = after[field];
  }
  if (!sameExtra(before.extra, after.extra)) changes.extra = after.extra;
  return changes;
}

/** The request's fields the draft changed (`extra` as a whole). */
export function requestChanges(request, draft) {
  const changes = {};
  for (const field of ['title', 'description']) {
    if (draft && draft[field] !== request[field]) changes[field] = draft[field];
  }
  if (draft?.extra && !sameExtra(draft.extra, request.extra)) changes.extra = draft.extra;
  return changes;
}

export function requestChanged(request, draft) {
  return Boolean(request && draft) && Object.keys(requestChanges(request, draft)).length > 0;
}

/** The agent's Open-list entry in the state, if any. */
export function selectedEntry(state) {
  return state.open.find((entry) => entry.id === state.selectedEntryId) || null;
}

export function entryName(entry) {
  return entry.customer ? displayName(entry.customer) : t('customer.unknown');
}

// A host's contact ids can be long (UUIDs); their end tells contacts apart.
const CONTACT_ID_SHOWN = 8;

/**
 * How an unknown caller's entry is told apart from another's: the name the contact gave
 * and the caller's address (an international phone number or email), else the contact's
 * own id. Empty for a known customer, whose name says it.
 */
export function entryContact(entry) {
  const contact = entry.activity;
  if (!contact) return '';
  // A known customer's address tells two of their contacts apart (a call and an email).
  if (entry.customer) return contact.caller || '';
  const given = joinParts([contact.customer_name, contact.caller]);
  if (given) return given;
  const id = String(contact.contact_id || '');
  if (!id) return '';
  const shown = id.length > CONTACT_ID_SHOWN ? `…${id.slice(-CONTACT_ID_SHOWN)}` : id;
  return t('lists.contactId', { id: shown });
}

export function mediaLabel(mediaType) {
  return mediaType ? t(`media.${mediaType}`) : '';
}

/** Open requests of the journey, newest first. */
/** Every open request of the customer, also those on pages not loaded yet (move targets). */
export function openRequests(journey) {
  return journey?.open_requests || (journey?.requests || []).filter((request) => request.status === 'open');
}

/**
 * The journey with its next page appended: a request cut by the page boundary comes again at
 * the top of the next page with the rest of its activities.
 */
export function mergeJourney(journey, page) {
  const requests = [...journey.requests];
  const [first, ...rest] = page.requests;
  const last = requests[requests.length - 1];
  if (first && last && first.id === last.id) {
    requests[requests.length - 1] = { ...first, activities: [...last.activities, ...first.activities] };
  } else if (first) {
    requests.push(first);
  }
  return { ...page, requests: [...requests, ...rest] };
}


/** Short facts on one line, with the catalogue's separator. */
export function joinParts(parts) {
  return parts.filter(Boolean).join(t('format.separator'));
}

// --- Care desktop (R13-R16) ---------------------------------------------------------------

/** Not Ready reasons the catalogues translate; any other reason is shown as it is. */
const KNOWN_REASONS = new Set(['break', 'lunch', 'meeting', 'training', 'missed_offer']);

export function reasonLabel(reason) {
  return KNOWN_REASONS.has(reason) ? t(`state.reason.${reason}`) : reason;
}

/** "Ready", "Not Ready" or "Not Ready – Missed offer". */
export function stateLabel(agentState) {
  if (agentState.state === 'ready') return t('state.ready');
  return agentState.reason
    ? t('state.notReadyReason', { reason: reasonLabel(agentState.reason) }) : t('state.notReady');
}

/** How a task's contact reached us: for an unknown customer their given name, and the address. */
export function taskContact(task) {
  return joinParts([!task.customer && task.contact?.customer_name, task.contact?.from]);
}

/**
 * Tasks of this media the agent may still take (R15). Counted from what the gadget
 * shows, In Progress and the pending offer, so it is never older than the lists.
 */
export function roomFor(state, media) {
  const limit = state.agentState?.capacity?.[media] ?? 0;
  const held = state.tasks.filter((task) => task.media_type === media).length
    + (state.offer?.task.media_type === media ? 1 : 0);
  return limit - held;
}

/** Media whose activities have messages: the chat transcript, the email (R16). */
export const TEXT_MEDIA = new Set(['chat', 'email']);

// The service's clock minus ours, learnt from offers (a deadline and the seconds left
// to it), so durations since a server timestamp are right on a desktop whose clock is off.
let skewMs = 0;

export function learnServerClock(serverIso, secondsLeft) {
  const deadline = Date.parse(serverIso);
  if (Number.isFinite(deadline) && Number.isFinite(secondsLeft)) {
    skewMs = deadline - (Date.now() + secondsLeft * 1000);
  }
}

export function serverNow() {
  return Date.now() + skewMs;
}

/** A random UUID, also where crypto.randomUUID is missing (plain http off localhost). */
export function uuid() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = [...bytes].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
