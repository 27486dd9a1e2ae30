/**
 * A demo host desktop: signs the demo agent in, hands the token to the gadget
 * iframe with `cc:init`, and brings in calls, chats and emails with `cc:contact`
 * exactly as a real host page would (see js/hosts/postmessage.js).
 *
 * Its Care desktop section plays a connector instead: it queues contacts for the
 * service to route (the gadget offers them), and lets you chat as the customer.
 */

const SERVICE_BASE = new URL('../../', import.meta.url);
const frame = document.getElementById('gadget');
const status = document.querySelector('[data-testid="demo-status"]');
const activeList = document.querySelector('[data-testid="demo-active"]');
const emptyHint = document.querySelector('[data-empty]');
const log = document.querySelector('[data-testid="demo-log"]');
const form = document.querySelector('[data-testid="demo-signin"]');
const localeSelect = document.getElementById('locale');
const queuedList = document.querySelector('[data-testid="demo-queued"]');
const queuedEmpty = document.querySelector('[data-queued-empty]');
const queueName = document.getElementById('queue-name');
// The published demo connector key (`context-service seed-demo`, which `make run` runs).
const CONNECTOR_TOKEN = 'cct_demo-connector-token';
const POLL_MS = 1000;
const DEMO_TITLE = document.title;

let token = null;
let agentId = null;
let gadgetReady = false;
const active = new Map(); // contact id -> contact event base
const queued = new Map(); // contact id -> {contact, activityId, el, log, timer}

const KNOWN = {
  ada: {
    media_type: 'voice', from: '+1 415 555 0100', to: '1000', label: 'Call from Ada Lovelace',
    name: 'Ada Lovelace',
  },
  grace: {
    media_type: 'email', from: 'grace.hopper@example.com', to: 'support@example.com',
    label: 'Email from Grace Hopper', name: 'Grace Hopper',
    subject: 'Router keeps rebooting',
    body: 'Hello,\n\nmy router rebooted three times this morning, even after the firmware '
      + 'update you sent.\nCould someone call me back?\n\nThanks,\nGrace',
  },
  alan: {
    media_type: 'chat', from: '+1 415 555 0199', to: 'web-chat', label: 'Chat from Alan Turing',
    name: 'Alan Turing', body: 'Hello! My order has not arrived yet. Can you check it?',
  },
};
// What an unknown customer writes first, when the contact is queued.
const FIRST_TEXT = {
  chat: { body: 'Hi, I have a question about my contract.' },
  email: {
    subject: 'Question about my invoice',
    body: 'Hello,\n\nI was charged twice this month.\nCould you please check?\n\nBest regards',
  },
};
const UNKNOWN_NAMES = ['Jamie Rivera', 'Sam Okafor', 'Noor Haddad', 'Lena Berg', 'Mateo Silva'];

function setStatus(text) {
  status.textContent = text;
}

function uniqueId() {
  if (window.crypto?.randomUUID) return window.crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

function random(list) {
  return list[Math.floor(Math.random() * list.length)];
}

function digits(count) {
  return Array.from({ length: count }, () => Math.floor(Math.random() * 10)).join('');
}

function unknownContact(media) {
  const name = random(UNKNOWN_NAMES);
  const [first, last] = name.toLowerCase().split(' ');
  const address = media === 'email'
    ? `${first}.${last}.${digits(4)}@example.net`
    : `+1 312 555 ${digits(4)}`;
  const to = { voice: '1000', chat: 'web-chat', email: 'support@example.com' }[media];
  const label = { voice: 'Call', chat: 'Chat', email: 'Email' }[media];
  return {
    media_type: media, from: address, to, customer_name: name, label: `${label} from ${name}`,
    ...FIRST_TEXT[media],
  };
}

function addLog(text) {
  const item = document.createElement('li');
  item.textContent = text;
  log.prepend(item);
}

function sendToGadget(message) {
  frame.contentWindow.postMessage(message, window.location.origin);
}

function sendInit() {
  if (!gadgetReady || !token) return;
  // "Browser default" is said too: a gadget switched to German switches back.
  const message = { type: 'cc:init', token, locale: localeSelect.value || navigator.language };
  sendToGadget(message);
}

async function signIn() {
  const data = new FormData(form);
  setStatus('Signing in…');
  try {
    const response = await fetch(new URL('api/v1/auth/login', SERVICE_BASE), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ agent_id: data.get('agent_id'), password: data.get('password') }),
    });
    const body = await response.json();
    if (!response.ok) throw new Error(body.detail || response.statusText);
    token = body.token;
    agentId = String(data.get('agent_id'));
    setStatus(`Signed in as ${agentId}`);
    sendInit();
  } catch (error) {
    token = null;
    setStatus(`Sign-in failed: ${error.message}`);
  }
}

