/**
 * Tabs as WAI-ARIA describes them, for the panes (Open / Recent / Search, Queue /
 * In Progress): a tablist whose buttons show one panel each; arrow keys, Home and End
 * move between the tabs, Tab moves on into the panel.
 */

import { h, uid } from '../dom.js';

/**
 * `tabs`: [{name, text, count}] (count: the data-part of a badge inside the tab).
 * Returns the tablist and `panel(name, ...children)` to build each panel with.
 */
export function tabSet({ label, tabs, select, chosen }) {
  const names = tabs.map((tab) => tab.name);
  const tabIds = Object.fromEntries(names.map((name) => [name, uid(`tab-${name}`)]));
  const panelIds = Object.fromEntries(names.map((name) => [name, uid(`panel-${name}`)]));
  const tablist = h('div', {
    role: 'tablist', class: 'cc-tabs', 'aria-label': label,
    on: {
      keydown: (event) => {
        const index = names.indexOf(event.target.dataset.tab);
        if (index < 0) return;
        const next = {
          ArrowRight: (index + 1) % names.length,
          ArrowLeft: (index + names.length - 1) % names.length,
          Home: 0,
          End: names.length - 1,
        }[event.key];
        if (next === undefined) return;
        event.preventDefault();
        select(names[next]);
        tablist.querySelector(`[data-tab="${names[next]}"]`).focus();
      },
    },
  }, tabs.map((tab) => h('button', {
    type: 'button', role: 'tab', id: tabIds[tab.name], 'aria-controls': panelIds[tab.name],
    class: 'cc-tab', data: { tab: tab.name, testid: `tab-${tab.name}` },
    on: {
      click: () => {
        select(tab.name);
        chosen?.(tab.name);
      },
    },
  }, tab.text, tab.count && h('span', { class: 'cc-count', data: { part: tab.count } }))));
  const panel = (name, ...children) => h('div', {
    role: 'tabpanel', id: panelIds[name], 'aria-labelledby': tabIds[name], class: 'cc-panel',
    data: { panel: name },
  }, ...children);
  return { tablist, panel };
}

/** Mark `selected` as the chosen tab in `el` and show only its panel. */
export function showTab(el, names, selected) {
  for (const name of names) {
    const button = el.querySelector(`[data-tab="${name}"]`);
    const on = name === selected;
    button.setAttribute('aria-selected', String(on));
    button.tabIndex = on ? 0 : -1;
    el.querySelector(`[data-panel="${name}"]`).hidden = !on;
  }
}
