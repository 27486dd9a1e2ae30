/** One line that says what just happened or what went wrong. */

import { h, mount } from '../dom.js';
import { t } from '../i18n.js';

export function renderNotice(el, state, actions) {
  const notice = state.notice;
  if (!notice) {
    mount(el);
    return;
  }
  mount(el, h('div', {
    class: `cc-notice cc-notice-${notice.kind}`,
    role: notice.kind === 'error' ? 'alert' : 'status',
    data: { testid: 'notice', kind: notice.kind },
  },
  h('span', { class: 'cc-notice-text', text: t(notice.key, notice.params) }),
  notice.detail && h('span', { class: 'cc-notice-detail', text: notice.detail }),
  notice.undo && h('button', {
    type: 'button', class: 'cc-link', data: { action: 'undo' },
    on: {
      click: () => {
        actions.dismissNotice();
        notice.undo();
      },
    },
  }, t('action.undo')),
  h('button', {
    type: 'button', class: 'cc-icon-button cc-dismiss', 'aria-label': t('action.dismiss'),
    data: { action: 'dismiss-notice' }, on: { click: () => actions.dismissNotice() },
  })));
}