function renderActive() {
  activeList.replaceChildren(...[...active.entries()].map(([contactId, contact]) => {
    const item = document.createElement('li');
    item.dataset.contactId = contactId;
    const label = document.createElement('span');
    label.textContent = contact.label;
    const end = document.createElement('button');
    end.type = 'button';
    end.textContent = 'End';
    end.setAttribute('aria-label', `End: ${contact.label}`);
    end.dataset.action = 'end-contact';
    end.addEventListener('click', () => endContact(contactId));
    item.append(label, end);
    return item;
  }));
  emptyHint.hidden = active.size > 0;
}

function contactEvent(contactId, contact, type) {
  const event = {
    event_id: `${contactId}:${type}`,
    source: 'demo-desktop',
    contact_id: contactId,
    media_type: contact.media_type,
    type,
    from: contact.from,
    to: contact.to,
    variables: { callVariable1: contact.label },
    occurred_at: new Date().toISOString(),
  };
  if (contact.customer_name) event.customer_name = contact.customer_name;
  return event;
}

// /?agent=demo2: the second demo agent (`seed-demo`), to try concurrent edits in two windows.
const SECOND_AGENT = { id: 'demo2', password: 'demo2-password' };
if (new URLSearchParams(window.location.search).get('agent') === SECOND_AGENT.id) {
  form.elements.agent_id.value = SECOND_AGENT.id;
  form.elements.password.value = SECOND_AGENT.password;
}

function bringIn(kind) {
  if (!token || !gadgetReady) {
    setStatus('Sign in first (the gadget needs a token).');
    return;
  }
  const contact = KNOWN[kind] || unknownContact(kind.replace('unknown-', ''));
  const contactId = `demo-${uniqueId()}`;
  active.set(contactId, contact);
  renderActive();
  const event = contactEvent(contactId, contact, 'accepted');
  // The host has the email's or chat's text: the gadget shows it.
  const text = contact.body ? contact : FIRST_TEXT[contact.media_type];
  if (text?.body) Object.assign(event, { body: text.body, subject: text.subject });
  sendToGadget({ type: 'cc:contact', event });
}

function endContact(contactId) {
  const contact = active.get(contactId);
  if (!contact) return;
  active.delete(contactId);
  renderActive();
  sendToGadget({ type: 'cc:contact', event: contactEvent(contactId, contact, 'ended') });
}

// --- Care desktop: queue contacts and chat as the customer, as a connector would -------------

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children);
  return node;
}

async function asConnector(method, path, body) {
  const headers = { Accept: 'application/json', Authorization: `Bearer ${CONNECTOR_TOKEN}` };
  if (body) headers['Content-Type'] = 'application/json';
  const response = await fetch(new URL(path, SERVICE_BASE), {
    method, headers, body: body ? JSON.stringify(body) : undefined, cache: 'no-store',
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(data?.detail || data?.title || `HTTP ${response.status}`);
  return data;
}

async function queueContact(kind) {
  const contact = KNOWN[kind] || unknownContact(kind.replace('unknown-', ''));
  const contactId = `demo-${uniqueId()}`;
  const event = { ...contactEvent(contactId, contact, 'queued'), queue: queueName.value.trim() || 'support' };
  if (contact.subject) event.subject = contact.subject;
  if (contact.body) event.body = contact.body;
  try {
    const answer = await asConnector('POST', 'api/v1/contact-events', event);
    const item = { contact, activityId: answer.activity.id, timer: null };
    item.el = queuedItem(contactId, item);
    queued.set(contactId, item);
    renderQueued();
    setStatus(`Queued: ${contact.label}`);
    if (contact.media_type === 'chat') poll(contactId);
  } catch (error) {
    setStatus(`Queueing failed: ${error.message}`);
  }
}

function queuedItem(contactId, item) {
  const { contact } = item;
  const end = el('button', { type: 'button', textContent: 'End' });
  end.dataset.action = 'end-queued';
  end.setAttribute('aria-label', `End: ${contact.label}`);
  end.addEventListener('click', () => endQueued(contactId));
  const head = el('div', { className: 'queued-head' }, el('span', { textContent: contact.label }), end);
  const li = el('li', {}, head);
  li.dataset.contactId = contactId;
  li.dataset.media = contact.media_type;
  if (contact.media_type === 'chat') li.append(chatBox(contactId, item));
  return li;
}

/** The customer's side of a chat: the transcript (polled) and a box to write in. */
function chatBox(contactId, item) {
  const inputId = `chat-${contactId}`;
  item.log = el('ol', { className: 'chat-log' });
  item.log.dataset.testid = 'demo-chat-log';
  item.log.setAttribute('aria-live', 'polite');
  item.log.setAttribute('aria-label', `Chat with ${item.contact.name || item.contact.customer_name}`);
  const input = el('input', { id: inputId, autocomplete: 'off' });
  input.dataset.testid = 'demo-chat-input';
  const form = el('form', { className: 'chat-form' },
    el('label', { htmlFor: inputId, textContent: 'Write as the customer' }), input,
    el('button', { type: 'submit', textContent: 'Send' }));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = '';
    try {
      await asConnector('POST', `api/v1/activities/${item.activityId}/messages`, {
        message_id: uniqueId(), text, author: item.contact.name || item.contact.customer_name,
      });
      poll(contactId);
    } catch (error) {
      input.value = text;
      setStatus(`Message not sent: ${error.message}`);
    }
  });
  const box = el('div', { className: 'chat' }, item.log, form);
  box.dataset.testid = 'demo-chat';
  return box;
}

