/**
 * The gadget's entry point: picks the host, signs in, and wires the store,
 * the API, the live stream and the views together.
 *
 * All URLs derive from this module's own URL, so the same files work at
 * /gadget/ of the service, under any prefix, and inside Finesse (gadget.xml).
 */

import { createApi } from './api.js';
import { createActions } from './actions.js';
import { h } from './dom.js';
import { createHost } from './hosts/index.js';
import { loadLocale, locale, t } from './i18n.js';
import { Store, initialState } from './store.js';
import { Stream, streamUrl } from './stream.js';
import { renderActivity } from './views/activity.js';
import { renderAgentState } from './views/agentstate.js';
import { secondsLeft, tick } from './views/clock.js';
import { renderComm } from './views/comm.js';
import { renderCustomer } from './views/customer.js';
import { detailSections, renderDetailState } from './views/detail.js';
import { createDialogs } from './views/dialogs.js';
import { renderHeader } from './views/header.js';
import { renderJourney } from './views/journey.js';
import { renderLists } from './views/lists.js';
import { renderNotice } from './views/notice.js';
import { renderOffer } from './views/offer.js';
import { renderProblem } from './views/problem.js';
import { renderRequest } from './views/request.js';
import { renderSignin } from './views/signin.js';
import { buildShell } from './views/shell.js';
import { renderTasks } from './views/tasks.js';

const GADGET_BASE = new URL('../', import.meta.url);
const SERVICE_BASE = new URL('../', GADGET_BASE);
const TOKEN_KEY = 'cc.token';
const TICK_MS = 250;

// What each region shows; a region re-renders only when one of its keys changed.
const REGIONS = {
  header: ['phase', 'agent', 'connection'],
  agentState: ['phase', 'careDesktop', 'agentState', 'stateBusy'],
  offer: ['phase', 'careDesktop', 'offer', 'accepting'],
  tasks: ['phase', 'careDesktop', 'agentState', 'queue', 'tasks', 'taskTab', 'queuePreview',
    'accepting', 'offer', 'selectedEntryId'],
  signin: ['phase', 'signinError'],
  problem: ['phase', 'problem'],
  notice: ['notice'],
  lists: ['phase', 'open', 'recent', 'tab', 'searchResults', 'searchBusy', 'selectedEntryId'],
  detail: ['phase', 'selectedEntryId', 'detailLoading', 'journey', 'open'],
  customer: ['selectedEntryId', 'detailLoading', 'customer', 'activity', 'customerForm',
    'customerDraft', 'conflicts', 'open'],
  request: ['selectedEntryId', 'detailLoading', 'request', 'requestDraft', 'conflicts', 'customer',
    'overwrite', 'focus'],
  comm: ['selectedEntryId', 'detailLoading', 'activity', 'messages', 'agent'],
  activity: ['selectedEntryId', 'detailLoading', 'activity', 'notes', 'tagMessage', 'conflicts',
    'focus'],
  journey: ['selectedEntryId', 'detailLoading', 'journey', 'journeySelection', 'journeyHover',
    'request', 'activity'],
};

const storage = {
  get() {
    try {
      return window.sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null; // storage can be blocked in third-party iframes
    }
  },
  set(token) {
    try {
      if (token) window.sessionStorage.setItem(TOKEN_KEY, token);
      else window.sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      // memory only, then
    }
  },
};

/** The service's config.json, or null when the service cannot be reached. */
async function loadConfig() {
  try {
    const response = await fetch(new URL('config.json', GADGET_BASE), { credentials: 'omit' });
    if (response.ok) return await response.json();
  } catch {
    // unreachable: said below
  }
  return null;
}

/**
 * Why this page cannot use the service, if it cannot: the browser hides why a
 * cross-origin call failed, so the gadget checks the allowed origins itself (its files
 * load anywhere; the API answers only GADGET_ALLOWED_ORIGINS).
 */
function accessProblem(config) {
  if (!config) return 'host.serviceUnreachable';
  const { origin } = window.location;
  if (origin === SERVICE_BASE.origin || (config.allowed_origins || []).includes(origin)) return null;
  return 'host.originNotAllowed';
}

