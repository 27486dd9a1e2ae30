/**
 * R11: the customer journey, newest first. Selecting or hovering an item
 * shows its details; an activity moves by dragging its handle onto a request,
 * or with the keyboard through its "Move to…" menu.
 */

import { h, mount, remount, uid } from '../dom.js';
import { formatDate, formatList, formatNumber, t } from '../i18n.js';
import { actorName, joinParts, mediaLabel, openRequests, selectedEntry } from '../model.js';

const DRAG_TYPE = 'application/x-cc-activity';
let dragging = null; // {activityId, requestId} while a drag is on

export function renderJourney(el, state, actions, changed) {
  const entry = selectedEntry(state);
  if (!entry || state.detailLoading || !state.journey) {
    mount(el);
    delete el.dataset.journeyKey;
    return;
  }
  const key = JSON.stringify([state.journey, state.request?.id, state.activity?.id,
    state.journeySelection]);
  if (el.dataset.journeyKey !== key) {
    el.dataset.journeyKey = key;
    remount(el,
      h('h2', { class: 'cc-section-title', text: t('journey.heading') }),
      h('p', { class: 'cc-hint', text: t('journey.hint') }),
      journeyList(state, actions),
      moreButton(state, actions),
      h('div', {
        class: 'cc-journey-details', data: { part: 'details', testid: 'journey-details' },
        'aria-live': 'polite',
      }));
  }
  markSelection(el, state);
  if (!changed || changed.has('journey') || changed.has('journeySelection')
      || changed.has('journeyHover') || changed.has('selectedEntryId')) {
    renderDetails(el.querySelector('[data-part="details"]'), state, actions);
  }
}

function journeyList(state, actions) {
  const targets = openRequests(state.journey);
  return h('ol', { class: 'cc-journey', data: { testid: 'journey' } },
    state.journey.requests.map((request) => {
      const open = request.status === 'open';
      const item = h('li', {
        class: 'cc-jrequest',
        data: {
          testid: 'journey-request', requestId: request.id, status: request.status,
          current: request.id === state.request?.id ? 'true' : null,
        },
        on: dropHandlers(request, actions),
      },
      h('button', {
        type: 'button', class: 'cc-jhead',
      data: { action: 'select-request', select: `request:${request.id}`, key: `request:${request.id}` },
        on: {
          click: () => actions.selectJourneyItem('request', request.id),
          mouseenter: () => actions.hoverJourneyItem({ kind: 'request', id: request.id }),
          mouseleave: () => actions.hoverJourneyItem(null),
          focus: () => actions.hoverJourneyItem({ kind: 'request', id: request.id }),
          blur: () => actions.hoverJourneyItem(null),
        },
      },
      h('span', { class: 'cc-status-icon', 'aria-hidden': 'true', data: { status: request.status } }),
      h('span', { class: 'cc-jtitle', text: request.title || t('request.untitled') }),
      h('span', {
        class: 'cc-jmeta',
        text: joinParts([t(`request.status.${request.status}`), formatDate(request.created_at, 'date')]),
      })),
      request.activities.length > 0 && h('ol', { class: 'cc-jactivities' },
        request.activities.map((activity) => activityItem(activity, request, open, targets, state, actions))));
      return item;
    }));
}

// Loads the next page when the end of the list comes into view, in the gadget's window or,
// as an iframe, in its host's (an IntersectionObserver's root is the top-level viewport).
let moreObserver = null;

function moreButton(state, actions) {
  moreObserver?.disconnect();
  if (!state.journey.next) return null;
  const button = h('button', {
    type: 'button', class: 'cc-link cc-journey-more', data: { action: 'journey-more', testid: 'journey-more' },
    on: { click: () => actions.loadMoreJourney() },
  }, t('journey.more'));
  if ('IntersectionObserver' in window) {
    moreObserver = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) actions.loadMoreJourney();
    }, { rootMargin: '200px' });
    moreObserver.observe(button);
  }
  return button;
}

