/**
 * The one way the gadget builds DOM: `h(tag, props, ...children)`.
 *
 * Text and values go in through textContent / .value / setAttribute only, so
 * server and user data can never become markup. There is deliberately no
 * innerHTML anywhere in the gadget.
 */

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'hidden', 'readOnly', 'selected',
  'draggable', 'required', 'maxLength', 'type', 'htmlFor', 'open']);

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = value;
    else if (key === 'data') {
      for (const [name, item] of Object.entries(value)) {
        if (item !== undefined && item !== null) el.dataset[name] = String(item);
      }
    } else if (key === 'on') {
      for (const [type, handler] of Object.entries(value)) el.addEventListener(type, handler);
    } else if (PROPERTIES.has(key)) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children) {
    if (child === undefined || child === null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace a container's content. */
export function mount(container, ...children) {
  container.replaceChildren();
  append(container, children);
  return container;
}

/**
 * Rebuild `container` only when `key` changed since the last build: forms keep
 * focus, caret and what the agent typed while unrelated state changes.
 */
export function renderOnce(container, key, build) {
  if (container.dataset.renderKey === key) return false;
  container.dataset.renderKey = key;
  mount(container, build());
  return true;
}

/**
 * mount(), keeping keyboard focus on the control with the same `data-key` in the new
 * content: a list that re-renders under the agent must not throw their focus away.
 */
export function remount(container, ...children) {
  const active = document.activeElement;
  const key = container.contains(active) ? active.dataset.key : undefined;
  mount(container, ...children);
  if (key) container.querySelector(`[data-key="${CSS.escape(key)}"]`)?.focus();
  return container;
}

/** Empty a container and forget what renderOnce built there, so the next build runs. */
export function unrender(container) {
  delete container.dataset.renderKey;
  mount(container);
}

/** `text` whose trailing `address` (a phone number, an email) never breaks across lines. */
export function withAddress(text, address) {
  if (!address || !text.endsWith(address)) return text;
  return [text.slice(0, -address.length), h('span', { class: 'cc-nobreak', text: address })];
}

/** A stable id for label/aria wiring. */
let nextId = 0;
export function uid(prefix = 'cc') {
  nextId += 1;
  return `${prefix}-${nextId}`;
}

export function debounce(fn, ms) {
  let timer;
  const wrapped = (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  wrapped.cancel = () => clearTimeout(timer);
  return wrapped;
}
