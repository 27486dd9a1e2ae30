/*
 * Stand-in for Cisco's finesse.js, the Finesse JavaScript library the desktop serves at
 * /desktop/assets/js/finesse.js.
 *
 * Written from Cisco's published API, not from any gadget's code. Names, constructor
 * options and callback shapes follow the Finesse JavaScript Library 10.5.1
 * (finesse-10.5.1.js and its doc/symbols): finesse.gadget.Config;
 * finesse.clientservices.ClientServices.init(config) (host, restHost and authorization or
 * id+password required); finesse.cslogger.ClientLogger.init(hub, gadgetId, config) and
 * log(message), published on "finesse.clientLogging.<gadgetId>";
 * finesse.containerservices.ContainerServices.init(), addHandler(Topics.ACTIVE_TAB, cb),
 * makeActiveTabReq() (an "ActiveTabReq" on finesse.containerservices.requests; the
 * handlers run when the container names this gadget's tab, once per time it becomes
 * visible); new finesse.restservices.User({id, onLoad(user), onChange, onError(rsp)});
 * user.getDialogs({onCollectionAdd(dialog), onCollectionDelete(dialog), onLoad(dialogs),
 * onChange, onError}) returning the Dialogs collection (getCollection(): id -> Dialog;
 * dialogs present at load are in the collection without onCollectionAdd, as in
 * RestCollectionBase._buildCollection); Dialog getId, getState, getMediaType,
 * getFromAddress, getToAddress, getMediaProperties (callvariables/CallVariable flattened
 * to name -> value beside the other mediaProperties, as the library builds it),
 * getParticipants (always an array), getData, addHandler('change', cb(dialog));
 * isLoaded() throws on an object not loaded yet.
 * Non-voice dialogs follow the Finesse 12.x JavaScript API documentation (DialogBase):
 * user.getDialogs({includeNonVoice: true}) also holds the chat and email dialogs, whose
 * mediaType is the Media Routing Domain's name.
 *
 * Not modelled: requests that change anything (makeCall, setState, requestAction...),
 * MediaList/Media, dialogs' pending-request callbacks, the BOSH/XMPP channel itself (the
 * stand-in's server is long-polled instead), failover between Finesse nodes.
 */
