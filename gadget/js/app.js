/**
 * The gadget's entry point: picks the host, signs in, and wires the store,
 * the API, the live stream and the views together.
 *
 * All URLs derive from this module's own URL, so the same files work at
 * /gadget/ of the service, under any prefix, and inside Finesse (gadget.xml).
 */

import { ApiError, createApi } from './api.js';
import { createActions } from './actions/index.js';
import { h } from './dom.js';
import { createHost } from './hosts/index.js';
import { loadLocale, locale, t } from './i18n.js';
import { Store, initialState } from './store.js';
import { Stream, streamUrl } from './stream.js';
import { setHostViewport } from './viewport.js';
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
import { renderPresence } from './views/presence.js';
import { renderProblem } from './views/problem.js';
import { renderRequest } from './views/request.js';
import { renderSignin } from './views/signin.js';
import { buildShell } from './views/shell.js';
import { renderTasks } from './views/tasks.js';

const GADGET_BASE = new URL('../', import.meta.url);
const SERVICE_BASE = new URL('../', GADGET_BASE);
const TOKEN_KEY = 'cc.token';
const TICK_MS = 250;
// How long a host may take to send a new token (cc:token) before the sign-in form shows.
const HOST_TOKEN_WAIT_MS = 20000;
// A host that gave another account's token hears this (the agent sees signin.notAgent).
const notAnAgent = () => new ApiError(403, { detail: 'The token is not an agent token.' });

