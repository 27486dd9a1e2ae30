/**
 * The gadget's skeleton, built into the mount element (`#cc-root`), so that
 * index.html and gadget.xml carry only the mount point and the script.
 */

import { h, mount } from '../dom.js';

export function buildShell(root) {
  const regions = {
    header: h('header', { class: 'cc-header', data: { region: 'header' } }),
    notice: h('div', { class: 'cc-notice-area', data: { region: 'notice' } }),
    signin: h('section', { class: 'cc-signin', data: { region: 'signin' }, hidden: true }),
    lists: h('section', { class: 'cc-lists', data: { region: 'lists' } }),
    detail: h('section', { class: 'cc-detail', data: { region: 'detail' } }),
    dialog: h('dialog', { class: 'cc-dialog', data: { testid: 'dialog' } }),
  };
  regions.main = h('main', { class: 'cc-main', data: { region: 'main' }, hidden: true },
    regions.lists, regions.detail);
  mount(root, regions.header, regions.notice, regions.signin, regions.main, regions.dialog);
  root.classList.add('cc-app');
  return regions;
}
