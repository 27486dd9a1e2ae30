/** Why the gadget cannot work on this desktop, and what to check: instead of a blank frame. */

import { h, renderOnce } from '../dom.js';
import { t } from '../i18n.js';

export function renderProblem(el, state) {
  el.hidden = state.phase !== 'problem';
  if (el.hidden) {
    delete el.dataset.renderKey;
    return;
  }
  const { key, params } = state.problem;
  renderOnce(el, `problem|${key}`, () => h('div', {
    class: 'cc-problem', role: 'alert', data: { testid: 'host-problem', problem: key },
  },
  h('h2', { text: t('host.problemTitle') }),
  h('p', { text: t(key, params) })));
}
