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
  // Wide: the offer across the top, Tasks and Customer Management beside the detail.
  regions.main = h('main', { class: 'cc-main', data: { region: 'main' }, hidden: true },
    regions.offer,
    h('div', { class: 'cc-side' }, regions.tasks, regions.lists),
    regions.detail);
  mount(root, regions.header, regions.agentState, regions.notice, regions.problem, regions.signin,
    regions.main, regions.dialog, regions.announce);
  root.classList.add('cc-app');
  return regions;
}
