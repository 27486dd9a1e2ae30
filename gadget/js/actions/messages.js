/** The messages of the shown chat or email (R16): the transcript, replies and their delivery. */

import { debounce } from '../dom.js';
import { selectedEntry, uuid } from '../model.js';

const messagesPath = (activityId) => `api/v1/activities/${activityId}/messages`;
// Later delivery states win over earlier ones, whichever answer arrives last.
const DELIVERY_RANK = { sending: 0, unsent: 0, pending: 1, stored: 2, delivered: 2, failed: 2 };

export function installMessages(ctx) {
  const { store, api, state } = ctx;
  const report = (error) => ctx.report(error);

  function shownActivityId() {
    return selectedEntry(state)?.activity_id ?? null;
  }

  async function reloadMessages() {
    const activityId = state.activity?.id;
    if (!activityId) return;
    const messages = await api.get(messagesPath(activityId));
    if (state.activity?.id === activityId) {
      // Replies still on their way (or refused) are kept until the service has them.
      const local = state.messages.filter((message) => !message.id
        && !messages.some((stored) => stored.message_id === message.message_id));
      store.set({ messages: [...messages, ...local] });
    }
  }

  const reloadMessagesSoon = debounce(() => reloadMessages().catch(report), 300);

  function rank(message) {
    return DELIVERY_RANK[message.delivery?.status] ?? 2;
  }

  /** Add or replace one message of the shown activity, by the id its author gave it. */
  function upsertMessage(message) {
    if (message.activity_id !== shownActivityId()) return;
    const before = state.messages.find((item) => item.message_id === message.message_id);
    if (before && before.id && rank(before) > rank(message)) return; // an older answer
    const messages = state.messages.filter((item) => item.message_id !== message.message_id);
    messages.push(message);
    // Stored messages in the service's order, replies not stored yet after them.
    messages.sort((a, b) => (!a.id - !b.id) || Date.parse(a.sent_at) - Date.parse(b.sent_at)
      || a.id - b.id);
    store.set({ messages });
  }

  /** A customer's message in a chat or email of the agent's that is not the one shown. */
  function countUnread(frame) {
    const id = frame.activity_id;
    if (frame.type !== 'message.added' || frame.message?.direction !== 'in' || id === shownActivityId()) {
      return;
    }
    const mine = state.open.some((entry) => entry.activity_id === id)
      || state.tasks.some((task) => task.activity_id === id);
    if (mine) store.set({ unread: { ...state.unread, [id]: (state.unread[id] || 0) + 1 } });
  }

  function onMessageFrame(frame) {
    countUnread(frame);
    if (!frame.activity_id || frame.activity_id !== shownActivityId()) return;
    if (state.detailLoading || frame.truncated || !frame.message) reloadMessagesSoon();
    else upsertMessage(frame.message);
  }

  async function deliver(message) {
    upsertMessage({ ...message, delivery: { status: 'sending' } });
    try {
      upsertMessage(await api.post(messagesPath(message.activity_id),
        { text: message.text, message_id: message.message_id }));
      return true;
    } catch (error) {
      upsertMessage({ ...message, delivery: { status: 'unsent', last_error: error.detail || null } });
      report(error);
      return false;
    }
  }

  /** Reply to the shown chat. A client id makes a retried send change nothing. */
  async function sendReply(text) {
    const activity = state.activity;
    if (!activity || !text.trim()) return false;
    return deliver({
      id: null, message_id: uuid(), activity_id: activity.id, direction: 'out',
      author: state.agent?.id ?? null, subject: null, text, sent_at: new Date().toISOString(),
    });
  }

  function setReplyDraft(activityId, text) {
    store.quietly({ replyDrafts: { ...state.replyDrafts, [activityId]: text } });
  }

  function retryReply(messageId) {
    const message = state.messages.find((item) => item.message_id === messageId && !item.id);
    if (message) deliver(message);
  }

  /** Frames about messages; true when the frame was one of these. */
  function messageFrame(frame) {
    if (!frame.type.startsWith('message.')) return false;
    onMessageFrame(frame);
    return true;
  }

  return { sendReply, retryReply, setReplyDraft, reloadMessages, messageFrame };
}
