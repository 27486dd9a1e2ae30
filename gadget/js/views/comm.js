/**
 * R16: the communication panel of the shown interaction. A call: from, to, its running
 * duration and the call variables. A chat: the transcript, live both ways, and the reply
 * box. An email: from, to, subject and body. Message text is only ever text.
 */

import { h, mount, renderOnce, uid, unrender } from '../dom.js';
import { formatDate, t } from '../i18n.js';
import { displayName, selectedEntry } from '../model.js';
import { elapsed } from './clock.js';
import { factList, factRows, variableList } from './facts.js';

const PANELS = {
  voice: { build: buildVoice },
  chat: { build: buildChat, update: updateChat },
  email: { build: buildEmail, update: updateEmail },
};

export function renderComm(el, state, actions) {
  const entry = selectedEntry(state);
  const activity = entry && !state.detailLoading ? state.activity : null;
  const panel = activity && PANELS[activity.media_type];
  el.hidden = !panel;
  if (!panel) {
    unrender(el);
    return;
  }
  const blocked = replyBlocked(activity, state.agent?.id);
  // A chat's panel is rebuilt only when replying becomes (im)possible: never under typing.
  const facts = activity.media_type === 'voice' ? JSON.stringify([activity.from, activity.to,
    activity.started_at, activity.ended_at, activity.variables]) : '';
  const key = [entry.id, activity.id, activity.state, blocked, facts].join('|');
  renderOnce(el, key, () => h('div', {
    class: 'cc-comm', data: { testid: 'comm-panel', media: activity.media_type, state: activity.state },
  }, h('h2', { class: 'cc-section-title', text: t(`comm.${activity.media_type}`) }),
  panel.build(activity, blocked, actions, state.replyDrafts[activity.id])));
  panel.update?.(el, state, actions);
}

/** Why the agent cannot reply to this chat (a catalogue key), or null. */
function replyBlocked(activity, me) {
  if (activity.media_type !== 'chat') return null;
  if (activity.state === 'ended') return 'comm.ended';
  if (activity.agent_id !== me) return 'comm.otherAgent';
  if (activity.state !== 'active') return 'comm.notAccepted';
  return null;
}

// --- voice ----------------------------------------------------------------------------

function buildVoice(activity) {
  const hasVariables = Object.keys(activity.variables || {}).length > 0;
  return [
    factList([
      [t('comm.from'), activity.from, 'from'],
      [t('comm.to'), activity.to, 'to'],
      [t('comm.duration'), activity.started_at
        ? elapsed(activity.started_at, activity.ended_at, { data: { testid: 'call-duration' } }) : '–',
      'duration'],
    ], 'comm-facts'),
    h('h3', { class: 'cc-subtitle', text: t('comm.variables') }),
    hasVariables ? variableList(activity.variables)
      : h('p', { class: 'cc-empty', text: t('comm.noVariables') }),
  ];
}

// --- chat -----------------------------------------------------------------------------

function buildChat(activity, blocked, actions, draft) {
  const inputId = uid('reply');
  const hintId = uid('reply-hint');
  const input = h('textarea', {
    id: inputId, rows: 2, disabled: Boolean(blocked), 'aria-describedby': hintId,
    value: blocked ? '' : draft || '', data: { testid: 'reply-input' },
    on: {
      input: () => actions.setReplyDraft(activity.id, input.value),
      keydown: (event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
          event.preventDefault();
          event.target.form.requestSubmit();
        }
      },
    },
  });
  const form = h('form', {
    class: 'cc-reply', novalidate: true,
    on: {
      submit: (event) => {
        event.preventDefault();
        const text = input.value;
        if (!text.trim()) return;
        // The reply shows in the transcript at once (Sending…, or Not sent with Retry).
        input.value = '';
        actions.setReplyDraft(activity.id, '');
        actions.sendReply(text);
        input.focus();
      },
    },
  },
  h('label', { for: inputId, text: t('comm.reply') }),
  input,
  h('div', { class: 'cc-reply-foot' },
    h('p', {
      id: hintId, class: blocked ? 'cc-hint cc-blocked' : 'cc-hint', data: { testid: 'reply-hint' },
      text: t(blocked || 'comm.replyHint'),
    }),
    h('button', {
      type: 'submit', class: 'cc-primary', disabled: Boolean(blocked), data: { action: 'send-reply' },
    }, t('comm.send'))));
  return [
    h('ol', {
      class: 'cc-transcript', role: 'log', tabindex: '0', 'aria-label': t('comm.transcript'),
      data: { part: 'transcript', testid: 'transcript' },
    }),
    form,
  ];
}

