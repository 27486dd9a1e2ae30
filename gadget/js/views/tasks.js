/**
 * R14: the Tasks pane. Queue: the contacts waiting, oldest first, each with a preview
 * (customer, request, contact) to read before accepting. In Progress: the agent's
 * accepted tasks; selecting one shows its customer.
 */

import { h, remount, renderOnce, uid } from '../dom.js';
import { formatDate, formatNumber, t } from '../i18n.js';
import { displayName, mediaLabel, roomFor, taskContact } from '../model.js';
import { elapsed } from './clock.js';
import { factList, variableList } from './facts.js';
import { taskFacts } from './offer.js';
import { showTab, tabSet } from './tabs.js';
import { unreadBadge } from './lists.js';

const TABS = ['queue', 'progress'];

export function renderTasks(el, state, actions) {
  el.hidden = !state.careDesktop || !state.agentState;
  if (el.hidden) return;
  renderOnce(el, 'tasks', () => skeleton(actions));
  const part = (name) => el.querySelector(`[data-part="${name}"]`);
  showTab(el, TABS, state.taskTab);
  part('queue-count').textContent = state.queue.length ? formatNumber(state.queue.length) : '';
  part('progress-count').textContent = state.tasks.length ? formatNumber(state.tasks.length) : '';
  renderQueue(part('queue'), state, actions);
  renderProgress(part('progress'), state, actions);
}

function skeleton(actions) {
  const { tablist, panel } = tabSet({
    label: t('tasks.label'),
    tabs: TABS.map((tab) => ({ name: tab, text: t(`tasks.${tab}`), count: `${tab}-count` })),
    select: (tab) => actions.setTaskTab(tab),
  });
  return [
    h('h2', { class: 'cc-visually-hidden', text: t('tasks.label') }),
    tablist,
    panel('queue', h('div', { data: { part: 'queue' } })),
    panel('progress', h('div', { data: { part: 'progress' } })),
  ];
}

/** Why the agent cannot take a task of this media now, or null when they can (R15). */
function noRoom(state, media) {
  if (roomFor(state, media) > 0) return null;
  if (media === 'voice') return t('tasks.noRoom.voice');
  return t('tasks.noRoom.other', {
    media: mediaLabel(media), max: formatNumber(state.agentState.capacity[media] ?? 0),
  });
}

function renderQueue(el, state, actions) {
  if (!state.queue.length) {
    remount(el, h('p', { class: 'cc-empty', text: t('tasks.queueEmpty') }));
    return;
  }
  // The queue changes under the agent: keep where they scrolled to, as well as the focus.
  const scrolled = el.firstElementChild?.scrollTop ?? 0;
  remount(el, h('ul', { class: 'cc-list cc-tasks', data: { testid: 'queue-list' } },
    state.queue.map((task) => queueItem(task, state, actions))));
  el.firstElementChild.scrollTop = scrolled;
}

function queueItem(task, state, actions) {
  const open = state.queuePreview === task.id;
  const previewId = uid('preview');
  const whyId = uid('no-room');
  const name = displayName(task.customer);
  const why = noRoom(state, task.media_type);
  const contact = taskContact(task);
  return h('li', {
    class: 'cc-task', data: { testid: 'queue-task', taskId: task.id, media: task.media_type },
  },
  h('button', {
    type: 'button', class: 'cc-task-head', 'aria-expanded': String(open), 'aria-controls': previewId,
    data: { action: 'preview-task', key: `preview-${task.id}` },
    on: { click: () => actions.togglePreview(task.id) },
  },
  h('span', { class: 'cc-entry-meta' },
    h('span', { class: 'cc-media', data: { media: task.media_type } }, mediaLabel(task.media_type)),
    h('span', { data: { fact: 'queue' }, text: task.queue }),
    h('span', { class: 'cc-wait' }, t('tasks.waiting'), ' ',
      elapsed(task.queued_at, null, { data: { testid: 'queue-wait' } }))),
  h('span', { class: 'cc-entry-name', data: { role: 'entry-name' }, text: name }),
  contact && h('span', { class: 'cc-entry-meta', text: contact }),
  taskFacts(task, 'queue')),
  h('button', {
    type: 'button', class: 'cc-primary cc-task-accept', disabled: Boolean(why) || state.accepting === task.id,
    'aria-label': t('tasks.acceptNamed', { name }), 'aria-describedby': why ? whyId : null,
    data: { action: 'accept-task', key: `accept-${task.id}` },
    on: { click: () => actions.accept(task.id) },
  }, t('offer.accept')),
  why && h('p', { id: whyId, class: 'cc-hint cc-task-why', data: { testid: 'no-room' }, text: why }),
  h('div', {
    id: previewId, class: 'cc-task-preview', hidden: !open, data: { testid: 'task-preview' },
  }, open && preview(task)));
}

/** R14: customer, request and contact, as far as known before accepting. */
function preview(task) {
  const { customer, request, contact } = task;
  const variables = contact?.variables || {};
  const hasVariables = Object.keys(variables).length > 0;
  const facts = [
    [t('preview.customer'), customer ? displayName(customer) : t('preview.noCustomer'), 'customer'],
    [t('customer.emails'), customer?.emails?.join(', '), 'emails'],
    [t('customer.phones'), customer?.phones?.join(', '), 'phones'],
    [t('request.heading'),
      request ? request.title || t('request.untitled') : t('preview.newRequest'), 'request'],
    [t('request.description'), request?.description, 'description'],
    [t('comm.subject'), task.subject, 'subject'],
    [t('comm.from'), contact?.from, 'from'],
    [t('comm.to'), contact?.to, 'to'],
    [t('preview.queued'), formatDate(task.queued_at), 'queued'],
  ];
  return [
    factList(facts, 'preview-facts'),
    hasVariables && h('h3', { class: 'cc-subtitle', text: t('comm.variables') }),
    hasVariables && variableList(variables),
  ];
}

function renderProgress(el, state, actions) {
  if (!state.tasks.length) {
    remount(el, h('p', { class: 'cc-empty', text: t('tasks.progressEmpty') }));
    return;
  }
  remount(el, h('ul', { class: 'cc-list', data: { testid: 'progress-list' } }, state.tasks.map((task) => {
    const selected = task.open_entry_id && task.open_entry_id === state.selectedEntryId;
    return h('li', {
      class: 'cc-list-item', data: {
        testid: 'progress-task', taskId: task.id, entryId: task.open_entry_id ?? '', media: task.media_type,
      },
    }, h('button', {
      type: 'button', class: 'cc-entry', 'aria-current': selected ? 'true' : null,
      disabled: !task.open_entry_id, data: { action: 'open-task', key: `task-${task.id}` },
      on: { click: () => actions.openTask(task) },
    },
    h('span', { class: 'cc-entry-name', data: { role: 'entry-name' } }, displayName(task.customer),
      unreadBadge(state.unread[task.activity_id])),
    h('span', { class: 'cc-entry-meta' },
      h('span', { class: 'cc-media', data: { media: task.media_type } }, mediaLabel(task.media_type)),
      h('span', { text: t('tasks.since', { when: formatDate(task.accepted_at, 'time') }) }),
      elapsed(task.accepted_at))));
  })));
}
