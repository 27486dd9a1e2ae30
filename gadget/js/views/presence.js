/**
 * Issue 14: who else is viewing the shown customer, under its name ("Also viewing: Bob
 * (since 10:42)"), and a warning in its edit form. Filled in apart from the customer
 * section's build, so a viewer coming or going never rebuilds a form being typed in.
 */

import { h } from '../dom.js';
import { formatDate, formatList, t } from '../i18n.js';

/** Where renderPresence writes: an empty line the customer section places. */
export function presenceSlot(part) {
  // A status: a screen reader hears an agent come or go without moving focus.
  return h('p', { class: `cc-${part}`, role: 'status', hidden: true, data: { part, testid: part } });
}

/** Today's time alone; a view open since an earlier day says the day too. */
function sinceText(iso) {
  const today = new Date(iso).toDateString() === new Date().toDateString();
  return formatDate(iso, today ? 'time' : 'datetime');
}

function fill(slot, text) {
  if (!slot) return;
  slot.hidden = !text;
  slot.textContent = text; // names are data: text only
}

export function renderPresence(section, state, actions) {
  const others = actions.othersViewing();
  const name = (viewer) => viewer.name || viewer.agent_id;
  fill(section.querySelector('[data-part="presence"]'), others.length ? t('presence.line', {
    who: formatList(others.map((viewer) => t('presence.viewer', {
      name: name(viewer), since: sinceText(viewer.since),
    }))),
  }) : '');
  fill(section.querySelector('[data-part="presence-warning"]'), others.length
    ? t(others.length === 1 ? 'presence.warningOne' : 'presence.warningMany',
      { who: formatList(others.map(name)) })
    : '');
}
