/** The standalone sign-in form: agent id and password for a token. */

import { h, renderOnce, uid } from '../dom.js';
import { t } from '../i18n.js';

export function renderSignin(el, state, actions) {
  el.hidden = state.phase !== 'signin';
  if (el.hidden) {
    delete el.dataset.renderKey;
    return;
  }
  renderOnce(el, `signin|${state.signinError?.key || ''}`, () => {
    const idField = uid('agent');
    const passwordField = uid('password');
    const errorId = uid('signin-error');
    const form = h('form', {
      class: 'cc-signin-form', data: { testid: 'signin-form' }, novalidate: true,
      'aria-describedby': state.signinError ? errorId : null,
      on: {
        submit: (event) => {
          event.preventDefault();
          const data = new FormData(form);
          actions.signIn(String(data.get('agent_id') || ''), String(data.get('password') || ''));
        },
      },
    },
    h('h2', { text: t('signin.title') }),
    h('p', { class: 'cc-hint', text: t('signin.intro') }),
    h('label', { for: idField, text: t('signin.agentId') }),
    h('input', {
      id: idField, name: 'agent_id', autocomplete: 'username', required: true,
      value: state.signinAgentId || '', data: { testid: 'signin-agent' },
    }),
    h('label', { for: passwordField, text: t('signin.password') }),
    h('input', {
      id: passwordField, name: 'password', type: 'password', autocomplete: 'current-password',
      required: true, data: { testid: 'signin-password' },
    }),
    state.signinError && h('p', {
      id: errorId, class: 'cc-error', role: 'alert', data: { testid: 'signin-error' },
      text: t(state.signinError.key),
    }),
    h('button', { type: 'submit', class: 'cc-primary', data: { action: 'sign-in' } },
      t('signin.submit')));
    return form;
  });
}
