/**
 * The Amazon Connect bridge: Amazon Connect's contact control panel (CCP) beside the gadget,
 * with the agent's Connect contacts passed to the gadget over postMessage v2.
 *
 * The CCP is embedded by Amazon's amazon-connect-streams library, which we do not ship:
 * the page loads it as a classic script (as Amazon documents) from CONNECT_STREAMS_URL, or
 * from connect-streams-min.js beside this page. The CCP URL and region come from
 * /gadget/config.json (CONNECT_CCP_URL, CONNECT_REGION). The agent signs in to Connect in
 * the CCP and to Customer Context in the gadget.
 *
 * A contact the gadget refuses is never dropped silently: "not signed in" (401) is sent
 * again once the agent signs in to the gadget; any other refusal is shown here.
 */

import { loadLocale, t } from '../../js/i18n.js';
import { linkGadget } from '../link.js';
import { follow } from './contacts.js';

const GADGET_URL = new URL('../../index.html', import.meta.url);
const CONFIG_URL = new URL('../../config.json', import.meta.url);
const DEFAULT_STREAMS_URL = new URL('connect-streams-min.js', import.meta.url);
// The smallest CCP Amazon designs for is 320 x 460 px; the page gives it a column.
const CCP_OPTIONS = {
  loginPopup: true, // a new sign-in when Connect's session ends
  loginPopupAutoClose: true,
  // Calls ring and are heard in the CCP's frame, which is given the microphone.
  softphone: { allowFramedSoftphone: true },
};

const statusLine = document.querySelector('[data-testid="bridge-status"]');

function showStatus(key, params = {}, kind = 'info') {
  statusLine.textContent = t(key, params);
  statusLine.dataset.kind = kind;
  statusLine.dataset.status = key;
}

async function loadConfig() {
  try {
    const response = await fetch(CONFIG_URL, { credentials: 'omit', cache: 'no-store' });
    if (response.ok) return await response.json();
  } catch {
    // no configuration: the bridge says Connect is not set up
  }
  return {};
}

/** A classic script, as amazon-connect-streams is meant to be loaded; it defines `connect`. */
function loadScript(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement('script');
    script.src = src;
    script.addEventListener('load', resolve);
    script.addEventListener('error', reject);
    document.head.append(script);
  });
}

/** Posts contact events to the gadget; those refused as "not signed in" wait for sign-in. */
function contactSender(gadget) {
  const unsent = [];

  async function send(event) {
    try {
      await gadget.request('cc:contact', { event });
    } catch (error) {
      if (error.status === 401) {
        unsent.push(event);
        showStatus('bridge.gadgetSignIn', {}, 'warning');
      } else {
        showStatus('bridge.refused', { contact: event.contact_id, detail: error.detail }, 'error');
      }
    }
  }

  gadget.on('cc:signed-in', () => {
    if (statusLine.dataset.status === 'bridge.gadgetSignIn') showStatus('bridge.connected');
    // In their order: a call's `accepted` must not overtake its `offered`.
    for (const event of unsent.splice(0)) send(event);
  });
  return send;
}

async function main() {
  const params = new URLSearchParams(window.location.search);
  const [config, locale] = await Promise.all([
    loadConfig(),
    loadLocale([params.get('locale'), ...(navigator.languages || [navigator.language])]),
  ]);
  document.documentElement.lang = locale;
  document.title = t('bridge.title');
  document.querySelector('[data-part="title"]').textContent = t('bridge.title');
  const ccp = document.querySelector('[data-testid="ccp"]');
  ccp.setAttribute('aria-label', t('bridge.ccpLabel'));
  const frame = document.querySelector('[data-testid="gadget"]');
  frame.title = t('app.title');

  // Connect routes the contacts: the gadget's Care desktop stays hidden.
  const gadget = linkGadget(frame, { gadgetUrl: GADGET_URL, locale, init: { routing: 'host' } });
  const send = contactSender(gadget);

  const settings = config.amazon_connect;
  if (!settings?.ccp_url) {
    showStatus('bridge.notConfigured', {}, 'error');
    return;
  }
  const streamsUrl = settings.streams_url
    ? new URL(settings.streams_url, window.location.href) : DEFAULT_STREAMS_URL;
  try {
    await loadScript(streamsUrl.href);
  } catch {
    // reported below
  }
  const { connect } = window;
  if (typeof connect?.core?.initCCP !== 'function') {
    showStatus('bridge.libraryMissing', { url: streamsUrl.href }, 'error');
    return;
  }
  showStatus('bridge.connecting');
  connect.core.initCCP(ccp, {
    ...CCP_OPTIONS,
    ccpUrl: settings.ccp_url,
    ...(settings.region ? { region: settings.region } : {}),
  });
  connect.core.onInitialized(() => showStatus('bridge.connected'));
  connect.core.onAuthFail(() => showStatus('bridge.connectSignIn', {}, 'warning'));
  connect.contact((contact) => follow(contact, send));
}

main();
