/**
 * The live push client for /api/v1/stream.
 *
 * The token travels in the first frame, never in the URL. A dropped socket is
 * reopened with exponential backoff and jitter; every `ready` is announced so
 * the app can resync what it shows (messages sent while away are not replayed).
 */

const MIN_DELAY_MS = 500;
const MAX_DELAY_MS = 15000;
// The service pings every 25 s by default; silence for much longer means a dead link.
const SILENCE_MS = 70000;

export class Stream extends EventTarget {
  constructor({ url, getToken }) {
    super();
    this.url = url;
    this.getToken = getToken;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.watchdog = null;
    this.stopped = true;
    this.state = 'offline';
    this.onOnline = () => this.reconnectNow();
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener('online', this.onOnline);
    this.connect();
  }

  stop() {
    this.stopped = true;
    window.removeEventListener('online', this.onOnline);
    clearTimeout(this.timer);
    clearTimeout(this.watchdog);
    if (this.ws) {
      const ws = this.ws;
      this.ws = null;
      ws.close(1000);
    }
    this.setState('offline');
  }

  reconnectNow() {
    if (this.stopped || this.state === 'live') return;
    clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  connect() {
    const token = this.getToken();
    if (this.stopped || !token) return;
    this.setState('connecting');
    let ws;
    try {
      ws = new WebSocket(this.url);
    } catch {
      this.scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.addEventListener('open', () => {
      ws.send(JSON.stringify({ type: 'auth', token }));
      this.feedWatchdog(ws);
    });
    ws.addEventListener('message', (event) => this.receive(ws, event.data));
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      clearTimeout(this.watchdog);
      this.setState('offline');
      this.scheduleReconnect();
    });
  }

  receive(ws, raw) {
    if (this.ws !== ws) return;
    this.feedWatchdog(ws);
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (!frame || typeof frame.type !== 'string') return;
    switch (frame.type) {
      case 'ready':
        this.attempt = 0;
        this.setState('live');
        this.dispatchEvent(new CustomEvent('ready', { detail: frame }));
        break;
      case 'error':
        this.dispatchEvent(new CustomEvent('autherror', { detail: frame }));
        break;
      case 'ping':
      case 'pong':
        break;
      case 'resync':
        this.dispatchEvent(new CustomEvent('ready', { detail: frame }));
        break;
      default:
        this.dispatchEvent(new CustomEvent('frame', { detail: frame }));
    }
  }

  feedWatchdog(ws) {
    clearTimeout(this.watchdog);
    this.watchdog = setTimeout(() => {
      if (this.ws === ws) ws.close(4000);
    }, SILENCE_MS);
  }

  scheduleReconnect() {
    if (this.stopped) return;
    clearTimeout(this.timer);
    const ceiling = Math.min(MAX_DELAY_MS, MIN_DELAY_MS * 2 ** this.attempt);
    // Jitter spreads reconnects after a server restart; never below half the step.
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    this.attempt += 1;
    this.timer = setTimeout(() => this.connect(), delay);
  }

  setState(state) {
    if (this.state === state) return;
    this.state = state;
    this.dispatchEvent(new CustomEvent('state', { detail: state }));
  }
}

/** ws: or wss: URL of the stream, matching the page's scheme. */
export function streamUrl(serviceBase) {
  const url = new URL('api/v1/stream', serviceBase);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}
