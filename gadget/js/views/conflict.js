/** R9: the warning shown when someone else changed what the agent is looking at. */

import { h } from '../dom.js';
import { formatDate, t } from '../i18n.js';

export function conflictKey(conflict) {
  return conflict ? `${conflict.source}:${conflict.current?.version ?? conflict.changedAt}` : '';
}

export function conflictBanner(kind, state, actions) {
  const conflict = state.conflicts[kind];
  if (!conflict) return null;
  return h('div', {
    class: 'cc-conflict', role: 'alert', data: { testid: `conflict-${kind}`, source: conflict.source },
  },
  h('p', {
    class: 'cc-conflict-text',
    text: t(`conflict.${kind}`, {
      who: conflict.changedBy || t('conflict.someone'),
      when: formatDate(conflict.changedAt) || t('conflict.recently'),
    }),
  }),
  h('p', {
    class: 'cc-hint',
    text: t(conflict.source === 'save' ? 'conflict.saveHint' : 'conflict.pushHint'),
  }),
  h('div', { class: 'cc-actions' },
    h('button', {
      type: 'button', class: 'cc-primary', data: { action: 'conflict-load' },
      on: { click: () => actions.resolveConflict(kind, 'load') },
    }, t('conflict.load')),
    h('button', {
      type: 'button', data: { action: 'conflict-overwrite' },
      on: { click: () => actions.resolveConflict(kind, 'overwrite') },
    }, t('conflict.overwrite'))));
}
