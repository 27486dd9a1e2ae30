/** R13: the agent's state switch, under the header: Ready, or Not Ready with a reason. */

import { h, renderOnce, uid, unrender } from '../dom.js';
import { t } from '../i18n.js';
import { reasonLabel, stateLabel } from '../model.js';

export function renderAgentState(el, state, actions) {
  const agentState = state.careDesktop && state.phase === 'ready' ? state.agentState : null;
  el.hidden = !agentState;
  if (!agentState) {
    unrender(el);
    return;
  }
  // Focus stays on the switch when it turns into the other button.
  const focused = el.contains(document.activeElement);
  const key = [agentState.state, agentState.reason, agentState.reasons.join()].join('|');
  if (renderOnce(el, key, () => build(agentState, actions)) && focused) {
    el.querySelector('[data-key="switch"]').focus();
  }
  el.firstChild.setAttribute('aria-busy', String(state.stateBusy));
}

function build(agentState, actions) {
  const ready = agentState.state === 'ready';
  const selectId = uid('reason');
  const reason = h('select', { id: selectId, data: { testid: 'state-reason' } },
    h('option', { value: '', text: t('state.noReason') }),
    agentState.reasons.map((code) => h('option', { value: code, text: reasonLabel(code) })));
  return h('div', {
    class: 'cc-state', role: 'group', 'aria-label': t('state.label'),
    data: { testid: 'agent-state', state: agentState.state, reason: agentState.reason || '' },
  },
  h('span', { class: 'cc-state-label', role: 'status', data: { testid: 'agent-state-label' } },
    h('span', { class: 'cc-state-dot', 'aria-hidden': 'true' }),
    stateLabel(agentState)),
  ready
    ? h('span', { class: 'cc-state-controls' },
      h('label', { for: selectId, class: 'cc-visually-hidden', text: t('state.reasonLabel') }),
      reason,
      h('button', {
        type: 'button', data: { action: 'go-not-ready', key: 'switch' },
        on: { click: () => actions.setAgentState('not_ready', reason.value) },
      }, t('state.goNotReady')))
    : h('button', {
      type: 'button', class: 'cc-primary', data: { action: 'go-ready', key: 'switch' },
      on: { click: () => actions.setAgentState('ready') },
    }, t('state.goReady')));
}
