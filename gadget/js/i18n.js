/**
 * Strings and dates in the agent's language (R19).
 *
 * One JSON catalogue per language in ../i18n/. The locale comes from the host
 * (Finesse config or the postMessage init), then the browser, then English.
 */

export const LOCALES = ['en', 'de', 'nl', 'nb', 'sr-Latn'];

let current = 'en';
let messages = {};
let fallback = {};

/** The supported locale for a BCP 47 or Java-style (`de_DE`) tag, or null. */
export function matchLocale(tag) {
  if (!tag || typeof tag !== 'string') return null;
  const parts = tag.replace(/_/g, '-').toLowerCase().split('-');
  const [language] = parts;
  if (language === 'sr') return 'sr-Latn'; // Serbian is offered in Latin script only.
  if (language === 'nb' || language === 'no' || language === 'nn') return 'nb';
  return LOCALES.find((locale) => locale.toLowerCase() === language) || null;
}

export function pickLocale(candidates) {
  for (const candidate of candidates) {
    const locale = matchLocale(candidate);
    if (locale) return locale;
  }
  return 'en';
}

async function catalogue(locale) {
  const response = await fetch(new URL(`../i18n/${locale}.json`, import.meta.url), {
    credentials: 'omit',
  });
  if (!response.ok) throw new Error(`catalogue ${locale}: ${response.status}`);
  return response.json();
}

/** Load the best catalogue for these candidates; returns the chosen locale. */
export async function loadLocale(candidates) {
  const locale = pickLocale(candidates.filter(Boolean));
  // Every catalogue has every key (a test keeps them so): English is fetched only when the
  // agent's catalogue cannot be, not on every start.
  try {
    messages = await catalogue(locale);
    current = locale;
  } catch {
    if (!Object.keys(fallback).length) fallback = await catalogue('en');
    messages = fallback;
    current = 'en';
  }
  return current;
}

export function locale() {
  return current;
}

/** The message for `key` with `{name}` placeholders filled in. */
export function t(key, params = {}) {
  const template = messages[key] ?? fallback[key] ?? key;
  return template.replace(/\{(\w+)\}/g, (match, name) => (
    params[name] === undefined || params[name] === null ? match : String(params[name])
  ));
}

export function hasKey(key) {
  return key in messages || key in fallback;
}

const formats = new Map();

function formatter(style) {
  const key = `${current}|${style}`;
  if (!formats.has(key)) {
    const options = {
      datetime: { dateStyle: 'medium', timeStyle: 'short' },
      date: { dateStyle: 'medium' },
      time: { timeStyle: 'short' },
    }[style];
    formats.set(key, new Intl.DateTimeFormat(current, options));
  }
  return formats.get(key);
}

/** A timestamp from the API, in the agent's locale; '' for none. */
export function formatDate(iso, style = 'datetime') {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return formatter(style).format(date);
}

export function formatNumber(value) {
  return new Intl.NumberFormat(current).format(value);
}

export function formatList(items) {
  return new Intl.ListFormat(current, { type: 'unit', style: 'short' }).format(items);
}
