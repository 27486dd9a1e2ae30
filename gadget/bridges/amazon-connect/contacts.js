/**
 * Amazon Connect contacts as Customer Context contact events.
 *
 * Uses the Contact API that amazon-connect-streams documents (Documentation.md): getContactId,
 * getType, getState, getQueue, getAttributes, getInitialConnection().getEndpoint(),
 * getCustomerEndpoint, getConnectSystemEndpoint, getOriginalContactId, getAgentConnection,
 * and the on* subscriptions. A contact's data can be gone by the time a late callback runs
 * (Amazon advises against keeping Contact objects), so every read is guarded and the last
 * description is kept for the `ended` event.
 */

const SOURCE = 'amazon-connect';

// Contact.getType() (connect.ContactType) -> the service's media types.
const MEDIA = { voice: 'voice', queue_callback: 'voice', chat: 'chat', task: 'task', email: 'email' };
// Contact.getState().type (connect.ContactStateType) a contact first seen in -> its event.
const SEEN_IN = {
  incoming: 'offered',
  pending: 'offered',
  connecting: 'offered',
  connected: 'accepted',
  missed: 'ended',
  rejected: 'ended',
  error: 'ended',
  ended: 'ended',
};
// The service's limits on an event's variables and addresses.
const VARIABLE_MAX = 100;
const NAME_MAX = 100;
const VALUE_MAX = 2000;
const ADDRESS_MAX = 320;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[\d\s().-]+$/;
// A flow may name the customer in this contact attribute (the README says so).
const NAME_ATTRIBUTE = 'customerName';

function read(fn) {
  try {
    return fn() ?? null;
  } catch {
    return null; // the contact or connection is gone
  }
}

function text(value) {
  return typeof value === 'string' || typeof value === 'number' ? String(value).trim() : '';
}

/** A phone number from an endpoint: Connect may give it as a SIP URI (sip:+1415...@host). */
function phoneOf(endpoint) {
  const raw = text(endpoint?.phoneNumber);
  const sip = /^sips?:([^@;]+)/i.exec(raw);
  return sip ? sip[1] : raw;
}

function isAddress(value) {
  if (EMAIL.test(value)) return true;
  const digits = value.replace(/\D/g, '').length;
  return PHONE.test(value) && digits >= 6 && digits <= 20;
}

/** Contact attributes ({key: {name, value}}) as call variables: string to string. */
function variablesOf(attributes) {
  const variables = {};
  for (const attribute of Object.values(attributes || {})) {
    if (Object.keys(variables).length >= VARIABLE_MAX) break;
    const name = text(attribute?.name);
    const value = text(attribute?.value);
    if (name && name.length <= NAME_MAX && value) variables[name] = value.slice(0, VALUE_MAX);
  }
  return variables;
}

/** What the service needs to know about a contact, or null for a supervisor's listen-in. */
function describe(contact) {
  const agentSide = read(() => contact.getAgentConnection()?.getType());
  if (agentSide === 'monitoring') return null;
  const attributes = read(() => contact.getAttributes()) || {};
  const variables = variablesOf(attributes);
  const queue = read(() => contact.getQueue());
  if (text(queue?.name) && Object.keys(variables).length < VARIABLE_MAX) {
    variables.queueName = text(queue.name).slice(0, VALUE_MAX);
  }
  const id = String(contact.getContactId());
  const original = text(read(() => contact.getOriginalContactId()));
  if (original && original !== id && Object.keys(variables).length < VARIABLE_MAX) {
    variables.initialContactId = original;
  }
  const caller = read(() => contact.getInitialConnection()?.getEndpoint());
  const customer = read(() => contact.getCustomerEndpoint());
  // The caller's number; else the customer endpoint's (email contacts name an address);
  // else the first attribute that is an email address or a phone number (chats, tasks).
  const from = [phoneOf(caller), phoneOf(customer), text(customer?.emailAddress),
    ...Object.values(variables).filter(isAddress)].find((value) => value && isAddress(value));
  const to = phoneOf(read(() => contact.getConnectSystemEndpoint()));
  const name = text(attributes[NAME_ATTRIBUTE]?.value) || text(customer?.name);
  return {
    id,
    media: MEDIA[read(() => contact.getType())] || 'event',
    from: from ? from.slice(0, ADDRESS_MAX) : null,
    to: to && isAddress(to) ? to.slice(0, ADDRESS_MAX) : null,
    name: name ? name.slice(0, VALUE_MAX) : null,
    variables,
  };
}

/** The event for a described contact; `at`: when its state began, if Connect says. */
function contactEvent(info, type, at) {
  const event = {
    event_id: `${info.id}:${type}`,
    source: SOURCE,
    contact_id: info.id,
    media_type: info.media,
    type,
    variables: info.variables,
  };
  if (info.from) event.from = info.from;
  if (info.to) event.to = info.to;
  if (info.name) event.customer_name = info.name;
  // The state's own time, not now: the same event sent again after a reload is identical.
  if (at instanceof Date && !Number.isNaN(at.getTime())) event.occurred_at = at.toISOString();
  return event;
}

/**
 * Follows one contact from `connect.contact(...)`: offered while it rings (onIncoming for
 * chats and callbacks, onConnecting for calls), accepted once connected, ended when it ends
 * or goes away. A contact already there when the page loaded (a reload mid-call) gets the
 * event of the state it is in. `send(event)` posts each event once.
 */
export function follow(contact, send) {
  let info = describe(contact);
  if (!info) return;
  const sent = new Set();

  function emit(type, { seenLate = false } = {}) {
    info = describe(contact) || info;
    if (sent.has(type)) return;
    if (type === 'ended' && !sent.size && !seenLate) return; // it never rang or was answered here
    sent.add(type);
    send(contactEvent(info, type, read(() => contact.getState()?.timestamp)));
  }

  // Seen only after the fact (after-call work when the page was reloaded): the end still
  // closes the activity if the service recorded the call before the reload.
  const seenIn = SEEN_IN[read(() => contact.getState()?.type)];
  if (seenIn) emit(seenIn, { seenLate: true });
  contact.onIncoming(() => emit('offered'));
  contact.onConnecting(() => emit('offered'));
  contact.onConnected(() => emit('accepted'));
  contact.onEnded(() => emit('ended'));
  contact.onMissed(() => emit('ended'));
  contact.onDestroy(() => emit('ended'));
}