(function () {
  'use strict';

  var finesse = window.finesse = window.finesse || {};
  var POLL_ROUNDS = 2000; // long-polls of up to 10 s each: a bounded notification loop
  var POLL_FAILURES = 20;
  var RETRY_MS = 1000;

  // --- utilities ---------------------------------------------------------------------

  /** XML as the library's converter gives it: text leaves as strings, repeated
   * children as arrays, a single child as an object (hence getArray). */
  function toObject(element) {
    var children = Array.prototype.slice.call(element.children);
    if (!children.length) return element.textContent;
    var result = {};
    children.forEach(function (child) {
      var value = toObject(child);
      if (!Object.prototype.hasOwnProperty.call(result, child.tagName)) {
        result[child.tagName] = value;
      } else if (Array.isArray(result[child.tagName])) {
        result[child.tagName].push(value);
      } else {
        result[child.tagName] = [result[child.tagName], value];
      }
    });
    return result;
  }

  function parseXml(text) {
    var root = new DOMParser().parseFromString(text, 'application/xml').documentElement;
    var object = {};
    object[root.tagName] = toObject(root);
    return object;
  }

  function getArray(value) {
    if (value === undefined || value === null || value === '') return [];
    return Array.isArray(value) ? value : [value];
  }

  function idFromUri(uri) {
    return String(uri || '').split('/').pop();
  }

  function Notifier() {
    this.listeners = [];
  }
  Notifier.prototype.addListener = function (callback) {
    if (typeof callback === 'function') this.listeners.push(callback);
  };
  Notifier.prototype.notifyListeners = function (argument) {
    this.listeners.slice().forEach(function (listener) { listener(argument); });
  };

  finesse.utilities = finesse.utilities || {};
  finesse.utilities.Utilities = {
    getArray: getArray,
    /** {id, password} from a base64 "id:password" string. */
    getCredentials: function (authorization) {
      var text = window.atob(authorization);
      var colon = text.indexOf(':');
      return { id: text.slice(0, colon), password: text.slice(colon + 1) };
    },
    getUserAuthString: function () {
      return window.sessionStorage.getItem('userFinesseAuth');
    },
  };

  // --- the gadget's configuration ----------------------------------------------------

  finesse.gadget = finesse.gadget || {};
  finesse.container = finesse.container || {};
  if (window.gadgets && window.gadgets.Prefs) {
    var prefs = new window.gadgets.Prefs();
    // Like finesse.js 10.5, put the signed-in agent's auth string into the gadget prefs.
    prefs.set('authorization', finesse.utilities.Utilities.getUserAuthString() || '');
    prefs.set('authToken', window.sessionStorage.getItem('userFinesseAuthToken') || '');
    finesse.gadget.Config = {};
    ['id', 'extension', 'locale', 'host', 'hostPort', 'scheme', 'restHost', 'systemAuthMode',
      'authorization', 'authToken'].forEach(function (name) {
      finesse.gadget.Config[name] = prefs.getString(name);
    });
  }

  // --- ClientServices: requests and the notification channel -------------------------

  var config = null;
  var subscribers = [];
  var channel = null; // Promise of the feed's starting position once polling runs
  var connectHandlers = new Notifier();
  var disconnectHandlers = new Notifier();

  function authorizationHeader() {
    return config.systemAuthMode === 'SSO' ? 'Bearer ' + config.authToken
      : 'Basic ' + config.authorization;
  }

  function request(path) {
    return fetch(path, {
      headers: { Authorization: authorizationHeader(), locale: config.locale || '' },
      cache: 'no-store',
    }).then(function (response) {
      return response.text().then(function (content) {
        var rsp = { status: response.status, content: content };
        if (content) {
          try {
            rsp.object = parseXml(content);
          } catch (error) {
            rsp.object = null;
          }
        }
        if (!response.ok) throw rsp;
        return rsp;
      });
    });
  }

  function sleep(ms) {
    return new Promise(function (resolve) { setTimeout(resolve, ms); });
  }

  function deliver(text) {
    var update = parseXml(text).Update;
    subscribers.slice().forEach(function (subscriber) { subscriber(update); });
  }

  async function poll(position) {
    var failures = 0;
    for (var round = 0; round < POLL_ROUNDS; round += 1) {
      var answer;
      try {
        var response = await fetch('/_standin/notifications?since=' + position, {
          headers: { Authorization: authorizationHeader() }, cache: 'no-store',
        });
        if (response.status === 401) break;
        if (!response.ok) throw new Error('HTTP ' + response.status);
        answer = await response.json();
      } catch (error) {
        failures += 1;
        if (failures === 1) disconnectHandlers.notifyListeners();
        if (failures > POLL_FAILURES) break;
        await sleep(RETRY_MS);
        continue;
      }
      if (failures) connectHandlers.notifyListeners();
      failures = 0;
      position = answer.next;
      answer.updates.forEach(deliver);
    }
  }

  /** Start listening (once); resolves when Updates from now on will be delivered. */
  function openChannel() {
    if (!channel) {
      channel = fetch('/_standin/notifications', {
        headers: { Authorization: authorizationHeader() }, cache: 'no-store',
      }).then(function (response) {
        if (!response.ok) throw new Error('notifications: HTTP ' + response.status);
        return response.json();
      }).then(function (answer) {
        connectHandlers.notifyListeners();
        poll(answer.next);
      });
    }
    return channel;
  }

  finesse.clientservices = finesse.clientservices || {};
  finesse.clientservices.ClientServices = {
    init: function (newConfig) {
      if (!config) {
        var valid = typeof newConfig === 'object' && newConfig !== null
          && typeof newConfig.host === 'string' && newConfig.host.length > 0
          && newConfig.restHost
          && (typeof newConfig.authorization === 'string'
            || (typeof newConfig.id === 'string' && typeof newConfig.password === 'string'));
        if (!valid) throw new Error('Config object contains invalid properties.');
        config = newConfig;
        if (config.authorization) {
          var credentials = finesse.utilities.Utilities.getCredentials(config.authorization);
          config.id = credentials.id;
          config.password = credentials.password;
        } else {
          config.authorization = window.btoa(config.id + ':' + config.password);
        }
      }
      return this;
    },
    registerOnConnectHandler: function (handler) {
      connectHandlers.addListener(handler);
    },
    registerOnDisconnectHandler: function (handler) {
      disconnectHandlers.addListener(handler);
    },
  };

  function requireInit() {
    if (!config) throw new Error('ClientServices must be initialized before REST objects.');
  }

  // --- REST objects ------------------------------------------------------------------

  function RestBase(options) {
    options = options || {};
    this._id = options.id;
    this._data = {};
    this._loaded = false;
    this._notifiers = {
      load: new Notifier(), change: new Notifier(), add: new Notifier(),
      delete: new Notifier(), error: new Notifier(),
    };
    this.addHandler('load', options.onLoad);
    this.addHandler('change', options.onChange);
    this.addHandler('add', options.onAdd);
    this.addHandler('delete', options.onDelete);
    this.addHandler('error', options.onError);
  }
  RestBase.prototype.addHandler = function (type, callback) {
    if (typeof callback !== 'function' || !this._notifiers[type]) return;
    this._notifiers[type].addListener(callback);
    if (type === 'load' && this._loaded) callback(this);
  };
  RestBase.prototype.getId = function () {
    return this._id;
  };
  RestBase.prototype.getData = function () {
    return this._data;
  };
  RestBase.prototype.isLoaded = function () {
    if (!this._loaded) {
      throw new Error('Cannot operate on object that is not fully instantiated, '
        + 'use onLoad/onLoadError handlers');
    }
    return this;
  };
  RestBase.prototype._loadedWith = function (data) {
    this._data = data;
    this._loaded = true;
    this._notifiers.load.notifyListeners(this);
  };

  function Dialog(options) {
    RestBase.call(this, options);
    this._loadedWith(options.data);
  }
  Dialog.prototype = Object.create(RestBase.prototype);
  Dialog.prototype.constructor = Dialog;
  Dialog.prototype.getState = function () {
    return this.isLoaded().getData().state;
  };
  Dialog.prototype.getMediaType = function () {
    return this.isLoaded().getData().mediaType;
  };
  Dialog.prototype.getFromAddress = function () {
    return this.isLoaded().getData().fromAddress;
  };
  Dialog.prototype.getToAddress = function () {
    return this.isLoaded().getData().toAddress;
  };
  /** @deprecated in the library: use getMediaProperties().callType. */
  Dialog.prototype.getCallType = function () {
    return this.isLoaded().getData().mediaProperties.callType;
  };
  Dialog.prototype.getParticipants = function () {
    var participants = this.isLoaded().getData().participants;
    return getArray(participants && participants.Participant);
  };
  Dialog.prototype.getMediaProperties = function () {
    var data = this.isLoaded().getData().mediaProperties || {};
    var map = {};
    var variables = data.callvariables && data.callvariables.CallVariable;
    getArray(variables).forEach(function (variable) {
      map[variable.name] = variable.value;
    });
    Object.keys(data).forEach(function (key) {
      if (key !== 'callvariables') map[key] = data[key];
    });
    return map;
  };
  Dialog.prototype._update = function (data) {
    this._data = data;
    this._notifiers.change.notifyListeners(this);
  };
  Dialog.States = {
    ALERTING: 'ALERTING', INITIATING: 'INITIATING', ACTIVE: 'ACTIVE', DROPPED: 'DROPPED',
    INITIATED: 'INITIATED', FAILED: 'FAILED', ACCEPTED: 'ACCEPTED',
  };
  Dialog.ParticipantStates = {
    ALERTING: 'ALERTING', INITIATING: 'INITIATING', ACTIVE: 'ACTIVE', DROPPED: 'DROPPED',
    HELD: 'HELD', INITIATED: 'INITIATED', FAILED: 'FAILED', WRAP_UP: 'WRAP_UP',
    ACCEPTED: 'ACCEPTED',
  };

  function Dialogs(options) {
    RestBase.call(this, options);
    this._id = '';
    this._user = options.parentObj;
    this._includeNonVoice = options.includeNonVoice === true;
    this._collection = {};
    this.length = 0;
    this._pending = [];
    this._notifiers.collectionAdd = new Notifier();
    this._notifiers.collectionDelete = new Notifier();
    this.addHandler('collectionAdd', options.onCollectionAdd);
    this.addHandler('collectionDelete', options.onCollectionDelete);
    var self = this;
    var node = '/finesse/api/User/' + this._user.getId() + '/Dialogs';
    this._node = node;
    // Listen first, then read the collection: nothing that happens in between is lost.
    subscribers.push(function (update) { self._onUpdate(update); });
    openChannel().then(function () {
      return request(node + (self._includeNonVoice ? '?nonVoice=true' : ''));
    }).then(function (rsp) {
      var items = getArray(rsp.object.Dialogs && rsp.object.Dialogs.Dialog);
      items.forEach(function (data) { self._add(data, false); });
      self._loadedWith(rsp.object.Dialogs);
      self._pending.splice(0).forEach(function (update) { self._onUpdate(update); });
    }).catch(function (rsp) {
      self._notifiers.error.notifyListeners(rsp);
    });
  }
  Dialogs.prototype = Object.create(RestBase.prototype);
  Dialogs.prototype.constructor = Dialogs;
  Dialogs.prototype.getCollection = function () {
    return this._collection;
  };
  Dialogs.prototype._isMine = function (source) {
    if (source === this._node) return true;
    var media = this._node.replace(/\/Dialogs$/, '/Media/');
    return this._includeNonVoice && source.indexOf(media) === 0 && /\/Dialogs$/.test(source);
  };
  Dialogs.prototype._add = function (data, announce) {
    var id = idFromUri(data.uri);
    var existing = this._collection[id];
    if (existing) {
      existing._update(data);
      return;
    }
    this._collection[id] = new Dialog({ id: id, data: data });
    this.length += 1;
    if (announce) this._notifiers.collectionAdd.notifyListeners(this._collection[id]);
  };
  Dialogs.prototype._onUpdate = function (update) {
    if (!this._loaded) {
      this._pending.push(update);
      return;
    }
    var self = this;
    var source = update.source || '';
    if (this._isMine(source)) {
      getArray(update.data.dialogs && update.data.dialogs.Dialog).forEach(function (data) {
        if (update.event === 'POST') {
          self._add(data, true);
        } else if (update.event === 'DELETE') {
          var id = idFromUri(data.uri);
          var dialog = self._collection[id];
          if (!dialog) return;
          dialog._data = data;
          self._notifiers.collectionDelete.notifyListeners(dialog);
          delete self._collection[id];
          self.length -= 1;
        }
      });
    } else if (source.indexOf('/finesse/api/Dialog/') === 0 && update.event === 'PUT') {
      var changed = this._collection[idFromUri(source)];
      if (changed && update.data.dialog) changed._update(update.data.dialog);
    }
  };

  function User(options) {
    RestBase.call(this, options);
    requireInit();
    if (typeof this._id !== 'string') {
      throw new Error("Can't construct a <User> due to invalid id type.");
    }
    this._dialogs = null;
    var self = this;
    request('/finesse/api/User/' + encodeURIComponent(this._id)).then(function (rsp) {
      self._loadedWith(rsp.object.User);
    }).catch(function (rsp) {
      self._notifiers.error.notifyListeners(rsp);
    });
  }
  User.prototype = Object.create(RestBase.prototype);
  User.prototype.constructor = User;
  User.prototype.getDialogs = function (callbacks) {
    var options = callbacks || {};
    options.parentObj = this;
    this.isLoaded();
    if (this._dialogs === null) this._dialogs = new Dialogs(options);
    return this._dialogs;
  };
  User.prototype.getExtension = function () {
    return this.isLoaded().getData().extension;
  };
  User.prototype.getFirstName = function () {
    return this.isLoaded().getData().firstName;
  };
  User.prototype.getLastName = function () {
    return this.isLoaded().getData().lastName;
  };
  User.prototype.getState = function () {
    return this.isLoaded().getData().state;
  };
  User.prototype.getTeamId = function () {
    return this.isLoaded().getData().teamId;
  };
  User.prototype.getTeamName = function () {
    return this.isLoaded().getData().teamName;
  };
  User.prototype.hasSupervisorRole = function () {
    var roles = this.isLoaded().getData().roles;
    return getArray(roles && roles.role).indexOf('Supervisor') !== -1;
  };
  User.States = {
    LOGIN: 'LOGIN', LOGOUT: 'LOGOUT', NOT_READY: 'NOT_READY', READY: 'READY',
    RESERVED: 'RESERVED', TALKING: 'TALKING', WORK: 'WORK', WORK_READY: 'WORK_READY',
  };

  finesse.restservices = finesse.restservices || {};
  finesse.restservices.User = User;
  finesse.restservices.Dialogs = Dialogs;
  finesse.restservices.Dialog = Dialog;

  // --- the logger and the container's services, over the hub --------------------------

  var logger = { hub: null, topic: null, origin: '' };
  finesse.cslogger = finesse.cslogger || {};
  finesse.cslogger.ClientLogger = {
    init: function (hub, gadgetId) {
      logger.hub = hub;
      logger.topic = 'finesse.clientLogging.' + gadgetId;
      logger.origin = gadgetId + ' : ';
    },
    log: function (message) {
      if (logger.hub) logger.hub.publish(logger.topic, logger.origin + message);
    },
  };

  var Topics = {
    ACTIVE_TAB: 'finesse.containerservices.activeTab',
    REQUESTS: 'finesse.containerservices.requests',
  };
  var containerHandlers = {};
  var containerInited = false;
  var visible = false;

  /** This gadget's tab, as the library finds it: the enclosing div.tab-panel's id. */
  function myTab() {
    var panel = window.frameElement && window.frameElement.closest('div.tab-panel');
    return panel ? panel.id.replace('panel_', '') : null;
  }

  function handlersOf(topic) {
    containerHandlers[topic] = containerHandlers[topic] || new Notifier();
    return containerHandlers[topic];
  }

  finesse.containerservices = finesse.containerservices || {};
  finesse.containerservices.ContainerServices = {
    Topics: Topics,
    init: function () {
      if (!containerInited) {
        containerInited = true;
        window.gadgets.Hub.subscribe(Topics.ACTIVE_TAB, function (topic, tabId) {
          if (tabId === myTab()) {
            if (!visible) {
              visible = true;
              handlersOf(Topics.ACTIVE_TAB).notifyListeners(this);
            }
          } else {
            visible = false;
          }
        });
      }
      this.makeActiveTabReq();
      return this;
    },
    addHandler: function (topic, callback) {
      handlersOf(topic).addListener(callback);
    },
    makeActiveTabReq: function () {
      if (!window.gadgets || !window.gadgets.Hub) throw new Error('Hub is not defined.');
      window.gadgets.Hub.publish(Topics.REQUESTS,
        { type: 'ActiveTabReq', data: {}, invokeID: Date.now() });
    },
    tabVisible: function () {
      return visible;
    },
  };
}());
