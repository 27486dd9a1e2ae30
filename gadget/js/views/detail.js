/**
 * The selected Open entry: customer, communication panel, request, activity and journey,
 * or what to do first.
 */

import { h, renderOnce } from '../dom.js';
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

export function renderDetailState(sections, state) {
  const entry = selectedEntry(state);
  const message = !entry ? 'detail.empty' : state.detailLoading ? 'detail.loading' : null;
  sections.empty.hidden = !message;
  sections.empty.textContent = message ? t(message) : '';
  sections.empty.setAttribute('role', 'status');
  for (const name of ['customer', 'request', 'activity', 'journey']) {
    sections[name].hidden = Boolean(message);
  }
  sections.journey.hidden = Boolean(message) || !state.journey;
}
