/** The agent's lists: Open and Recent, the Search tab, and reopening a customer in Open. */

import { debounce } from '../dom.js';

// A list answer that was under way while a pushed Open-list change came may predate it:
// it is fetched again rather than shown, this many times at most.
const LIST_ATTEMPTS = 5;

export function installLists(ctx) {
  const { store, api, state } = ctx;
  let listEpoch = 0;
  let searchController = null;

  async function loadLists() {
    let open;
    let recent;
    for (let attempt = 1; attempt <= LIST_ATTEMPTS; attempt += 1) {
      const epoch = listEpoch;
      [open, recent] = await Promise.all([
        api.get('api/v1/me/open'),
        api.get('api/v1/me/recent'),
      ]);
      if (epoch === listEpoch) break;
    }
    store.set({ open, recent });
    if (state.selectedEntryId && !open.some((entry) => entry.id === state.selectedEntryId)) {
      ctx.clearSelection();
    }
    if (!state.selectedEntryId && open.length) await ctx.selectEntry(open[0].id);
  }

  const reloadListsSoon = debounce(() => loadLists().catch(ctx.report), 300);

  function setTab(tab) {
    store.set({ tab });
  }

  function upsertOpen(entry) {
    const open = state.open.filter((item) => item.id !== entry.id);
    open.unshift(entry);
    open.sort((a, b) => (b.opened_at || '').localeCompare(a.opened_at || '') || b.id - a.id);
    store.set({ open });
  }

  async function search(query) {
    searchController?.abort();
    const q = query.trim();
    store.quietly({ searchQuery: query });
    if (!q) {
      store.set({ searchResults: null, searchBusy: false });
      return;
    }
    searchController = new AbortController();
    store.set({ searchBusy: true });
    try {
      const results = await findCustomers(q, searchController.signal);
      store.set({ searchResults: results, searchBusy: false });
    } catch (error) {
      if (error.name === 'AbortError') return;
      store.set({ searchBusy: false });
      ctx.report(error);
    }
  }

  /** Customers by name, email or phone (the Search tab and the "Another customer…" picker). */
  async function findCustomers(query, signal) {
    const q = query.trim();
    if (!q) return [];
    return api.get('api/v1/customers', { query: { q, page_size: 20 }, signal });
  }

  async function reopen(customerId) {
    try {
      await openCustomer(customerId);
    } catch (error) {
      ctx.report(error);
    }
  }

  /**
   * The customer in the agent's Open list, selected (Reopen, and a host's cc:show-customer).
   * Resolves with the Open entry, or null when the agent kept unsaved changes; API errors throw.
   */
  async function openCustomer(customerId) {
    if (!(await ctx.settleUnsaved())) return null;
    const entry = await api.post('api/v1/me/open', { customer_id: customerId }).catch((error) => {
      // A host or an older list may still name a duplicate merged away: open its survivor.
      if (!error.merged_into) throw error;
      return api.post('api/v1/me/open', { customer_id: error.merged_into });
    });
    upsertOpen(entry);
    store.set({ tab: 'open' });
    await ctx.selectEntry(entry.id, { force: true, settled: true });
    reloadListsSoon();
    return entry;
  }

  /** Pushed Open-list changes make list answers under way stale. */
  function openListChanged() {
    listEpoch += 1;
  }

  return {
    loadLists, reloadListsSoon, setTab, upsertOpen, search, findCustomers, reopen, openCustomer,
    openListChanged,
  };
}