function activityItem(activity, request, open, targets, state, actions) {
  const selected = state.journeySelection?.kind === 'activity' && state.journeySelection.id === activity.id;
  const selectId = uid('move');
  const others = targets.filter((target) => target.id !== request.id);
  const select = h('select', {
    id: selectId, disabled: !open, data: { testid: 'move-select' },
    title: open ? null : t('journey.closedNoMove'),
    on: {
      change: () => {
        move.disabled = !select.value;
      },
    },
  },
  h('option', { value: '', text: t('journey.moveTo') }),
  others.map((target) => h('option', {
    value: `request:${target.id}`,
    text: t('journey.toRequest', { id: target.id, title: target.title || t('request.untitled') }),
  })),
  h('option', { value: 'new', text: t('journey.newRequest') }),
  h('option', { value: 'customer', text: t('journey.anotherCustomer') }));
  const move = h('button', {
    type: 'button', disabled: true, data: { action: 'move' },
    on: {
      click: async () => {
        const target = moveTarget(select.value);
        if (!target) return;
        move.disabled = true;
        await actions.moveActivity(activity.id, target);
      },
    },
  }, t('journey.move'));
  const label = joinParts([mediaLabel(activity.media_type), formatDate(activity.started_at || activity.created_at)]);

  return h('li', {
    class: 'cc-jactivity',
    data: {
      testid: 'journey-activity', activityId: activity.id,
      current: activity.id === state.activity?.id ? 'true' : null,
    },
  },
  open && h('span', {
    class: 'cc-drag-handle', draggable: true, title: t('journey.dragHint'),
    data: { testid: 'drag-handle' },
    on: {
      dragstart: (event) => {
        dragging = { activityId: activity.id, requestId: request.id };
        event.dataTransfer.effectAllowed = 'move';
        event.dataTransfer.setData(DRAG_TYPE, String(activity.id));
        event.dataTransfer.setData('text/plain', label);
        const row = event.target.closest('[data-activity-id]');
        if (row) event.dataTransfer.setDragImage(row, 12, 12);
        event.target.closest('[data-testid="journey"]')?.setAttribute('data-dragging', 'true');
      },
      dragend: () => {
        dragging = null;
        for (const node of document.querySelectorAll('[data-drop]')) delete node.dataset.drop;
        document.querySelector('[data-dragging]')?.removeAttribute('data-dragging');
      },
    },
  }),
  h('button', {
    type: 'button', class: 'cc-jhead',
    data: { action: 'select-activity', select: `activity:${activity.id}`, key: `activity:${activity.id}` },
    on: {
      click: () => actions.selectJourneyItem('activity', activity.id),
      mouseenter: () => actions.hoverJourneyItem({ kind: 'activity', id: activity.id }),
      mouseleave: () => actions.hoverJourneyItem(null),
      focus: () => actions.hoverJourneyItem({ kind: 'activity', id: activity.id }),
      blur: () => actions.hoverJourneyItem(null),
    },
  },
  h('span', { class: 'cc-media', data: { media: activity.media_type } }, label),
  activity.tags.length > 0 && h('span', {
    class: 'cc-jmeta', text: formatList(activity.tags.map((tag) => tag.name)),
  })),
  // One menu, on the selected activity: the others stay uncluttered.
  selected && h('span', { class: 'cc-move', data: { testid: 'move-menu' } },
    h('label', { for: selectId, class: 'cc-visually-hidden', text: t('journey.moveLabel') }),
    select,
    move));
}

function moveTarget(value) {
  if (value === 'new') return { new_request: true };
  if (value === 'customer') return { pickCustomer: true };
  if (value.startsWith('request:')) return { request_id: Number(value.slice(8)) };
  return null;
}

function accepts(request) {
  return dragging && request.status === 'open' && dragging.requestId !== request.id;
}

