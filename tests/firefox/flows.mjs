// The gadget's main agent flows in Firefox (R20): Debian's firefox-esr, driven by
// puppeteer-core over WebDriver BiDi, against a running Customer Context service.
//
//   node flows.mjs      (settings from the environment; the first five are required)
//   CC_URL              the service, e.g. http://127.0.0.1:8000
//   CC_ADMIN_TOKEN      sets up customers and reads back what the gadget stored
//   CC_CONNECTOR_TOKEN  the phone system / chat connector (its key's webhook gets replies)
//   CC_AGENTS           two agent ids, "alice,bob", both with the password CC_PASSWORD
//   FIREFOX             the browser (default /usr/bin/firefox-esr)
//   CC_FINESSE          optional: the gadget in a Finesse desktop, as JSON {desktop, control,
//                       agent, password, call, answer} (tests/standins/finesse: its desktop
//                       URL, its control URL, a Finesse agent, a ringing dialog, its answer)
//   CC_ARTIFACTS        where a failure's screenshots go (default test-artifacts/firefox)
//
// It prints one line per flow and stops at the first failure with exit status 1, a message
// naming what was awaited and what the page showed instead, and a screenshot of each page.
// The page is found by its data-* hooks (data-testid, data-action, data-state...), never by
// layout, so the flows outlast changes of the gadget's look.

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer from 'puppeteer-core';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const TIMEOUT = 10_000; // ms for anything the page should show
const LAUNCH_TIMEOUT = 60_000;
const RUN_LIMIT = 180_000; // the whole run: a hang ends here, Firefox with it

function setting(name, fallback) {
  const value = process.env[name] ?? fallback;
  if (!value) {
    console.error(`flows.mjs: ${name} is not set`);
    process.exit(2);
  }
  return value;
}

const URL_BASE = setting('CC_URL').replace(/\/$/, '');
const ADMIN = setting('CC_ADMIN_TOKEN');
const CONNECTOR = setting('CC_CONNECTOR_TOKEN');
const [ALICE, BOB] = setting('CC_AGENTS').split(',');
const PASSWORD = setting('CC_PASSWORD');
const FIREFOX = setting('FIREFOX', '/usr/bin/firefox-esr');
const ARTIFACTS = setting('CC_ARTIFACTS', path.resolve(HERE, '../../test-artifacts/firefox'));
const FINESSE = process.env.CC_FINESSE ? JSON.parse(process.env.CC_FINESSE) : null;
const RUN = Date.now().toString(36); // event ids unique to this run

class FlowError extends Error {}

function check(condition, message) {
  if (!condition) throw new FlowError(message);
}

// --- the service's API, for what the flows are not about -------------------------------

/**
 * One call, on a connection of its own: gunicorn closes an idle keep-alive connection after
 * 2 s, and a request sent on a pooled one just then would fail for no fault of the service.
 */
function request(method, url, body, headers) {
  const client = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method, headers, agent: false, timeout: TIMEOUT,
    }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => { text += chunk; });
      response.on('end', () => resolve({ status: response.statusCode, text }));
      response.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${TIMEOUT / 1000} s`)));
    req.on('error', reject);
    req.end(body);
  });
}

async function api(method, urlPath, body, token = ADMIN) {
  let answer;
  try {
    answer = await request(method, URL_BASE + urlPath,
      body === undefined ? undefined : JSON.stringify(body),
      { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' });
  } catch (error) {
    throw new FlowError(`${method} ${urlPath} got no answer: ${error.code || ''} ${error.message}`);
  }
  const { status, text } = answer;
  check(status >= 200 && status < 300, `${method} ${urlPath} answered ${status}: ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

let eventNumber = 0;

function contactEvent(type, fields) {
  eventNumber += 1;
  return api('POST', '/api/v1/contact-events', {
    event_id: `ff-${RUN}-${eventNumber}`, source: 'pbx', media_type: 'voice', type, ...fields,
  }, CONNECTOR);
}

/** Polls `read()` (the API, mostly) until `test(value)` holds: what the gadget did is stored. */
async function stored(what, read, test) {
  const deadline = Date.now() + TIMEOUT;
  let value;
  for (;;) {
    value = await read();
    if (test(value)) return value;
    if (Date.now() > deadline) {
      throw new FlowError(`${what}: not so within ${TIMEOUT / 1000} s; last read: ${
        JSON.stringify(value).slice(0, 400)}`);
    }
    await new Promise((resolve) => { setTimeout(resolve, 100); });
  }
}