async function main() {
  // The host first and synchronously: its listeners must exist before anything is awaited.
  const host = createHost(window);
  const root = document.getElementById('cc-root') || document.body.appendChild(h('div', { id: 'cc-root' }));
  const config = await loadConfig();

  let token = null;
  // Whether this gadget is the agent's desktop for routed contacts: not where the host routes.
  let careWanted = true;
  const store = new Store();
  const { state } = store;
  const api = createApi({
    base: SERVICE_BASE,
    getToken: () => token,
    onUnauthorized: () => expire(),
  });
  const stream = new Stream({ url: streamUrl(SERVICE_BASE), getToken: () => token });
  let regions = null;
  let dialogs = null;
  const dialogProxy = {
    ask: (options) => dialogs.ask(options),
    pickCustomer: (options) => dialogs.pickCustomer(options),
  };
  const actions = createActions({ store, api, dialogs: dialogProxy });
  Object.assign(actions, { signIn, signOut });

  function render(changed) {
    if (!regions) return;
    const touched = (name) => !changed || REGIONS[name].some((key) => changed.has(key));
    if (touched('header')) renderHeader(regions.header, state, actions, host);
    if (touched('agentState')) renderAgentState(regions.agentState, state, actions);
    if (touched('signin')) renderSignin(regions.signin, state, actions);
    if (touched('problem')) renderProblem(regions.problem, state);
    if (touched('notice')) renderNotice(regions.notice, state, actions);
    regions.main.hidden = state.phase !== 'ready';
    if (state.phase !== 'ready') return;
    if (touched('offer')) renderOffer(regions.offer, regions.announce, state, actions);
    if (touched('tasks')) renderTasks(regions.tasks, state, actions);
    if (touched('lists')) renderLists(regions.lists, state, actions);
    const sections = detailSections(regions.detail);
    if (touched('detail')) renderDetailState(sections, state);
    if (touched('customer')) renderCustomer(sections.customer, state, actions);
    if (touched('comm')) renderComm(sections.comm, state, actions);
    if (touched('request')) renderRequest(sections.request, state, actions);
    if (touched('activity')) renderActivity(sections.activity, state, actions);
    if (touched('journey')) renderJourney(sections.journey, state, actions, changed);
  }

  async function applyLocale(candidate) {
    await loadLocale([candidate, ...(navigator.languages || [navigator.language])]);
    root.lang = locale();
    document.documentElement.lang = locale();
    regions = buildShell(root);
    dialogs = createDialogs(regions.dialog);
    shownTitle = null;
    render(null);
    showTitle();
  }

  // While an offer waits, the title counts down the seconds left to accept it.
  let shownTitle = null;
  function showTitle() {
    const { offer } = state;
    const title = offer && state.careDesktop
      ? t('offer.docTitle', { seconds: secondsLeft(offer.deadline), title: t('app.title') })
      : t('app.title');
    if (title !== shownTitle) {
      shownTitle = title;
      host.setTitle(title);
    }
  }

  // The host hears of offers too, to alert the agent in its own way.
  let offered = null;
  store.watch(['offer'], () => {
    const id = state.offer?.task.id ?? null;
    if (offered && offered !== id) {
      const outcome = state.offerOutcome?.taskId === offered ? state.offerOutcome.reason : 'ended';
      host.offerEnded(offered, outcome);
    }
    if (id && id !== offered) host.offered(state.offer.task, secondsLeft(state.offer.deadline));
    offered = id;
    if (regions) showTitle();
  });

  async function startSession(newToken, { remember = false } = {}) {
    token = newToken;
    let agent;
    try {
      agent = await api.get('api/v1/me');
    } catch (error) {
      token = null;
      storage.set(null);
      store.set({ phase: 'signin', signinError: { key: error.status === 401 ? 'signin.expired' : 'signin.failed' } });
      return;
    }
    if (agent.role !== 'agent') {
      token = null;
      store.set({ phase: 'signin', signinError: { key: 'signin.notAgent' } });
      return;
    }
    if (remember) storage.set(newToken);
    store.set({ phase: 'ready', agent, signinError: null, careDesktop: careWanted });
    host.signedIn(agent, {
      postEvent: (event, options) => actions.postContactEvent(event, options),
    });
    stream.start();
    try {
      await Promise.all([actions.loadLists(), actions.loadCare()]);
    } catch (error) {
      actions.report(error);
    }
  }

  async function signIn(agentId, password) {
    store.quietly({ signinAgentId: agentId });
    if (!agentId.trim() || !password) {
      store.set({ signinError: { key: 'signin.missing' } });
      return;
    }
    try {
      const result = await api.post('api/v1/auth/login',
        { agent_id: agentId.trim(), password }, { auth: false });
      await startSession(result.token, { remember: true });
    } catch (error) {
      const key = { 0: 'error.status.0', 401: 'signin.invalid', 422: 'signin.invalid' }[error.status];
      store.set({ signinError: { key: key || 'signin.failed' } });
    }
  }

  function endSession(signinError) {
    stream.stop();
    token = null;
    storage.set(null);
    host.signedOut();
    store.set({ ...initialState(), phase: 'signin', signinError });
  }

  async function signOut() {
    await actions.leave();
    endSession(null);
  }

  async function expire() {
    if (!token) return;
    if (!host.canSignOut) {
      // Finesse: sign in again with the credentials Finesse holds.
      token = null;
      stream.stop();
      const info = await host.start({ config, api, reinit: applyHostInit });
      if (info.token) {
        await startSession(info.token);
        return;
      }
    }
    endSession({ key: 'signin.expired' });
  }

  async function applyHostInit(info) {
    careWanted = info.routing !== 'host';
    if (state.phase === 'ready') actions.setCareDesktop(careWanted);
    if (info.locale && info.locale !== state.hostLocale) {
      store.quietly({ hostLocale: info.locale });
      await applyLocale(info.locale);
    }
    if (info.token && info.token !== token) {
      stream.stop();
      store.set({ ...initialState(), phase: 'starting' });
      await startSession(info.token);
    }
  }

  store.addEventListener('change', (event) => render(event.detail));
  stream.addEventListener('state', (event) => store.set({ connection: event.detail }));
  stream.addEventListener('frame', (event) => actions.onFrame(event.detail));
  stream.addEventListener('ready', () => actions.resync());
  stream.addEventListener('autherror', () => {
    api.get('api/v1/me').catch(() => {});
  });

  // Alt+Shift+A accepts the offer from anywhere in the gadget (announced with the offer).
  document.addEventListener('keydown', (event) => {
    const shortcut = event.altKey && event.shiftKey && !event.ctrlKey && !event.metaKey
      && event.code === 'KeyA'; // ACCEPT_SHORTCUT, by key position: any keyboard layout
    if (shortcut && state.offer && state.careDesktop) {
      event.preventDefault();
      actions.acceptOffer();
    }
  });
  // Durations, waiting times and the offer's countdown move on without a re-render.
  setInterval(() => {
    if (state.phase !== 'ready') return;
    tick(root);
    showTitle();
  }, TICK_MS);

  let lastHeight = 0;
  new ResizeObserver(() => {
    const height = Math.ceil(root.getBoundingClientRect().height);
    if (height !== lastHeight) {
      lastHeight = height;
      host.resized(height);
    }
  }).observe(root);

  const access = accessProblem(config);
  const info = await host.start({
    config: config || { allowed_origins: [] }, api, reinit: applyHostInit, problem: access,
  });
  careWanted = info.routing !== 'host';
  store.quietly({ hostLocale: info.locale || null });
  await applyLocale(info.locale);
  const problem = info.problem || access;
  if (problem) {
    const params = { origin: window.location.origin, service: SERVICE_BASE.href };
    store.set({ phase: 'problem', problem: { key: problem, params } });
    return;
  }
  const initial = info.token || (host.canSignOut ? storage.get() : null);
  if (initial) await startSession(initial);
  else store.set({ phase: 'signin', signinError: info.error ? { key: info.error } : null });
}

main();
