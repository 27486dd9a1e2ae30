/**
 * The gadget's state: one plain object in an EventTarget.
 *
 * `set(patch)` merges and dispatches `change` with the changed keys, so views
 * re-render only what they show. `quietly(patch)` merges without an event:
 * drafts typed into a form must not rebuild the form under the agent's fingers.
 */

export function initialState() {
  return {
    phase: 'starting', // starting | signin | ready | problem (cannot work on this desktop)
    problem: null, // {key, params}: why, in the agent's words
    agent: null, // {id, name, role}
    signinError: null,
    connection: 'offline', // connecting | live | offline
    tab: 'open', // open | recent | search
    open: [],
    recent: [],
    searchQuery: '',
    searchResults: null, // null: nothing searched yet
    searchBusy: false,
    selectedEntryId: null,
    detailLoading: false,
    detailFailed: false, // the last load of the selected entry failed: loaded again on reconnect
    customer: null,
    journey: null,
    journeyPages: 1,
    journeyMore: false,
    request: null,
    activity: null,
    notes: [],
    requestOverride: {}, // entry id -> request id the agent chose to edit
    customerForm: { mode: 'closed', errors: null }, // closed | view | edit | create
    customerDraft: null,
    requestDraft: null, // {title, description, extra} while edited
    requestErrors: null,
    fieldDefs: [], // custom field definitions (GET /api/v1/fields)
    conflicts: {}, // kind -> {source, changedBy, changedAt, base, current, mine}: R9
    viewers: null, // {customerId, list: [{agent_id, name, since}]}: other agents viewing it
    journeySelection: null, // {kind, id}
    journeyHover: null,
    notice: null, // {kind: info|error, key, params, detail}
    tagMessage: null,
    signinAgentId: '',
    hostLocale: null, // the locale the host asked for, if any
    focus: null, // data-focus name of the control to focus after the next render
    // Care desktop (R13-R16): only where the service routes contacts, not the host.
    careDesktop: false,
    agentState: null, // GET /me/state without its offer: {state, reason, capacity, reasons...}
    stateBusy: false,
    offer: null, // {task, deadline (local ms), total (s)} while a task is offered to the agent
    offerOutcome: null, // {taskId, reason} of the offer that ended last
    queue: [],
    tasks: [], // In Progress
    taskTab: 'queue', // queue | progress
    queuePreview: null, // id of the queued task whose preview is open
    accepting: null, // id of the task being accepted
    messages: [], // the shown chat's transcript or email (R16), oldest first
    unread: {}, // activity id -> customer messages that came while another entry was shown
    replyDrafts: {}, // activity id -> reply typed but not sent, kept while other chats are shown
  };
}

export class Store extends EventTarget {
  constructor(state = initialState()) {
    super();
    this.state = state;
  }

  set(patch) {
    Object.assign(this.state, patch);
    this.dispatchEvent(new CustomEvent('change', { detail: new Set(Object.keys(patch)) }));
  }

  quietly(patch) {
    Object.assign(this.state, patch);
  }

  /** Call `fn(state, changedKeys)` whenever one of `keys` changes (and once now). */
  watch(keys, fn) {
    const wanted = new Set(keys);
    const listener = (event) => {
      if ([...event.detail].some((key) => wanted.has(key))) fn(this.state, event.detail);
    };
    this.addEventListener('change', listener);
    fn(this.state, wanted);
    return () => this.removeEventListener('change', listener);
  }
}
