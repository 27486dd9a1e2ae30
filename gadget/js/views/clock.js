/**
 * What changes with time alone: how long a call has run or a customer has waited, and the
 * seconds left to accept an offer. Views build these elements; app.js calls `tick` on the
 * whole gadget every quarter second, which updates their text in place (no re-render, so
 * focus and typing are never disturbed).
 */

import { h } from '../dom.js';
import { formatNumber, t } from '../i18n.js';
import { serverNow } from '../model.js';

/** 00:42, 12:05, 1:02:03. */
export function formatDuration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const pad = (n) => String(n).padStart(2, '0');
  const hours = Math.floor(total / 3600);
  const rest = `${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
  return hours ? `${hours}:${rest}` : rest;
}

function elapsedText(since, until) {
  const start = Date.parse(since);
  if (!Number.isFinite(start)) return '–';
  const end = until ? Date.parse(until) : serverNow();
  return formatDuration(end - start);
}

/** Time from `since` (ISO) until `until` (ISO), or until now, ticking while it runs. */
export function elapsed(since, until = null, props = {}) {
  return h('time', {
    ...props, class: 'cc-elapsed',
    data: { ...props.data, since: since || '', until: until || null },
    text: elapsedText(since, until),
  });
}

export function secondsLeft(deadline, now = Date.now()) {
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}

/** "12 s" to a local deadline (ms); with `progress`, a bar emptying towards it. */
export function countdown(deadline, total, props = {}) {
  const left = Math.max(0, deadline - Date.now()) / 1000;
  if (props.progress) {
    return h('progress', {
      ...props, progress: null, max: String(total), value: String(left),
      data: { ...props.data, deadline },
    });
  }
  return h('span', {
    ...props, data: { ...props.data, deadline },
    text: t('offer.seconds', { seconds: formatNumber(secondsLeft(deadline)) }),
  });
}

export function tick(root) {
  const now = Date.now();
  for (const el of root.querySelectorAll('time[data-since]')) {
    if (el.dataset.until) continue;
    const text = elapsedText(el.dataset.since, null);
    if (el.textContent !== text) el.textContent = text;
  }
  for (const el of root.querySelectorAll('[data-deadline]')) {
    const deadline = Number(el.dataset.deadline);
    if (el.tagName === 'PROGRESS') {
      el.value = Math.max(0, deadline - now) / 1000;
    } else {
      const text = t('offer.seconds', { seconds: formatNumber(secondsLeft(deadline, now)) });
      if (el.textContent !== text) el.textContent = text;
    }
  }
}