// --- the page, by its hooks -----------------------------------------------------------

const sel = (testid, extra = '') => `[data-testid="${testid}"]${extra}`;
const action = (name) => `[data-action="${name}"]`;

/**
 * Waits until the elements matching `selector` are as wanted:
 *   count: how many; nth: which one the rest is about (0, the first, unless said);
 *   visible; text: its text contains this; exact: its text is this (trimmed);
 *   value: an input's value; attrs: {name: value} on it.
 */
async function expectEl(page, selector, want = {}) {
  await toFront(page);
  const probe = (s, w) => {
    const els = [...document.querySelectorAll(s)];
    if (w.count !== undefined) return els.length === w.count;
    const el = els[w.nth ?? 0];
    if (!el) return false;
    if (w.visible && !(el.getClientRects().length && getComputedStyle(el).visibility !== 'hidden')) {
      return false;
    }
    const text = el.innerText ?? el.textContent;
    if (w.text !== undefined && !text.includes(w.text)) return false;
    if (w.exact !== undefined && text.trim() !== w.exact) return false;
    if (w.value !== undefined && el.value !== w.value) return false;
    return Object.entries(w.attrs || {}).every(([k, v]) => el.getAttribute(k) === String(v));
  };
  try {
    await page.waitForFunction(probe, { timeout: TIMEOUT, polling: 100 }, selector, want);
  } catch (error) {
    const seen = await page.evaluate((s, n) => {
      const els = [...document.querySelectorAll(s)];
      const el = els[n];
      return {
        count: els.length,
        first: el ? el.outerHTML.replace(/\s+/g, ' ').slice(0, 300) : null,
        value: el && 'value' in el ? el.value : undefined,
        notice: document.querySelector('[data-testid="notice"]')?.textContent || null,
        clicks: (window.ccClicks || []).slice(-3), // what the page last saw clicked
      };
    }, selector, want.nth ?? 0).catch((e) => ({ error: e.message }));
    throw new FlowError(`${page.agent}: waited ${TIMEOUT / 1000} s for ${selector} ${
      JSON.stringify(want)}; the page has ${JSON.stringify(seen)} (${error.message.split('\n')[0]})`);
  }
}

let front = null;

/**
 * Each agent has a browser of their own, in front; here the agents' pages are tabs of one
 * browser, and Firefox gives a tab in the background no animation frames, which a click
 * waits for (a stable position). So the page acted on is brought to the front first.
 */
async function toFront(target) {
  // A frame (the gadget inside a host page) is in front with its page.
  const page = typeof target.page === 'function' ? target.page() : target;
  if (front === page) return;
  await page.bringToFront();
  front = page;
}

async function click(page, selector) {
  await expectEl(page, selector, { visible: true });
  try {
    await page.locator(selector).setTimeout(TIMEOUT).click();
  } catch (error) {
    throw new FlowError(`${page.agent}: could not click ${selector}: ${error.message.split('\n')[0]}`);
  }
}

async function fill(page, selector, text) {
  await expectEl(page, selector, { visible: true });
  await page.locator(selector).setTimeout(TIMEOUT).fill(text);
  await expectEl(page, selector, { value: text });
}

const NARROW = { width: 360, height: 900 };

/** Nothing wider than the page: no sideways scrolling in a narrow side panel. */
async function fitsWidth(page, what) {
  const [scroll, width] = await page.evaluate(() => [
    document.documentElement.scrollWidth, document.documentElement.clientWidth]);
  if (scroll > width) {
    const widest = await page.evaluate((w) => [...document.querySelectorAll('#cc-root *')]
      .filter((el) => el.getBoundingClientRect().right > w + 0.5)
      .slice(-3).map((el) => `${el.tagName.toLowerCase()}.${el.className} right=${
        Math.round(el.getBoundingClientRect().right)}`), width);
    throw new FlowError(`${page.agent}: ${what} is ${scroll} px wide in a ${width} px page: ${widest.join(', ')}`);
  }
}

// --- the browser -----------------------------------------------------------------------

const pages = [];
const pageErrors = [];