/**
 * The transcript is a live log: messages already shown stay as they are (only a reply's
 * delivery status changes), so assistive technology announces just what is new.
 */
function updateChat(el, state, actions) {
  const list = el.querySelector('[data-part="transcript"]');
  const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 32;
  if (!state.messages.length) {
    mount(list, h('li', { class: 'cc-empty', text: t('comm.noMessages') }));
    return;
  }
  const shown = new Map();
  for (const item of [...list.children]) {
    if (item.dataset.messageId) shown.set(item.dataset.messageId, item);
    else item.remove();
  }
  const me = state.agent?.id;
  let previous = null;
  for (const message of state.messages) {
    let item = shown.get(message.message_id);
    shown.delete(message.message_id);
    if (item) refreshMessage(item, message, actions);
    else item = chatMessage(message, me, state.customer, actions);
    if ((previous ? previous.nextElementSibling : list.firstElementChild) !== item) {
      if (previous) previous.after(item);
      else list.prepend(item);
    }
    previous = item;
  }
  for (const gone of shown.values()) gone.remove();
  const last = state.messages[state.messages.length - 1];
  // Follow the conversation unless the agent scrolled back to read.
  if (atEnd || (last.direction === 'out' && !last.id)) list.scrollTop = list.scrollHeight;
}

/** Who wrote it: the customer (by the name the message gives, else the customer's), or the agent. */
function author(message, me, customer) {
  if (message.direction === 'in') {
    return message.author || (customer ? displayName(customer) : t('comm.customer'));
  }
  return message.author === me ? t('comm.you') : message.author || t('comm.agent');
}

const deliveryStatus = (message) => message.delivery?.status || 'stored';

function chatMessage(message, me, customer, actions) {
  const out = message.direction === 'out';
  return h('li', {
    class: 'cc-message',
    data: { testid: 'message', direction: message.direction, messageId: message.message_id },
  },
  h('p', { class: 'cc-message-meta' },
    h('span', { data: { role: 'author' }, text: author(message, me, customer) }),
    h('time', { datetime: message.sent_at, text: formatDate(message.sent_at, 'time') })),
  h('p', { class: 'cc-message-text', data: { role: 'text' }, text: message.text }),
  out && deliveryLine(message, actions));
}

/** A reply's delivery: Sending…, Delivered, Not delivered, Sent, or Not sent with Retry. */
function deliveryLine(message, actions) {
  const status = deliveryStatus(message);
  return h('p', { class: 'cc-delivery', data: { testid: 'delivery', status } },
    t(`delivery.${status}`),
    status === 'unsent' && h('button', {
      type: 'button', class: 'cc-link', data: { action: 'retry-reply' },
      on: { click: () => actions.retryReply(message.message_id) },
    }, t('delivery.retry')));
}

function refreshMessage(item, message, actions) {
  const time = item.querySelector('time');
  const when = formatDate(message.sent_at, 'time');
  if (time.textContent !== when) {
    time.textContent = when;
    time.setAttribute('datetime', message.sent_at);
  }
  const delivery = item.querySelector('[data-testid="delivery"]');
  if (delivery && delivery.dataset.status !== deliveryStatus(message)) {
    delivery.replaceWith(deliveryLine(message, actions));
  }
}

// --- email ----------------------------------------------------------------------------

function buildEmail() {
  return [
    h('dl', { class: 'cc-facts', data: { part: 'email-facts', testid: 'comm-facts' } }),
    h('div', { class: 'cc-emails', data: { part: 'emails' } }),
  ];
}

function updateEmail(el, state) {
  const { activity, messages } = state;
  const subject = messages.find((message) => message.subject)?.subject;
  mount(el.querySelector('[data-part="email-facts"]'), factRows([
    [t('comm.from'), activity.from, 'from'],
    [t('comm.to'), activity.to, 'to'],
    [t('comm.subject'), subject, 'subject'],
  ]));
  const emails = el.querySelector('[data-part="emails"]');
  if (!messages.length) {
    mount(emails, h('p', { class: 'cc-empty', text: t('comm.noEmail') }));
    return;
  }
  mount(emails, messages.map((message) => h('article', {
    class: 'cc-email', data: { testid: 'email-message', direction: message.direction },
  },
  h('p', { class: 'cc-message-meta' },
    h('span', { data: { role: 'author' }, text: author(message, state.agent?.id, state.customer) }),
    h('time', { datetime: message.sent_at, text: formatDate(message.sent_at) })),
  message.subject && message.subject !== subject && h('h3', { class: 'cc-subtitle', text: message.subject }),
  h('div', { class: 'cc-email-body', data: { testid: 'email-body' }, text: message.text }))));
}
