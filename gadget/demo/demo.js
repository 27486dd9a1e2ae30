/**
 * A demo host desktop: signs the demo agent in, hands the token to the gadget
 * iframe with `cc:init`, and brings in calls, chats and emails with `cc:contact`
 * exactly as a real host page would (see js/hosts/postmessage.js).
 */

const SERVICE_BASE = new URL('../../', import.meta.url);
const frame = document.getElementById('gadget');
const status = document.querySelector('[data-testid="demo-status"]');
const activeList = document.querySelector('[data-testid="demo-active"]');
const emptyHint = document.querySelector('[data-empty]');
const log = document.querySelector('[data-testid="demo-log"]');
const form = document.querySelector('[data-testid="demo-signin"]');
const localeSelect = document.getElementById('locale');

let token = null;
let agentId = null;
let gadgetReady = false;
const active = new Map(); // contact id -> contact event base

const KNOWN = {
  ada: { media_type: 'voice', from: '+1 415 555 0100', to: '1000', label: 'Call from Ada Lovelace' },
  grace: {
    media_type: 'email', from: 'grace.hopper@example.com', to: 'support@example.com',
    label: 'Email from Grace Hopper',
  },
  alan: { media_type: 'chat', from: '+1 415 555 0199', to: 'web-chat', label: 'Chat from Alan Turing' },
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
  return { media_type: media, from: address, to, customer_name: name, label: `${label} from ${name}` };
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
  const message = { type: 'cc:init', token };
  if (localeSelect.value) message.locale = localeSelect.value;
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

function bringIn(kind) {
  if (!token || !gadgetReady) {
    setStatus('Sign in first (the gadget needs a token).');
    return;
  }
  const contact = KNOWN[kind] || unknownContact(kind.replace('unknown-', ''));
  const contactId = `demo-${uniqueId()}`;
  active.set(contactId, contact);
  renderActive();
  sendToGadget({ type: 'cc:contact', event: contactEvent(contactId, contact, 'accepted') });
}

function endContact(contactId) {
  const contact = active.get(contactId);
  if (!contact) return;
  active.delete(contactId);
  renderActive();
  sendToGadget({ type: 'cc:contact', event: contactEvent(contactId, contact, 'ended') });
}

window.addEventListener('message', (event) => {
  if (event.source !== frame.contentWindow || event.origin !== window.location.origin) return;
  const message = event.data;
  if (!message || typeof message.type !== 'string') return;
  if (message.type === 'cc:ready') {
    gadgetReady = true;
    addLog('cc:ready');
    sendInit();
  } else if (message.type === 'cc:height') {
    const height = Number(message.height);
    if (Number.isFinite(height) && height > 0) frame.style.height = `${Math.min(height + 2, 5000)}px`;
  } else if (message.type === 'cc:signed-in') {
    addLog(`cc:signed-in ${message.agent_id}`);
  } else {
    addLog(message.type);
  }
});

form.addEventListener('submit', (event) => {
  event.preventDefault();
  signIn();
});
localeSelect.addEventListener('change', () => sendInit());
for (const button of document.querySelectorAll('[data-contact]')) {
  button.addEventListener('click', () => bringIn(button.dataset.contact));
}

renderActive();
signIn();