// What each region shows; a region re-renders only when one of its keys changed.
const REGIONS = {
  header: ['phase', 'agent', 'connection'],
  agentState: ['phase', 'careDesktop', 'agentState', 'stateBusy'],
  offer: ['phase', 'careDesktop', 'offer', 'accepting'],
  tasks: ['phase', 'careDesktop', 'agentState', 'queue', 'tasks', 'taskTab', 'queuePreview',
    'accepting', 'offer', 'selectedEntryId', 'unread'],
  signin: ['phase', 'signinError'],
  problem: ['phase', 'problem'],
  notice: ['notice'],
  lists: ['phase', 'open', 'recent', 'tab', 'searchResults', 'searchBusy', 'selectedEntryId',
    'unread'],
  detail: ['phase', 'selectedEntryId', 'detailLoading', 'detailFailed', 'journey', 'open'],
  customer: ['selectedEntryId', 'detailLoading', 'customer', 'activity', 'customerForm',
    'customerDraft', 'conflicts', 'open', 'fieldDefs'],
  request: ['selectedEntryId', 'detailLoading', 'request', 'requestDraft', 'conflicts', 'customer',
    'focus', 'requestErrors', 'fieldDefs'],
  comm: ['selectedEntryId', 'detailLoading', 'activity', 'messages', 'agent'],
  activity: ['selectedEntryId', 'detailLoading', 'activity', 'notes', 'tagMessage', 'conflicts',
    'focus', 'request'],
  journey: ['selectedEntryId', 'detailLoading', 'journey', 'journeySelection', 'journeyHover',
    'request', 'activity'],
  presence: ['viewers'], // and whenever the customer section is rebuilt under it
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
  // The host first: it keeps what a host page says while its adapter loads.
  const host = await createHost(window);
  const root = document.getElementById('cc-root') || document.body.appendChild(h('div', { id: 'cc-root' }));
  const config = await loadConfig();

  let token = null;
  // The host gave the token (postMessage): when the service refuses it, a v2 host is asked
  // for another (cc:token-expired) while the agent keeps what is on screen.
  let tokenFromHost = false;
  let renewTimer = null; // set while waiting for the host's new token
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
    show: (...args) => dialogs.show(...args),
  };
  const actions = createActions({ store, api, dialogs: dialogProxy, config });
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
    if (state.phase !== 'ready') {
      regions.offer.hidden = true;
      return;
    }
    if (touched('offer')) renderOffer(regions.offer, regions.announce, state, actions);
    if (touched('tasks')) renderTasks(regions.tasks, state, actions);
    if (touched('lists')) renderLists(regions.lists, state, actions);
    const sections = detailSections(regions.detail);
    if (touched('detail')) renderDetailState(sections, state, actions);
    if (touched('customer')) renderCustomer(sections.customer, state, actions);
    if (touched('customer') || touched('presence')) renderPresence(sections.customer, state, actions);
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
    new ResizeObserver(() => {
      const height = Math.ceil(regions.top.getBoundingClientRect().height);
      document.documentElement.style.setProperty('--cc-top-height', `${height}px`);
    }).observe(regions.top);
    dialogs = createDialogs(regions.dialog);
    shownTitle = null;
    render(null);
    showTitle();
  }

  /** Unread customer messages in the agent's Open and In Progress lists. */
  function unreadTotal() {
    const mine = new Set([...state.open, ...state.tasks].map((item) => item.activity_id));
    return Object.entries(state.unread)
      .reduce((sum, [id, count]) => sum + (mine.has(Number(id)) ? count : 0), 0);
  }

  // While an offer waits, the title counts down the seconds left to accept it; else it
  // counts the unread messages (Finesse shows it as the gadget's title, a host hears cc:unread).
  let shownTitle = null;
  let shownUnread = 0;
  function showTitle() {
    const { offer } = state;
    const unread = state.phase === 'ready' ? unreadTotal() : 0;
    const plain = unread ? t('unread.docTitle', { count: unread, title: t('app.title') }) : t('app.title');
    const title = offer && state.careDesktop
      ? t('offer.docTitle', { seconds: secondsLeft(offer.deadline), title: plain })
      : plain;
    if (title !== shownTitle) {
      shownTitle = title;
      host.setTitle(title);
    }
    if (unread !== shownUnread) {
      shownUnread = unread;
      host.unread?.(unread);
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
    if (id && id !== offered) {
      host.offered(state.offer.task, secondsLeft(state.offer.deadline));
      // After this change is rendered: the card is where the host should scroll to.
      requestAnimationFrame(() => {
        if (!regions || regions.offer.hidden) return;
        const rect = regions.offer.getBoundingClientRect();
        host.bringIntoView({ top: rect.top, height: rect.height }, regions.offer);
      });
    }
    offered = id;
    if (regions) showTitle();
  });

  // What a host may do in the agent's session.
  const sessionHooks = {
    postEvent: (event, options) => actions.postContactEvent(event, options),
    showCustomer: (customerId) => actions.openCustomer(customerId),
    lookup: (query) => actions.findCustomers(query),
  };

  /** Resolves {agent} once signed in, or {error} with the sign-in form shown (unless renewing). */
  async function startSession(newToken, { remember = false, fromHost = false } = {}) {
    token = newToken;
    tokenFromHost = fromHost;
    let agent;
    try {
      agent = await api.get('api/v1/me');
    } catch (error) {
      token = null;
      storage.set(null);
      if (renewTimer === null) {
        store.set({ phase: 'signin', signinError: { key: error.status === 401 ? 'signin.expired' : 'signin.failed' } });
        host.signedOut(error);
      }
      return { error };
    }
    if (agent.role !== 'agent') {
      token = null;
      endRenewal();
      store.set({ phase: 'signin', signinError: { key: 'signin.notAgent' } });
      const error = notAnAgent();
      host.signedOut(error);
      return { error };
    }
    endRenewal();
    if (remember) storage.set(newToken);
    store.set({ phase: 'ready', agent, signinError: null, careDesktop: careWanted });
    host.signedIn(agent, sessionHooks);
    stream.start();
    try {
      await Promise.all([actions.loadLists(), actions.loadCare(), actions.loadFields()]);
    } catch (error) {
      actions.report(error);
    }
    return { agent };
  }

  /** A token from the host (cc:init, cc:token): the same agent carries on where it was. */
  async function useHostToken(newToken) {
    if (state.phase === 'ready') {
      const agent = await api.get('api/v1/me', { token: newToken }); // refused: the host hears why
      if (agent.role !== 'agent') throw notAnAgent();
      if (agent.id === state.agent.id) {
        token = newToken;
        tokenFromHost = true;
        if (renewTimer !== null) {
          endRenewal();
          stream.start(); // its `ready` resyncs what changed meanwhile
        }
        host.signedIn(agent, sessionHooks);
        return { agent_id: agent.id };
      }
      stream.stop();
      store.set({ ...initialState(), phase: 'starting', hostLocale: state.hostLocale });
    }
    const { agent, error } = await startSession(newToken, { fromHost: true });
    if (error) throw error;
    return { agent_id: agent.id };
  }

  /** The host's token was refused: wait for its new one, keeping what the agent sees. */
  function beginRenewal() {
    token = null;
    stream.stop();
    store.set({ notice: { kind: 'info', key: 'host.renewing' } });
    renewTimer = setTimeout(() => {
      renewTimer = null;
      endSession({ key: 'signin.expired' });
    }, HOST_TOKEN_WAIT_MS);
  }

  function endRenewal() {
    if (renewTimer === null) return;
    clearTimeout(renewTimer);
    renewTimer = null;
    if (state.notice?.key === 'host.renewing') store.set({ notice: null });
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
    endRenewal();
    stream.stop();
    token = null;
    storage.set(null);
    host.signedOut();
    store.set({ ...initialState(), phase: 'signin', signinError });
  }

  async function signOut() {
    if (!(await actions.settleUnsaved())) return;
    await actions.leave();
    await actions.stopViewing();
    endSession(null);
  }

  async function expire() {
    if (!token) return;
    if (tokenFromHost && renewTimer !== null) return; // a refused renewal: keep waiting
    if (tokenFromHost && host.tokenExpired?.(state.agent?.id)) {
      beginRenewal();
      return;
    }
    if (!host.canSignOut) {
      // Finesse: sign in again with the credentials Finesse holds.
      token = null;
      stream.stop();
      const info = await host.start(hostContext);
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
    if (info.token && info.token !== token) return useHostToken(info.token);
    return { agent_id: token && state.agent ? state.agent.id : null };
  }

  store.addEventListener('change', (event) => render(event.detail));
  store.watch(['unread', 'open', 'tasks', 'phase'], () => regions && showTitle());
  stream.addEventListener('state', (event) => store.set({ connection: event.detail }));
  stream.addEventListener('frame', (event) => actions.onFrame(event.detail));
  stream.addEventListener('ready', () => {
    actions.sayViewingAgain();
    actions.resync();
  });
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
  const hostContext = {
    config: config || { allowed_origins: [] }, api, reinit: applyHostInit, problem: access,
    useToken: useHostToken, viewport: setHostViewport,
  };
  const info = await host.start(hostContext);
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
  if (initial) {
    await startSession(initial, { fromHost: Boolean(info.token) });
  } else {
    store.set({ phase: 'signin', signinError: info.error ? { key: info.error } : null });
    host.signedOut();
  }
}

main();