async function agentPage(browser, agent) {
  // A browser context of its own per agent: its own sessionStorage, as two agents' browsers.
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  page.agent = agent;
  front = page;
  await page.setViewport({ width: 900, height: 1000 });
  // The page keeps a note of what it saw clicked: a failure says whether a click arrived.
  await page.evaluateOnNewDocument(() => {
    window.ccClicks = [];
    document.addEventListener('click', (event) => {
      const el = event.target.closest?.('[data-action], [data-testid]');
      window.ccClicks.push(el ? `${el.dataset.action || el.dataset.testid}@${Math.round(
        performance.now())}ms` : `${event.target.tagName}@${Math.round(performance.now())}ms`);
    }, true);
  });
  page.on('pageerror', (error) => pageErrors.push(`${agent}: ${error.message}`));
  page.on('dialog', async (dialog) => {
    pageErrors.push(`${agent}: unexpected dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  pages.push(page);
  return page;
}

async function signIn(page, agent) {
  await page.goto(`${URL_BASE}/gadget/index.html`, { waitUntil: 'load', timeout: TIMEOUT });
  await fill(page, sel('signin-agent'), agent);
  await fill(page, sel('signin-password'), PASSWORD);
  await click(page, action('sign-in'));
  await expectEl(page, sel('tab-open'), { visible: true });
  await expectEl(page, sel('agent'), { exact: agent });
  await expectEl(page, sel('connection'), { attrs: { 'data-state': 'live' } });
}

/** The customer form in edit mode, opening it first if it is folded away. */
async function editCustomer(page) {
  const shown = await page.$eval(sel('customer-form'), (form) => !form.hidden).catch(() => false);
  if (!shown) await click(page, sel('customer-name'));
  await click(page, action('edit-customer'));
  await expectEl(page, sel('customer-form'), { attrs: { 'data-mode': 'edit' } });
}

// --- the flows -------------------------------------------------------------------------

const ctx = {}; // what one flow leaves for the next

const FLOWS = [
  ['sign in', async ({ browser }) => {
    ctx.alice = await agentPage(browser, ALICE);
    await signIn(ctx.alice, ALICE);
    await expectEl(ctx.alice, sel('detail-empty'), { visible: true });
  }],

  ['a call arrives and the gadget shows the customer', async () => {
    const page = ctx.alice;
    ctx.ada = await api('POST', '/api/v1/customers', {
      first_name: 'Ada', last_name: 'Lovelace', city: 'London', phones: ['+1 415 555 0100'],
    });
    ctx.call = (await contactEvent('accepted', {
      contact_id: `ff-call-${RUN}`, agent_id: ALICE, from: '+1 (415) 555-0100', to: '1000',
    })).activity;
    await expectEl(page, sel('open-entry', `[data-customer-id="${ctx.ada.id}"]`), { text: 'Ada Lovelace' });
    await expectEl(page, sel('customer-name'), { exact: 'Ada Lovelace', attrs: { 'data-known': 'true' } });
    await expectEl(page, sel('journey-activity', `[data-activity-id="${ctx.call.id}"]`), { visible: true });
  }],

  ['edit and save the customer', async () => {
    const page = ctx.alice;
    await editCustomer(page);
    await fill(page, sel('customer-city'), 'Cambridge');
    await click(page, action('save-customer'));
    await expectEl(page, sel('customer-form'), { attrs: { 'data-mode': 'view' } });
    await expectEl(page, sel('customer-city'), { value: 'Cambridge' });
    await stored('the city Alice saved', () => api('GET', `/api/v1/customers/${ctx.ada.id}`),
      (c) => c.city === 'Cambridge' && c.updated_by === ALICE);
  }],

  ['two agents change the customer: the second save gets the conflict view', async ({ browser }) => {
    const alice = ctx.alice;
    const bob = ctx.bob = await agentPage(browser, BOB);
    await signIn(bob, BOB);
    // Bob finds Ada by search and opens her.
    await click(bob, sel('tab-search'));
    await fill(bob, sel('search-input'), 'Lovelace');
    await click(bob, `${sel('search-result', `[data-customer-id="${ctx.ada.id}"]`)} ${action('reopen')}`);
    await expectEl(bob, sel('customer-name'), { exact: 'Ada Lovelace' });
    await editCustomer(bob);
    await fill(bob, sel('customer-city'), 'Oxford');

    await editCustomer(alice);
    await fill(alice, sel('customer-city'), 'Bristol');
    await click(alice, action('save-customer'));
    await stored('the city Alice saved', () => api('GET', `/api/v1/customers/${ctx.ada.id}`),
      (c) => c.city === 'Bristol');
    // The change reaches Bob by push while he edits; his save is then refused (412).
    await expectEl(bob, sel('conflict-customer'), { visible: true, text: ALICE });
    await click(bob, action('save-customer'));
    await expectEl(bob, sel('conflict-customer'), { attrs: { 'data-source': 'save' }, text: ALICE });
    const now = await api('GET', `/api/v1/customers/${ctx.ada.id}`);
    check(now.city === 'Bristol', `Bob's refused save changed the city to ${now.city}`);
    // He takes Alice's version: no lost update, no warning left.
    await click(bob, `${sel('conflict-customer')} ${action('conflict-load')}`);
    await expectEl(bob, sel('conflict-customer'), { count: 0 });
    await expectEl(bob, sel('customer-city'), { value: 'Bristol' });
  }],

  ['close a call from the Open list, saving the changes left', async () => {
    const page = ctx.alice;
    await contactEvent('ended', { contact_id: `ff-call-${RUN}`, agent_id: ALICE });
    const entry = sel('open-entry', `[data-customer-id="${ctx.ada.id}"]`);
    await click(page, `${entry} ${action('select-entry')}`);
    await expectEl(page, sel('customer-name'), { exact: 'Ada Lovelace' });
    await editCustomer(page);
    await fill(page, sel('customer-city'), 'Leeds');
    // Unsaved changes: Close asks (a modal <dialog>), and Save keeps them.
    await click(page, sel('close-entry'));
    await expectEl(page, sel('dialog'), { visible: true, attrs: { open: '' } });
    await click(page, `${sel('dialog')} ${action('dialog-save')}`);
    await expectEl(page, sel('open-entry'), { count: 0 });
    await stored('the city saved on close', () => api('GET', `/api/v1/customers/${ctx.ada.id}`),
      (c) => c.city === 'Leeds');
    await click(page, sel('tab-recent'));
    await expectEl(page, sel('recent-entry', `[data-customer-id="${ctx.ada.id}"]`), { text: 'Ada Lovelace' });
    await click(page, sel('tab-open'));
  }],

  ['Care: go Ready, a chat is offered, accept it', async () => {
    const page = ctx.alice;
    await page.setViewport(NARROW); // from here on, a Finesse side panel's width
    ctx.alan = await api('POST', '/api/v1/customers', {
      first_name: 'Alan', last_name: 'Turing', phones: ['+1 415 555 0199'],
    });
    await expectEl(page, sel('agent-state'), { attrs: { 'data-state': 'not_ready' } });
    await click(page, action('go-ready'));
    await expectEl(page, sel('agent-state'), { attrs: { 'data-state': 'ready' } });
    const queued = await contactEvent('queued', {
      contact_id: `ff-chat-${RUN}`, media_type: 'chat', queue: 'support',
      from: '+1 415 555 0199', body: 'Hello! My order has not arrived.',
    });
    ctx.chat = queued.activity;
    ctx.task = queued.task;
    check(ctx.task, `queueing a chat gave no task: ${JSON.stringify(queued)}`);
    await expectEl(page, sel('offer', `[data-task-id="${ctx.task.id}"]`), { visible: true });
    await expectEl(page, sel('offer-customer'), { exact: 'Alan Turing' });
    await fitsWidth(page, 'the offer');
    await click(page, sel('offer-accept'));
    await expectEl(page, sel('offer'), { count: 0 });
    await expectEl(page, sel('customer-name'), { exact: 'Alan Turing' });
    await expectEl(page, sel('comm-panel'), { attrs: { 'data-media': 'chat' } });
    await fitsWidth(page, 'the chat');
    await stored('the accepted task', () => api('GET', `/api/v1/tasks/${ctx.task.id}`),
      (t) => t.status === 'active' && t.agent_id === ALICE);
  }],

  ['chat both ways', async () => {
    const page = ctx.alice;
    const messages = sel('message');
    await expectEl(page, `${messages}[data-direction="in"]`, { text: 'Hello! My order has not arrived.' });
    // The customer writes: the connector posts it, it shows at once.
    await api('POST', `/api/v1/activities/${ctx.chat.id}/messages`,
      { message_id: `ff-${RUN}-in-2`, text: 'It was order 4711.' }, CONNECTOR);
    await expectEl(page, messages, { count: 2 });
    await expectEl(page, messages, { nth: 1, text: 'It was order 4711.' });
    // The agent replies: Shift+Enter is a new line, Enter sends.
    const reply = sel('reply-input');
    await click(page, reply);
    await page.keyboard.type('Let me check.');
    await page.keyboard.down('Shift');
    await page.keyboard.press('Enter');
    await page.keyboard.up('Shift');
    await page.keyboard.type('One moment, please.');
    await page.keyboard.press('Enter');
    await expectEl(page, reply, { value: '' });
    const mine = `${messages}[data-direction="out"]`;
    await expectEl(page, `${mine} [data-role="text"]`, { exact: 'Let me check.\nOne moment, please.' });
    // Stored, and delivered to the connector's webhook.
    await expectEl(page, `${mine} ${sel('delivery')}`, { attrs: { 'data-status': 'delivered' } });
    const out = await stored('the reply', () => api('GET', `/api/v1/activities/${ctx.chat.id}/messages`),
      (list) => list.some((m) => m.direction === 'out'));
    const texts = out.map((m) => `${m.direction}:${m.text}`);
    check(JSON.stringify(texts) === JSON.stringify([
      'in:Hello! My order has not arrived.', 'in:It was order 4711.',
      'out:Let me check.\nOne moment, please.']), `stored messages are ${JSON.stringify(texts)}`);
    await fitsWidth(page, 'the chat with a reply');
    console.log(`  reply ${out[2].message_id}`); // the test checks its webhook got this one
  }],

  ['close the chat from the Open list: its task completes', async () => {
    const page = ctx.alice;
    const entry = sel('open-entry', `[data-customer-id="${ctx.alan.id}"]`);
    await click(page, `${entry} ${action('select-entry')}`);
    await expectEl(page, sel('customer-name'), { exact: 'Alan Turing' });
    await click(page, sel('close-entry'));
    // A live chat asks first: the customer may still write (issue 12).
    await expectEl(page, sel('dialog'), { visible: true });
    await click(page, action('dialog-close'));
    await expectEl(page, sel('open-entry'), { count: 0 });
    await stored('the completed task', () => api('GET', `/api/v1/tasks/${ctx.task.id}`),
      (t) => t.status === 'completed');
  }],

  ['an email is offered and Alt+Shift+A accepts it', async () => {
    const page = ctx.alice;
    await expectEl(page, sel('agent-state'), { attrs: { 'data-state': 'ready' } });
    const body = 'Hello,\n\nit rebooted three times today.\n\nGrace';
    const queued = await contactEvent('queued', {
      contact_id: `ff-email-${RUN}`, media_type: 'email', queue: 'support',
      customer_name: 'Grace Hopper', from: 'grace.hopper@example.com', to: 'support@example.com',
      subject: 'Router keeps rebooting', body,
    });
    await expectEl(page, sel('offer', `[data-task-id="${queued.task.id}"]`), { visible: true });
    await expectEl(page, `${sel('offer-facts')} [data-fact="subject"]`, { text: 'Router keeps rebooting' });
    // Firefox takes Alt+Shift as its access-key modifier: the gadget's shortcut still works.
    await page.keyboard.down('Alt');
    await page.keyboard.down('Shift');
    await page.keyboard.press('KeyA');
    await page.keyboard.up('Shift');
    await page.keyboard.up('Alt');
    await expectEl(page, sel('offer'), { count: 0 });
    await expectEl(page, sel('comm-panel'), { attrs: { 'data-media': 'email' } });
    await expectEl(page, sel('email-body'), { exact: body }); // line breaks kept on screen
    await fitsWidth(page, 'the email');
    await stored('the task accepted by the shortcut', () => api('GET', `/api/v1/tasks/${queued.task.id}`),
      (t) => t.status === 'active' && t.agent_id === ALICE);
  }],
];

async function standin(method, urlPath, body) {
  const { status } = await request(method, FINESSE.control + urlPath, JSON.stringify(body),
    { 'Content-Type': 'application/json' });
  check(status >= 200 && status < 300, `the Finesse stand-in answered ${method} ${urlPath} with ${status}`);
}

if (FINESSE) {
  FLOWS.push(['in the Finesse desktop: a call rings and the gadget shows the caller', async ({ browser }) => {
    const desktop = await agentPage(browser, FINESSE.agent);
    await desktop.goto(FINESSE.desktop, { waitUntil: 'load', timeout: TIMEOUT });
    const form = sel('desktop-signin');
    await fill(desktop, `${form} [name="username"]`, FINESSE.agent);
    await fill(desktop, `${form} [name="password"]`, FINESSE.password);
    await click(desktop, `${form} [type="submit"]`);
    await expectEl(desktop, sel('desktop-agent'), { text: FINESSE.agent });
    // The gadget: an iframe of the desktop's origin, calling the service cross-origin.
    const gadget = await (await desktop.waitForSelector('iframe[data-gadget]', { timeout: TIMEOUT }))
      .contentFrame();
    gadget.agent = `${FINESSE.agent} (gadget)`;
    await expectEl(gadget, sel('connection'), { attrs: { 'data-state': 'live' } });
    await expectEl(gadget, sel('agent'), { exact: FINESSE.agent }); // Finesse's sign-in: no form
    await expectEl(gadget, sel('signin-form'), { count: 0 });

    await standin('POST', '/_standin/dialogs', FINESSE.call);
    await expectEl(gadget, sel('open-entry', `[data-customer-id="${ctx.ada.id}"]`),
      { attrs: { 'data-ringing': 'true' } });
    await expectEl(gadget, sel('customer-name'), { exact: 'Ada Lovelace' });
    await standin('PATCH', `/_standin/dialogs/${FINESSE.call.id}`, FINESSE.answer);
    await expectEl(gadget, sel('open-entry', '[data-ringing="true"]'), { count: 0 });
    await expectEl(gadget, sel('comm-panel'), { attrs: { 'data-media': 'voice' } });
    // dynamic-height: the desktop fits the iframe to the gadget's content.
    const heights = async () => [
      await desktop.$eval('iframe[data-gadget]', (frame) => frame.getBoundingClientRect().height),
      await gadget.$eval('#cc-root', (root) => root.getBoundingClientRect().height)];
    await stored('the iframe fitted to the gadget (iframe, content heights)', heights,
      ([frame, content]) => Math.abs(frame - content) < 40);
  }]);
}

async function screenshots(name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const slug = name.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '').toLowerCase();
  const saved = [];
  for (const page of pages) {
    const file = path.join(ARTIFACTS, `${slug}-${page.agent}.png`);
    try {
      await page.screenshot({ path: file, fullPage: true });
      saved.push(file);
    } catch (error) {
      saved.push(`(no screenshot of ${page.agent}: ${error.message.split('\n')[0]})`);
    }
  }
  return saved;
}

