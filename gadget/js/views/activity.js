/** R5, R6: the current interaction: media, times, tags as chips, notes. */

import { h, mount, renderOnce, uid, unrender } from '../dom.js';
import { formatDate, formatNumber, t } from '../i18n.js';
import { TAG_MAX, TEXT_MAX, actorName, mediaLabel, selectedEntry } from '../model.js';
import { conflictBanner, conflictKey } from './conflict.js';
import { factRows } from './facts.js';

export function renderActivity(el, state, actions) {
  const entry = selectedEntry(state);
  if (!entry || state.detailLoading) {
    unrender(el);
    return;
  }
  const { activity } = state;
  const key = [entry.id, activity?.id, conflictKey(state.conflicts.activity)].join('|');
  renderOnce(el, key, () => build(state, actions));
  if (!activity) return;
  const part = (name) => el.querySelector(`[data-part="${name}"]`);
  renderFacts(part('facts'), activity);
  renderRequestLink(part('request-link'), state, actions);
  renderTags(part('tags'), activity, actions);
  renderNotes(part('notes'), state.notes);
  const message = part('tag-message');
  message.textContent = state.tagMessage ? t(state.tagMessage.key, state.tagMessage.params) : '';
  message.dataset.active = state.tagMessage ? 'true' : 'false';
  part('tag-input').setAttribute('aria-invalid', state.tagMessage ? 'true' : 'false');
  if (state.focus === 'tag-input') {
    actions.focusDone();
    part('tag-input').focus();
  }
}

function build(state, actions) {
  const { activity } = state;
  const heading = h('h2', { class: 'cc-section-title', text: t('activity.heading') });
  if (!activity) {
    return [heading, h('p', { class: 'cc-empty', text: t('activity.none') })];
  }
  const tagInputId = uid('tag-input');
  const tagHintId = uid('tag-hint');
  const tagMessageId = uid('tag-message');
  const noteId = uid('note');
  const tagInput = h('input', {
    id: tagInputId, type: 'text', autocomplete: 'off', class: 'cc-tag-input',
    'aria-describedby': `${tagHintId} ${tagMessageId}`,
    data: { testid: 'tag-input', part: 'tag-input' },
    on: {
      keydown: (event) => tagKey(event, actions),
      input: () => actions.clearTagMessage(),
    },
  });
  const noteInput = h('textarea', {
    id: noteId, rows: 2, maxLength: TEXT_MAX, data: { testid: 'note-input' },
    on: {
      keydown: (event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          event.target.form.requestSubmit();
        }
      },
    },
  });
  return [
    heading,
    conflictBanner('activity', state, actions),
    h('dl', { class: 'cc-facts', data: { part: 'facts', testid: 'activity-facts' } }),
    h('div', { data: { part: 'request-link', testid: 'activity-request' } }),
    h('div', { class: 'cc-tags' },
      h('label', { for: tagInputId, class: 'cc-label', text: t('activity.tags') }),
      h('ul', { class: 'cc-chips', data: { part: 'tags', testid: 'tags' }, 'aria-label': t('activity.tags') }),
      tagInput,
      h('p', { id: tagHintId, class: 'cc-hint', text: t('tag.hint', { max: formatNumber(TAG_MAX) }) }),
      h('p', {
        id: tagMessageId, class: 'cc-error', role: 'status',
        data: { part: 'tag-message', testid: 'tag-message' },
      })),
    h('h3', { class: 'cc-subtitle', text: t('activity.notes') }),
    h('ol', { class: 'cc-notes', data: { part: 'notes', testid: 'notes' } }),
    h('form', {
      class: 'cc-note-form', novalidate: true,
      on: {
        submit: async (event) => {
          event.preventDefault();
          if (await actions.addNote(noteInput.value)) noteInput.value = '';
          noteInput.focus();
        },
      },
    },
    h('label', { for: noteId, text: t('activity.newNote') }),
    noteInput,
    h('div', { class: 'cc-actions' },
      h('button', { type: 'submit', data: { action: 'add-note' } }, t('activity.addNote')))),
  ];
}

/**
 * Enter or Tab turns the typed text into a tag and keeps focus here; Tab
 * with nothing typed moves on as usual, so the input never traps the keyboard.
 */
async function tagKey(event, actions) {
  const input = event.target;
  const creates = event.key === 'Enter' || (event.key === 'Tab' && !event.shiftKey);
  if (!creates || event.isComposing) return;
  if (!input.value.trim()) {
    if (event.key === 'Enter') event.preventDefault();
    return;
  }
  event.preventDefault();
  const text = input.value;
  if (await actions.addTag(text)) {
    if (input.value === text) input.value = '';
  }
  input.focus();
}

/** After Add request (or Edit this request), the panes say whether they are about one request. */
function renderRequestLink(el, state, actions) {
  const { activity, request } = state;
  if (!request || !activity.request_id || activity.request_id === request.id) {
    mount(el);
    return;
  }
  mount(el, h('p', { class: 'cc-hint', text: t('activity.otherRequest', { id: activity.request_id }) }),
    request.status === 'open' && h('button', {
      type: 'button', data: { action: 'move-to-shown-request' },
      on: { click: () => actions.moveActivity(activity.id, { request_id: request.id }) },
    }, t('activity.moveHere', { id: request.id })));
}

function renderFacts(el, activity) {
  const facts = [
    ['activity.media', mediaLabel(activity.media_type), 'media'],
    ['activity.state', t(`activity.states.${activity.state}`), 'state'],
    ['activity.started', formatDate(activity.started_at), 'started'],
    ['activity.ended', formatDate(activity.ended_at) || t('activity.notEnded'), 'ended'],
    ['activity.from', activity.from, 'from'],
    ['activity.to', activity.to, 'to'],
  ];
  mount(el, factRows(facts.map(([label, value, name]) => [t(label), value, name])));
}

function renderTags(el, activity, actions) {
  mount(el, activity.tags.map((tag) => h('li', {
    class: 'cc-chip', data: { testid: 'tag', tag: tag.name },
  },
  h('span', { class: 'cc-chip-text', text: tag.name }),
  h('button', {
    type: 'button', class: 'cc-chip-remove', 'aria-label': t('tag.remove', { name: tag.name }),
    data: { action: 'remove-tag' },
    on: { click: () => actions.removeTag(tag.name) },
  }))));
  if (!activity.tags.length) {
    el.append(h('li', { class: 'cc-chip-empty', text: t('tag.none') }));
  }
}

function renderNotes(el, notes) {
  if (!notes.length) {
    mount(el, h('li', { class: 'cc-empty', text: t('activity.noNotes') }));
    return;
  }
  mount(el, notes.map((note) => h('li', { class: 'cc-note', data: { testid: 'note', noteId: note.id } },
    h('p', { class: 'cc-note-text', text: note.text }),
    h('p', { class: 'cc-note-meta' },
      h('span', { data: { role: 'author' }, text: actorName(note.author) || t('conflict.someone') }),
      h('time', { datetime: note.created_at, text: formatDate(note.created_at) })))));
}