/** The agent's replies reach the customer by polling, as a connector without a webhook reads them. */
async function poll(contactId) {
  const item = queued.get(contactId);
  if (!item) return;
  clearTimeout(item.timer);
  try {
    const messages = await asConnector('GET', `api/v1/activities/${item.activityId}/messages`);
    item.log.replaceChildren(...messages.map((message) => {
      const who = message.direction === 'in' ? 'Customer' : `Agent ${message.author || ''}`.trim();
      const line = el('li', {}, el('strong', { textContent: `${who}: ` }), message.text);
      line.dataset.direction = message.direction;
      return line;
    }));
  } catch {
    // the next poll tries again
  }
  if (queued.has(contactId)) item.timer = setTimeout(() => poll(contactId), POLL_MS);
}

async function endQueued(contactId) {
  const item = queued.get(contactId);
  if (!item) return;
  try {
    await asConnector('POST', 'api/v1/contact-events', contactEvent(contactId, item.contact, 'ended'));
  } catch (error) {
    setStatus(`Ending failed: ${error.message}`);
    return;
  }
  clearTimeout(item.timer);
  queued.delete(contactId);
  renderQueued();
}

function renderQueued() {
  queuedList.replaceChildren(...[...queued.values()].map((item) => item.el));
  queuedEmpty.hidden = queued.size > 0;
}

/** The gadget places dialogs and its header inside the part of the iframe that is on screen. */
function sendViewport() {
  if (!gadgetReady) return;
  const rect = frame.getBoundingClientRect();
  const top = Math.max(0, -rect.top);
  const height = Math.max(0, Math.min(rect.bottom, window.innerHeight) - Math.max(rect.top, 0));
  sendToGadget({ type: 'cc:viewport', top: Math.round(top), height: Math.round(height) });
}

let viewportQueued = false;
function viewportSoon() {
  if (viewportQueued) return;
  viewportQueued = true;
  requestAnimationFrame(() => {
    viewportQueued = false;
    sendViewport();
  });
}

/** The gadget asks to be seen (an offer): scroll its rectangle into the window. */
function bringIntoView(message) {
  const top = Number(message.top);
  const height = Number(message.height);
  if (!Number.isFinite(top) || !Number.isFinite(height)) return;
  const rect = frame.getBoundingClientRect();
  const above = rect.top + top;
  const below = above + height - window.innerHeight;
  if (above < 0) window.scrollBy(0, above - 8);
  else if (below > 0) window.scrollBy(0, Math.min(below + 8, above));
}

window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow || event.origin !== window.location.origin) return;
  const message = event.data;
  if (!message || typeof message.type !== 'string') return;
  if (message.type === 'cc:ready') {
    gadgetReady = true;
    addLog('cc:ready');
    sendInit();
    sendViewport();
  } else if (message.type === 'cc:height') {
    const height = Number(message.height);
    if (Number.isFinite(height) && height > 0) frame.style.height = `${Math.min(height + 2, 5000)}px`;
    viewportSoon();
  } else if (message.type === 'cc:unread') {
    // As a desktop would badge the gadget's tab: the count in the window's title.
    const count = Number(message.count) || 0;
    document.title = `${count ? `(${count}) ` : ''}${DEMO_TITLE}`;
  } else if (message.type === 'cc:bring-into-view') {
    addLog('cc:bring-into-view');
    bringIntoView(message);
  } else if (message.type === 'cc:signed-in') {
    addLog(`cc:signed-in ${message.agent_id}`);
  } else if (message.type === 'cc:offer') {
    addLog(`cc:offer task ${message.task_id} (${message.media_type}, ${message.expires_in} s)`);
  } else if (message.type === 'cc:offer-ended') {
    addLog(`cc:offer-ended task ${message.task_id}: ${message.reason}`);
  } else {
    addLog(message.type);
  }
});

window.addEventListener('scroll', viewportSoon, { passive: true });
window.addEventListener('resize', viewportSoon);

form.addEventListener('submit', (event) => {
  event.preventDefault();
  signIn();
});
localeSelect.addEventListener('change', () => sendInit());
for (const button of document.querySelectorAll('[data-contact]')) {
  button.addEventListener('click', () => bringIn(button.dataset.contact));
}
for (const button of document.querySelectorAll('[data-queue]')) {
  button.addEventListener('click', () => queueContact(button.dataset.queue));
}

renderActive();
renderQueued();
signIn();
