/**
 * The selected Open entry: customer, communication panel, request, activity and journey,
 * or what to do first.
 */

import { h, mount, renderOnce } from '../dom.js';
import { t } from '../i18n.js';
import { selectedEntry } from '../model.js';

export function detailSections(el) {
  renderOnce(el, 'detail', () => [
    h('p', { class: 'cc-empty', data: { part: 'empty', testid: 'detail-empty' } }),
    h('section', { class: 'cc-section cc-customer', data: { part: 'customer', testid: 'customer-section' } }),
    h('section', { class: 'cc-section cc-comm-section', hidden: true, data: { part: 'comm', testid: 'comm-section' } }),
    h('section', { class: 'cc-section cc-request', data: { part: 'request', testid: 'request-section' } }),
    h('section', { class: 'cc-section cc-activity', data: { part: 'activity', testid: 'activity-section' } }),
    h('section', { class: 'cc-section cc-journey-section', data: { part: 'journey', testid: 'journey-section' } }),
  ]);
  const part = (name) => el.querySelector(`[data-part="${name}"]`);
  return {
    empty: part('empty'),
    customer: part('customer'),
    comm: part('comm'),
    request: part('request'),
    activity: part('activity'),
    journey: part('journey'),
  };
}

export function renderDetailState(sections, state, actions) {
  const entry = selectedEntry(state);
  const nothing = state.detailFailed && !state.customer && !state.activity && !state.request;
  const message = !entry ? 'detail.empty' : state.detailLoading ? 'detail.loading'
    : nothing ? 'detail.failed' : null;
  sections.empty.hidden = !message;
  mount(sections.empty, message ? t(message) : '', nothing && h('button', {
    type: 'button', class: 'cc-retry', data: { action: 'retry-detail' },
    on: { click: () => actions.loadDetail({ keepForm: true }) },
  }, t('action.retry')));
  sections.empty.setAttribute('role', 'status');
  for (const name of ['customer', 'request', 'activity', 'journey']) {
    sections[name].hidden = Boolean(message);
  }
  sections.journey.hidden = Boolean(message) || !state.journey;
}