function dropHandlers(request, actions) {
  return {
    dragenter: (event) => {
      if (!accepts(request)) return;
      event.preventDefault();
      event.currentTarget.dataset.drop = 'ok';
    },
    dragover: (event) => {
      if (!accepts(request)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = 'move';
      event.currentTarget.dataset.drop = 'ok';
    },
    dragleave: (event) => {
      if (!event.currentTarget.contains(event.relatedTarget)) {
        delete event.currentTarget.dataset.drop;
      }
    },
    drop: (event) => {
      if (!accepts(request)) return;
      event.preventDefault();
      delete event.currentTarget.dataset.drop;
      const activityId = Number(event.dataTransfer.getData(DRAG_TYPE)) || dragging.activityId;
      dragging = null;
      actions.moveActivity(activityId, { request_id: request.id });
    },
  };
}

function markSelection(el, state) {
  const selected = state.journeySelection ? `${state.journeySelection.kind}:${state.journeySelection.id}` : '';
  for (const button of el.querySelectorAll('[data-select]')) {
    const on = button.dataset.select === selected;
    button.setAttribute('aria-pressed', String(on));
  }
}

function renderDetails(el, state, actions) {
  if (!el) return;
  const item = state.journeyHover || state.journeySelection
    || (state.activity ? { kind: 'activity', id: state.activity.id } : null)
    || (state.request ? { kind: 'request', id: state.request.id } : null);
  const found = item && find(state.journey, item);
  if (!found) {
    mount(el, h('p', { class: 'cc-hint', text: t('journey.pick') }));
    return;
  }
  if (item.kind === 'request') mount(el, requestDetails(found.request, state, actions));
  else mount(el, activityDetails(found.activity, found.request));
}

function find(journey, item) {
  for (const request of journey.requests) {
    if (item.kind === 'request' && request.id === item.id) return { request };
    const activity = request.activities.find((a) => a.id === item.id);
    if (item.kind === 'activity' && activity) return { request, activity };
  }
  return null;
}

function requestDetails(request, state, actions) {
  const editable = request.status === 'open' && request.id !== state.request?.id;
  return h('div', { data: { kind: 'request', itemId: request.id } },
    h('h3', { class: 'cc-subtitle', text: request.title || t('request.untitled') }),
    h('dl', { class: 'cc-facts' },
      h('dt', { text: t('request.statusLabel') }), h('dd', { text: t(`request.status.${request.status}`) }),
      h('dt', { text: t('request.createdLabel') }), h('dd', { text: formatDate(request.created_at) }),
      request.closed_at && h('dt', { text: t('request.closedLabel') }),
      request.closed_at && h('dd', { text: formatDate(request.closed_at) }),
      h('dt', { text: t('journey.activities') }), h('dd', { text: formatNumber(request.activities.length) })),
    request.description && h('p', { class: 'cc-description', text: request.description }),
    editable && h('button', {
      type: 'button', data: { action: 'edit-request' },
      on: { click: () => actions.editRequest(request.id) },
    }, t('journey.editRequest')));
}

function activityDetails(activity, request) {
  const variables = Object.entries(activity.variables || {});
  return h('div', { data: { kind: 'activity', itemId: activity.id } },
    h('h3', { class: 'cc-subtitle', text: joinParts([mediaLabel(activity.media_type), request.title || t('request.untitled')]) }),
    h('dl', { class: 'cc-facts' },
      h('dt', { text: t('activity.state') }), h('dd', { text: t(`activity.states.${activity.state}`) }),
      activity.started_at && h('dt', { text: t('activity.started') }),
      activity.started_at && h('dd', { text: formatDate(activity.started_at) }),
      activity.ended_at && h('dt', { text: t('activity.ended') }),
      activity.ended_at && h('dd', { text: formatDate(activity.ended_at) }),
      activity.from && h('dt', { text: t('activity.from') }),
      activity.from && h('dd', {}, h('span', { class: 'cc-nobreak', text: activity.from })),
      activity.agent_id && h('dt', { text: t('activity.agent') }),
      activity.agent_id && h('dd', { text: activity.agent_id }),
      activity.tags.length > 0 && h('dt', { text: t('activity.tags') }),
      activity.tags.length > 0 && h('dd', { text: formatList(activity.tags.map((tag) => tag.name)) }),
      variables.flatMap(([name, value]) => [h('dt', { text: name }), h('dd', { text: value })])),
    activity.notes.length > 0 && h('ol', { class: 'cc-notes' }, activity.notes.map((note) => h('li', { class: 'cc-note' },
      h('p', { class: 'cc-note-text', text: note.text }),
      h('p', { class: 'cc-note-meta', text: joinParts([actorName(note.author), formatDate(note.created_at)]) })))));
}
