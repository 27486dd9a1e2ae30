/**
 * Where the agent is looking: the part of the gadget's window that is visible on screen.
 *
 * Hosts size the gadget's iframe to its whole height (the demo desktop, Finesse's
 * adjustHeight), so the gadget's own window is not what the agent sees: the host page
 * scrolls. A host that reports its viewport (postMessage `cc:viewport`) is believed;
 * otherwise the browser says what of the gadget is visible (an IntersectionObserver's
 * first answer, which is clipped by every ancestor window, also across origins: Finesse).
 * Dialogs, the offer card and notices are placed inside this rectangle.
 */

let hostRect = null; // {top, height} in the gadget window's coordinates, from the host
const listeners = new Set();

function clip(rect) {
  const top = Math.max(0, Math.min(rect.top, window.innerHeight));
  const bottom = Math.max(top, Math.min(rect.top + rect.height, window.innerHeight));
  return { top, height: bottom - top };
}

/** The host's word: `top` pixels of the gadget are scrolled away, `height` are visible. */
export function setHostViewport(rect) {
  const top = Number(rect?.top);
  const height = Number(rect?.height);
  if (!Number.isFinite(top) || !Number.isFinite(height) || height <= 0) return false;
  hostRect = { top: Math.max(0, top), height };
  const shown = clip(hostRect);
  const { style } = document.documentElement;
  style.setProperty('--cc-visible-top', `${Math.round(shown.top)}px`);
  style.setProperty('--cc-visible-height', `${Math.round(shown.height)}px`);
  for (const listener of listeners) listener();
  return true;
}

export function onViewport(listener) {
  listeners.add(listener);
}

/** The visible rectangle of the gadget's window, {top, height}, in its own coordinates. */
export function visibleRect() {
  if (hostRect) return Promise.resolve(clip(hostRect));
  const whole = { top: 0, height: window.innerHeight };
  if (!('IntersectionObserver' in window)) return Promise.resolve(whole);
  return new Promise((resolve) => {
    const observer = new IntersectionObserver(([entry]) => {
      observer.disconnect();
      const seen = entry.intersectionRect;
      resolve(seen.height > 0 ? clip({ top: seen.top, height: seen.height }) : whole);
    });
    observer.observe(document.documentElement);
  });
}

/**
 * Place a fixed element (an open dialog) inside the visible rectangle: centred in it when it
 * fits, else at its top and scrolling inside.
 */
export async function placeInView(el) {
  const rect = await visibleRect();
  const margin = 8;
  el.style.maxHeight = `${Math.max(120, rect.height - 2 * margin)}px`;
  const { height } = el.getBoundingClientRect();
  el.style.top = `${Math.round(rect.top + Math.max(margin, (rect.height - height) / 2))}px`;
}
