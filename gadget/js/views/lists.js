/** R10: the Customer Management pane with its Open, Recent and Search tabs. */

import { debounce, h, mount, renderOnce, uid, withAddress } from '../dom.js';
import { formatDate, formatNumber, t } from '../i18n.js';
import { displayName, entryContact, entryName, joinParts, mediaLabel } from '../model.js';
import { elapsed } from './clock.js';
import { showTab, tabSet } from './tabs.js';

const TABS = ['open', 'recent', 'search'];
const SEARCH_DELAY_MS = 250;

export function renderLists(el, state, actions) {
  renderOnce(el, 'lists', () => skeleton(actions));
  const part = (name) => el.querySelector(`[data-part="${name}"]`);
  showTab(el, TABS, state.tab);
  part('open-count').textContent = state.open.length ? formatNumber(state.open.length) : '';
  renderOpen(part('open'), state, actions);
  renderRecent(part('recent'), state, actions);
  renderResults(part('results'), state, actions);
  const input = part('search-input');
  if (document.activeElement !== input && input.value !== state.searchQuery) {
    input.value = state.searchQuery;
  }
}

function skeleton(actions) {
  const searchId = uid('search');
  const { tablist, panel } = tabSet({
    label: t('lists.label'),
    tabs: TABS.map((tab) => ({ name: tab, text: t(`lists.${tab}`), count: tab === 'open' && 'open-count' })),
    select: (tab) => actions.setTab(tab),
    // Choosing Search is choosing to type: the box takes the focus (arrow keys keep it on the tab).
    chosen: (tab) => tab === 'search' && document.getElementById(searchId)?.focus(),
  });
  const runSearch = debounce((value) => actions.search(value), SEARCH_DELAY_MS);

  return [
    h('h2', { class: 'cc-visually-hidden', text: t('lists.label') }),
    tablist,
    panel('open', h('div', { data: { part: 'open' } })),
    panel('recent', h('div', { data: { part: 'recent' } })),
    panel('search',
      h('label', { for: searchId, class: 'cc-label', text: t('search.label') }),
      h('input', {
        id: searchId, type: 'search', autocomplete: 'off', spellcheck: 'false',
        class: 'cc-search', data: { part: 'search-input', testid: 'search-input' },
        placeholder: t('search.placeholder'),
        on: {
          input: (event) => runSearch(event.target.value),
          keydown: (event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              runSearch.cancel();
              actions.search(event.target.value);
            }
          },
        },
      }),
      h('div', { data: { part: 'results' } })),
  ];
}

/** How many customer messages came in this entry's chat or email since it was shown. */
export function unreadBadge(count) {
  return count > 0 && h('span', {
    class: 'cc-unread', data: { role: 'unread' }, 'aria-label': t('unread.label', { count }),
  }, String(count));
}

function renderOpen(el, state, actions) {
  if (!state.open.length) {
    mount(el, h('p', { class: 'cc-empty', text: t('lists.openEmpty') }));
    return;
  }
  mount(el, h('ul', { class: 'cc-list', data: { testid: 'open-list' } }, state.open.map((entry) => {
    const selected = entry.id === state.selectedEntryId;
    const media = entry.activity?.media_type;
    const contact = entryContact(entry);
    const wrapUp = entry.activity?.state === 'ended';
    return h('li', {
      class: entry.ringing ? 'cc-list-item cc-ringing' : 'cc-list-item', data: {
        testid: 'open-entry', entryId: entry.id, customerId: entry.customer_id ?? '',
        selected: selected ? 'true' : null, ringing: entry.ringing ? 'true' : null,
      },
    }, h('button', {
      type: 'button', class: 'cc-entry', 'aria-current': selected ? 'true' : null,
      data: { action: 'select-entry' },
      on: { click: () => actions.selectEntry(entry.id) },
    },
    h('span', { class: 'cc-entry-name', data: { role: 'entry-name' } }, entryName(entry),
      unreadBadge(state.unread[entry.activity_id])),
    contact && h('span', { class: 'cc-entry-contact', data: { role: 'entry-contact' } },
      withAddress(contact, entry.activity?.caller)),
    h('span', { class: 'cc-entry-meta' }, [
      // Offered, not answered yet: the caller popped up while the phone rings.
      entry.ringing && h('span', { class: 'cc-ringing-badge', data: { role: 'ringing' } },
        t('lists.ringing')),
      // Ended, still open: the agent's wrap-up.
      wrapUp && h('span', {
        class: 'cc-wrapup-badge', title: t('lists.wrapUpHint'), data: { role: 'wrapup' },
      }, t('lists.wrapUp')),
      media && h('span', { class: 'cc-media', data: { media, role: 'media' } }, mediaLabel(media)),
      h('span', { text: formatDate(entry.opened_at, 'time') }),
      entry.activity?.started_at && elapsed(entry.activity.started_at, entry.activity.ended_at,
        { data: { role: 'duration' } }),
    ])));
  })));
}

function renderRecent(el, state, actions) {
  if (!state.recent.length) {
    mount(el, h('p', { class: 'cc-empty', text: t('lists.recentEmpty') }));
    return;
  }
  mount(el, h('ul', { class: 'cc-list', data: { testid: 'recent-list' } }, state.recent.map((entry) => {
    const name = entryName(entry);
    const contact = entryContact(entry);
    const media = entry.activity?.media_type;
    return h('li', {
      class: 'cc-list-item cc-row', data: { testid: 'recent-entry', customerId: entry.customer_id ?? '' },
    },
    h('span', { class: 'cc-row-text' },
      h('span', { class: 'cc-entry-name', data: { role: 'entry-name' } }, name),
      contact && h('span', { class: 'cc-entry-contact', data: { role: 'entry-contact' } },
      withAddress(contact, entry.activity?.caller)),
      h('span', { class: 'cc-entry-meta' },
        media && h('span', { class: 'cc-media', data: { media } }, mediaLabel(media)),
        h('span', { text: t('lists.closedAt', { when: formatDate(entry.closed_at) }) }))),
    entry.customer_id && h('button', {
      type: 'button', data: { action: 'reopen' }, 'aria-label': t('lists.reopenNamed', { name }),
      on: { click: () => actions.reopen(entry.customer_id) },
    }, t('lists.reopen')));
  })));
}

function renderResults(el, state, actions) {
  if (state.searchBusy && !state.searchResults) {
    mount(el, h('p', { class: 'cc-empty', role: 'status', text: t('search.busy') }));
    return;
  }
  if (state.searchResults === null) {
    mount(el, h('p', { class: 'cc-hint', text: t('search.hint') }));
    return;
  }
  const results = state.searchResults;
  mount(el,
    h('p', {
      class: 'cc-hint', role: 'status', data: { testid: 'search-status' },
      text: results.length ? t('search.count', { count: formatNumber(results.length) }) : t('search.none'),
    }),
    results.length > 0 && h('ul', { class: 'cc-list', data: { testid: 'search-results' } },
      results.map((customer) => {
        const name = displayName(customer);
        const contact = joinParts([customer.emails?.[0], customer.phones?.[0]]);
        return h('li', {
          class: 'cc-list-item cc-row', data: { testid: 'search-result', customerId: customer.id },
        },
        h('span', { class: 'cc-row-text' },
          h('span', { class: 'cc-entry-name', data: { role: 'entry-name' } }, name),
          contact && h('span', { class: 'cc-entry-meta', text: contact })),
        h('button', {
          type: 'button', data: { action: 'reopen' }, 'aria-label': t('search.openNamed', { name }),
          on: { click: () => actions.reopen(customer.id) },
        }, t('search.open')));
      })));
}
