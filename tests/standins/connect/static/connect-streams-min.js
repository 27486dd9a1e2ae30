/*
 * A stand-in of amazon-connect-streams for Customer Context's tests: the `connect` global
 * with the shapes Amazon documents in the library's README.md and Documentation.md
 * (connect.core.initCCP, onInitialized, onAuthFail; connect.agent; connect.contact; the
 * Contact, Connection and Endpoint APIs; the enumerations). Written from those documents,
 * not from the library's code, and loaded by the bridge page as the real file would be.
 *
 * Tests play Amazon Connect's backend through window.connectStandIn: contacts arrive,
 * change state and go. Contacts the agent already has when the page loads (a reload
 * mid-call) are taken from window.connectStandInContacts, set before the page loads.
 */
(function standIn(global) {
  'use strict';

  // Enumerations as Documentation.md lists them: connect.ContactType.VOICE === 'voice'.
  function makeEnum(values) {
    const enumeration = {};
    values.forEach((value) => { enumeration[value.toUpperCase()] = value; });
    return Object.freeze(enumeration);
  }

  const ContactType = makeEnum(['voice', 'queue_callback', 'chat', 'task', 'email']);
  const ContactStateType = makeEnum(['init', 'incoming', 'pending', 'connecting', 'connected',
    'missed', 'error', 'ended', 'rejected', 'paused']);
  const ConnectionType = makeEnum(['agent', 'inbound', 'outbound', 'monitoring']);
  const ConnectionStateType = makeEnum(['init', 'connecting', 'connected', 'hold',
    'disconnected', 'silent_monitor', 'barge']);
  const EndpointType = makeEnum(['phone_number', 'agent', 'queue']);
  const ChannelType = makeEnum(['VOICE', 'CHAT', 'TASK']);
  const ACTIVE = ['connecting', 'connected', 'hold', 'silent_monitor', 'barge'];

  // The contact events each new contact state publishes: onAccepted and onConnected once
  // connected, onMissed and onEnded when missed, onEnded and onACW when it ends.
  const EVENTS_OF_STATE = {
    incoming: ['incoming'],
    pending: ['pending'],
    connecting: ['connecting'],
    connected: ['accepted', 'connected'],
    missed: ['missed', 'ended'],
    rejected: ['ended'],
    error: ['error'],
    ended: ['ended', 'acw'],
  };

  // --- the event bus: subscriptions return {unsubscribe()} -----------------------------------

  const subscribers = new Map();

  function subscribe(name, callback) {
    if (!subscribers.has(name)) subscribers.set(name, new Set());
    const set = subscribers.get(name);
    const entry = (value) => callback(value);
    set.add(entry);
    return { unsubscribe: () => set.delete(entry) };
  }

  function publish(name, value) {
    for (const entry of [...(subscribers.get(name) || [])]) {
      try {
        entry(value);
      } catch (error) {
        setTimeout(() => { throw error; }); // a subscriber's bug shows as a page error
      }
    }
  }

  const contactEvent = (event, contactId) => `contact::${event}::${contactId}`;

  // --- the agent's snapshot: contacts with their connections --------------------------------

  const contacts = new Map();

  function state(type, since) {
    return { type, timestamp: since ? new Date(since) : new Date() };
  }

  function endpointData(spec) {
    return {
      endpointARN: null, type: spec.endpointType || EndpointType.PHONE_NUMBER,
      name: spec.name ?? null, phoneNumber: spec.phoneNumber ?? null, agentLogin: null, queue: null,
    };
  }

  function contactData(spec) {
    const id = spec.contactId;
    const type = spec.state || ContactStateType.INIT;
    const connections = spec.monitoring ? [
      // A supervisor's listen-in: the one connection is the monitoring one.
      { connectionId: `${id}-monitor`, initial: true, type: ConnectionType.MONITORING,
        endpoint: null, state: state(ConnectionStateType.CONNECTED) },
    ] : [
      { connectionId: `${id}-agent`, initial: false, type: ConnectionType.AGENT,
        endpoint: { ...endpointData({}), type: EndpointType.AGENT }, state: state('init') },
      { connectionId: `${id}-customer`, initial: true,
        type: spec.outbound ? ConnectionType.OUTBOUND : ConnectionType.INBOUND,
        endpoint: endpointData(spec), state: state(ConnectionStateType.CONNECTED) },
    ];
    const attributes = {};
    for (const [name, value] of Object.entries(spec.attributes || {})) {
      attributes[name] = { name, value: String(value) };
    }
    return {
      contactId: id,
      type: spec.type || ContactType.VOICE,
      state: state(type, spec.since),
      queue: spec.queue ? { name: spec.queue, queueARN: `arn:standin:queue/${spec.queue}`,
        queueId: `arn:standin:queue/${spec.queue}` } : null,
      queueTimestamp: new Date(),
      attributes: spec.monitoring ? null : attributes,
      connections,
      initialContactId: spec.initialContactId || id,
      customerEndpoint: spec.customerEndpoint || null,
      connectSystemEndpoint: spec.systemNumber
        ? { ...endpointData({ phoneNumber: spec.systemNumber }) } : null,
      name: spec.taskName || null,
    };
  }

  // --- Endpoint, Connection and Contact, as the Documentation describes them ---------------

  function Endpoint(params) {
    const data = params || {};
    this.endpointARN = data.endpointId || data.endpointARN || null;
    this.endpointId = this.endpointARN;
    this.type = data.type || null;
    this.name = data.name || null;
    this.phoneNumber = data.phoneNumber || null;
    this.agentLogin = data.agentLogin || null;
    this.queue = data.queue || null;
  }
  Endpoint.byPhoneNumber = (number, name) => new Endpoint(
    { type: EndpointType.PHONE_NUMBER, phoneNumber: number, name: name || null });

  function dataOf(contactId) {
    const data = contacts.get(contactId);
    if (!data) throw new Error(`Contact ${contactId} no longer exists.`);
    return data;
  }

  function Connection(contactId, connectionId) {
    this.contactId = contactId;
    this.connectionId = connectionId;
  }
  Object.assign(Connection.prototype, {
    _data() {
      const found = dataOf(this.contactId).connections
        .find((connection) => connection.connectionId === this.connectionId);
      if (!found) throw new Error(`Connection ${this.connectionId} no longer exists.`);
      return found;
    },
    getContactId() { return this.contactId; },
    getConnectionId() { return this.connectionId; },
    getEndpoint() { return new Endpoint(this._data().endpoint); },
    getAddress() { return this.getEndpoint(); },
    getState() { return this._data().state; },
    getStatus() { return this.getState(); },
    getType() { return this._data().type; },
    isInitialConnection() { return this._data().initial; },
    isActive() { return ACTIVE.includes(this.getState().type); },
    isConnected() { return ['connected', 'silent_monitor', 'barge'].includes(this.getState().type); },
    isConnecting() { return this.getState().type === ConnectionStateType.CONNECTING; },
    isOnHold() { return this.getState().type === ConnectionStateType.HOLD; },
  });

  function Contact(contactId) {
    this.contactId = contactId;
  }
  const on = (event) => function subscribeTo(callback) {
    return subscribe(contactEvent(event, this.contactId), callback);
  };
  Object.assign(Contact.prototype, {
    getEventName(event) { return contactEvent(event, this.contactId); },
    getContactId() { return this.contactId; },
    getOriginalContactId() { return dataOf(this.contactId).initialContactId; },
    getInitialContactId() { return this.getOriginalContactId(); },
    getType() { return dataOf(this.contactId).type; },
    getState() { return dataOf(this.contactId).state; },
    getStatus() { return this.getState(); },
    getStateDuration() { return Date.now() - this.getState().timestamp.getTime(); },
    getQueue() { return dataOf(this.contactId).queue; },
    getQueueTimestamp() { return dataOf(this.contactId).queueTimestamp; },
    getConnections() {
      return dataOf(this.contactId).connections
        .map((connection) => new Connection(this.contactId, connection.connectionId));
    },
    getInitialConnection() {
      return this.getConnections().find((connection) => connection.isInitialConnection()) || null;
    },
    getActiveInitialConnection() {
      const connection = this.getInitialConnection();
      return connection && connection.isActive() ? connection : null;
    },
    getThirdPartyConnections() {
      return this.getConnections().filter((connection) => !connection.isInitialConnection()
        && connection.getType() !== ConnectionType.AGENT);
    },
    getAgentConnection() {
      return this.getConnections().find((connection) => [ConnectionType.AGENT,
        ConnectionType.MONITORING].includes(connection.getType()));
    },
    getActiveConnections() {
      return this.getConnections().filter((connection) => connection.isActive());
    },
    getAttributes() { return dataOf(this.contactId).attributes; },
    getCustomerEndpoint() { return dataOf(this.contactId).customerEndpoint; },
    getConnectSystemEndpoint() { return dataOf(this.contactId).connectSystemEndpoint; },
    getName() { return dataOf(this.contactId).name; },
    isInbound() { return this.getInitialConnection()?.getType() === ConnectionType.INBOUND; },
    isConnected() { return this.getState().type === ContactStateType.CONNECTED; },
    isSoftphoneCall() { return this.getType() === ContactType.VOICE; },
    onRefresh: on('refresh'),
    onIncoming: on('incoming'),
    onPending: on('pending'),
    onConnecting: on('connecting'),
    onAccepted: on('accepted'),
    onMissed: on('missed'),
    onEnded: on('ended'),
    onDestroy: on('destroyed'),
    onACW: on('acw'),
    onConnected: on('connected'),
    onError: on('error'),
  });

  // --- the agent ------------------------------------------------------------------------

  const agentProfile = { name: 'Alice Agent', username: 'alice' };

  function Agent() {}
  Object.assign(Agent.prototype, {
    getName() { return agentProfile.name; },
    getConfiguration() {
      return { name: agentProfile.name, username: agentProfile.username, softphoneEnabled: true };
    },
    getState() { return { type: 'routable', name: 'Available' }; },
    getStatus() { return this.getState(); },
    isSoftphoneEnabled() { return true; },
    getContacts() { return [...contacts.keys()].map((id) => new Contact(id)); },
    onRefresh(callback) { return subscribe('agent::refresh', callback); },
    onStateChange(callback) { return subscribe('agent::statechange', callback); },
  });

  // --- connect.core and the subscriptions ------------------------------------------------

  let initialized = false;
  let ccpFrame = null;

  function announce(contactId) {
    publish('contact::init', new Contact(contactId));
  }

  function ccpReady() {
    if (initialized) return;
    initialized = true;
    publish('core::initialized');
    publish('agent::init', new Agent());
    for (const spec of global.connectStandInContacts || []) {
      contacts.set(spec.contactId, contactData(spec));
      announce(spec.contactId);
    }
  }

  const core = {
    initCCP(containerDiv, params) {
      if (!containerDiv) throw new Error('containerDiv must be provided');
      const options = typeof params === 'string' ? { ccpUrl: params } : params;
      if (!options || !options.ccpUrl) throw new Error('params.ccpUrl must be provided');
      if (ccpFrame) return; // one CCP per page, as Documentation.md says
      control.initParams = JSON.parse(JSON.stringify(options));
      // "The CCP UI is rendered in an iframe under the container element provided. The
      // iframe fills its container element with width: 100%; height: 100%."
      ccpFrame = document.createElement('iframe');
      ccpFrame.src = options.ccpUrl;
      ccpFrame.allow = 'microphone; autoplay; clipboard-write';
      ccpFrame.style = options.style || 'width: 100%; height: 100%; border: 0;';
      ccpFrame.title = 'Amazon Connect CCP';
      containerDiv.appendChild(ccpFrame);
      // The CCP talks to the page by postMessage; it is up once its frame says so.
      global.addEventListener('message', (event) => {
        if (event.source === ccpFrame.contentWindow && event.data?.type === 'connect-standin:ccp-ready') {
          ccpReady();
        }
      });
    },
    onInitialized(callback) {
      if (initialized) callback();
      return subscribe('core::initialized', callback);
    },
    onAuthFail(callback) { return subscribe('core::authfail', callback); },
    onAccessDenied(callback) { return subscribe('core::accessdenied', callback); },
    terminate() {
      ccpFrame?.remove();
      ccpFrame = null;
      initialized = false;
    },
  };

  const connect = {
    core,
    agent(callback) {
      if (initialized) callback(new Agent());
      return subscribe('agent::init', callback);
    },
    contact(callback) {
      return subscribe('contact::init', callback);
    },
    Endpoint,
    ContactType,
    ContactStateType,
    ContactStatusType: ContactStateType,
    ConnectionType,
    ConnectionStateType,
    EndpointType,
    AddressType: EndpointType,
    ChannelType,
  };

  // --- what the tests drive ----------------------------------------------------------------

  const CONNECTION_STATE = {
    incoming: 'connecting', pending: 'connecting', connecting: 'connecting', connected: 'connected',
  };

  const control = {
    initParams: null,
    /** A new contact for the agent (state `init` unless `spec.state` says otherwise). */
    add(spec) {
      contacts.set(spec.contactId, contactData(spec));
      if (initialized) announce(spec.contactId);
      return spec.contactId;
    },
    /** The contact moves to `type` (a ContactStateType), publishing its events. */
    setState(contactId, type) {
      const data = dataOf(contactId);
      data.state = state(type);
      const connectionState = CONNECTION_STATE[type] || ConnectionStateType.DISCONNECTED;
      for (const connection of data.connections) {
        if (connection.type === ConnectionType.AGENT || type !== 'connecting') {
          connection.state = state(connectionState);
        }
      }
      for (const event of EVENTS_OF_STATE[type] || []) publish(contactEvent(event, contactId), new Contact(contactId));
      publish(contactEvent('refresh', contactId), new Contact(contactId));
    },
    /** The contact leaves the agent's snapshot; callbacks find its data gone. */
    destroy(contactId) {
      contacts.delete(contactId);
      publish(contactEvent('destroyed', contactId), new Contact(contactId));
    },
    authFail() {
      publish('core::authfail');
    },
    stateOf(contactId) {
      return dataOf(contactId).state;
    },
  };

  global.connect = connect;
  global.connectStandIn = control;
}(window));
