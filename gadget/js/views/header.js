/** The top bar: who is signed in, whether live updates flow, sign-out. */

import { h, mount } from '../dom.js';
import { t } from '../i18n.js';

export function renderHeader(el, state, actions, { canSignOut }) {
  const live = state.phase === 'ready';
  mount(el,
    h('h1', { class: 'cc-title', text: t('app.title') }),
    live && state.agent && h('span', {
      class: 'cc-agent', data: { testid: 'agent' }, title: state.agent.name,
    }, state.agent.id),
    live && h('span', {
      class: 'cc-connection', role: 'status', data: { testid: 'connection', state: state.connection },
    }, h('span', { class: 'cc-dot', 'aria-hidden': 'true' }), t(`connection.${state.connection}`)),
    live && canSignOut && h('button', {
      type: 'button', class: 'cc-link', data: { action: 'sign-out' },
      on: { click: () => actions.signOut() },
    }, t('signin.signOut')),
  );
}