async function main() {
  const started = Date.now();
  let browser;
  try {
    browser = await puppeteer.launch({
      browser: 'firefox',
      executablePath: FIREFOX,
      headless: true,
      protocol: 'webDriverBiDi',
      timeout: LAUNCH_TIMEOUT,
      extraPrefsFirefox: {
        // The gadget picks its language from the browser's: English, as the texts awaited.
        'intl.accept_languages': 'en-US, en',
        'intl.locale.requested': 'en-US',
        // Nothing but the service under test is reached.
        'network.captive-portal-service.enabled': false,
        'network.connectivity-service.enabled': false,
        'browser.safebrowsing.malware.enabled': false,
        'browser.safebrowsing.phishing.enabled': false,
      },
    });
  } catch (error) {
    console.error(`FAIL launch ${FIREFOX}: ${error.message}`);
    return 1;
  }
  const watchdog = setTimeout(() => {
    console.log(`FAIL the flows did not finish in ${RUN_LIMIT / 1000} s`);
    browser.process()?.kill('SIGKILL');
    process.exit(1);
  }, RUN_LIMIT);
  watchdog.unref();
  console.log(`browser ${await browser.version()} (${((Date.now() - started) / 1000).toFixed(1)} s to start)`);
  try {
    for (const [name, flow] of FLOWS) {
      const t0 = Date.now();
      try {
        await flow({ browser });
        check(!pageErrors.length, `the page reported errors: ${pageErrors.join('; ')}`);
      } catch (error) {
        const message = error instanceof FlowError ? error.message : (error.stack || String(error));
        console.log(`FAIL ${name}: ${message}`);
        for (const file of await screenshots(name)) console.log(`  screenshot ${file}`);
        return 1;
      }
      console.log(`ok   ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
    }
  } finally {
    await browser.close().catch(() => {});
  }
  console.log(`${FLOWS.length} flows passed in Firefox (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  return 0;
}

process.exitCode = await main();
