/**
 * The gadget's skeleton, built into the mount element (`#cc-root`), so that
 * index.html and gadget.xml carry only the mount point and the script.
 */

import { h, mount } from '../dom.js';

export function buildShell(root) {
  const regions = {
    header: h('header', { class: 'cc-header', data: { region: 'header' } }),
    agentState: h('div', { class: 'cc-state-bar', data: { region: 'agent-state' }, hidden: true }),
    notice: h('div', { class: 'cc-notice-area', data: { region: 'notice' } }),
    signin: h('section', { class: 'cc-signin', data: { region: 'signin' }, hidden: true }),
    problem: h('section', { class: 'cc-problem-area', data: { region: 'problem' }, hidden: true }),
    offer: h('section', { class: 'cc-offer-area', data: { region: 'offer' }, hidden: true }),
    // Offers are announced here, assertively: the card itself never takes the focus.
    announce: h('div', {
      class: 'cc-visually-hidden', 'aria-live': 'assertive', data: { testid: 'announce' },
    }),
    tasks: h('section', { class: 'cc-tasks-pane', data: { region: 'tasks' }, hidden: true }),
    lists: h('section', { class: 'cc-lists', data: { region: 'lists' } }),
    detail: h('section', { class: 'cc-detail', data: { region: 'detail' } }),
    dialog: h('dialog', { class: 'cc-dialog', data: { testid: 'dialog' } }),
  };
  // What must stay in sight however far the agent scrolled: state, notices, the offer. Sticky
  // at the top of the part of the gadget that is on screen (--cc-visible-top, viewport.js).
  regions.top = h('div', { class: 'cc-top', data: { region: 'top' } },
    regions.header, regions.agentState, regions.notice, regions.offer);
  // Wide: Tasks and Customer Management beside the detail.
  regions.main = h('main', { class: 'cc-main', data: { region: 'main' }, hidden: true },
    h('div', { class: 'cc-side' }, regions.tasks, regions.lists),
    regions.detail);
  mount(root, regions.top, regions.problem, regions.signin,
    regions.main, regions.dialog, regions.announce);
  root.classList.add('cc-app');
  return regions;
}
