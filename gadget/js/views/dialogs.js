/**
 * Modal questions on the native <dialog>: focus moves in and back, Escape
 * cancels. `ask` offers buttons; `pickCustomer` offers Open customers and a search; `show`
 * shows other content (a form with method="dialog"), resolving with the button's value.
 * A dialog opens inside the part of the gadget the agent sees (viewport.js), not in the
 * middle of an iframe that its host made as tall as the gadget.
 */

import { debounce, h, mount, uid } from '../dom.js';
import { t } from '../i18n.js';
import { displayName, joinParts } from '../model.js';
import { placeInView } from '../viewport.js';

export function createDialogs(dialog) {
  function show(content, labelId, focusSelector) {
    if (dialog.open) dialog.close('cancel');
    mount(dialog, content);
    dialog.setAttribute('aria-labelledby', labelId);
    dialog.returnValue = '';
    const opener = document.activeElement;
    dialog.style.top = '0px';
    dialog.showModal();
    dialog.querySelector(focusSelector)?.focus({ preventScroll: true });
    placeInView(dialog);
    return new Promise((resolve) => {
      dialog.addEventListener('close', () => {
        resolve(dialog.returnValue || 'cancel');
        if (opener && opener.isConnected) opener.focus();
      }, { once: true });
    });
  }

  /** Resolve with the id of the chosen action, or 'cancel'. */
  function ask({ title, message, actions }) {
    const labelId = uid('dialog-title');
    const content = h('form', { method: 'dialog', class: 'cc-dialog-body' },
      h('h2', { id: labelId, text: title }),
      h('p', { text: message }),
      h('div', { class: 'cc-actions' }, actions.map((action) => h('button', {
        value: action.id, class: action.primary ? 'cc-primary' : null,
        data: { action: `dialog-${action.id}` },
      }, action.label))));
    return show(content, labelId, '.cc-primary');
  }

  /**
   * Resolve with a customer id from the agent's Open list (or `listTitle`'s customers) or a
   * search, or null.
   */
  async function pickCustomer({ exclude, open, find, title = t('pick.title'), listTitle = t('pick.fromOpen') }) {
    const labelId = uid('dialog-title');
    const searchId = uid('pick-search');
    const choose = (id) => dialog.close(String(id));
    const option = (customer) => h('li', {},
      h('button', {
        type: 'button', class: 'cc-entry', data: { action: 'pick-customer', customerId: customer.id },
        on: { click: () => choose(customer.id) },
      },
      h('span', { class: 'cc-entry-name', text: displayName(customer) }),
      h('span', { class: 'cc-entry-meta', text: joinParts([customer.emails?.[0], customer.phones?.[0]]) })));
    const seen = new Set([exclude]);
    const openCustomers = open.map((entry) => entry.customer).filter((customer) => {
      if (seen.has(customer.id)) return false;
      seen.add(customer.id);
      return true;
    });
    const results = h('ul', { class: 'cc-list', data: { testid: 'pick-results' } });
    const status = h('p', { class: 'cc-hint', role: 'status' });
    const search = debounce(async (query) => {
      try {
        const found = (await find(query)).filter((customer) => customer.id !== exclude);
        mount(results, found.map(option));
        status.textContent = query.trim() ? (found.length ? '' : t('search.none')) : '';
      } catch {
        status.textContent = t('error.status.0');
      }
    }, 250);
    const content = h('form', { method: 'dialog', class: 'cc-dialog-body' },
      h('h2', { id: labelId, text: title }),
      openCustomers.length > 0 && h('h3', { class: 'cc-subtitle', text: listTitle }),
      openCustomers.length > 0 && h('ul', { class: 'cc-list', data: { testid: 'pick-open' } },
        openCustomers.map(option)),
      h('label', { for: searchId, class: 'cc-label', text: t('search.label') }),
      h('input', {
        id: searchId, type: 'search', autocomplete: 'off', data: { testid: 'pick-search' },
        on: {
          input: (event) => search(event.target.value),
          keydown: (event) => {
            if (event.key === 'Enter') event.preventDefault();
          },
        },
      }),
      status,
      results,
      h('div', { class: 'cc-actions' },
        h('button', { value: 'cancel', data: { action: 'dialog-cancel' } }, t('action.cancel'))));
    const value = await show(content, labelId, 'input[type="search"]');
    const id = Number(value);
    return Number.isInteger(id) && id > 0 ? id : null;
  }

  return { ask, pickCustomer, show };
}
