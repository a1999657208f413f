// The WhatsApp Web simulator's page script: plays web.whatsapp.com's modules for a script in the
// page (WHATSAPP-WEB.md lists the names), and talks to the simulator's server under /sim/.
//
// What it simplifies, deliberately:
// - No cryptography: keys are random bytes, media is stored and served as plain bytes (the media
//   key is checked, not used to decrypt), and pairing is whatever the control API says.
// - The message history comes from the server when the page connects (the real site reads its
//   own IndexedDB and gets a history sync from the phone); only the device identity and keys are
//   kept in this browser's IndexedDB and localStorage, which is what a restored profile needs.
// - A send is recorded by the server as soon as the page posts it; there is no local outbox.
// - Thumbnails are one fixed tiny JPEG; media is never transcoded.
(() => {
  'use strict';

  const VERSION = '2.3000.1029384756';
  const LOAD_DELAY_MS = 250;
  const THUMBNAIL =
    '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAAIAAgDASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAAAAT/xAAUEAEAAAAAAAAAAAAAAAAAAAAA/8QAFQEBAQAAAAAAAAAAAAAAAAAABAb/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADAMBAAIRAxEAPwCoANNP/9k=';

  // ----- module registry ------------------------------------------------------------------------
  // Like the real site, `require` exists from the start but knows no module until the app has
  // loaded; names listed in the simulator's `missingModules` stay unknown, as after an update.
  // Names in `lateModules` (name → ms) register only that long after the sync, as the real site's
  // lazily loaded modules do: a script that requires them at boot finds nothing.
  const modules = Object.create(null);
  let missingModules = [];
  let lateModules = {};
  /** Every module the page has, registered or not yet. */
  let moduleTable = null;
  function require(name) {
    if (!(name in modules) || missingModules.includes(name)) {
      throw new Error(`Requiring unknown module "${name}"`);
    }
    return modules[name];
  }
  window.require = require;

  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  const nowSeconds = () => Math.floor(Date.now() / 1000);
  const hidden = (object, name, value) =>
    Object.defineProperty(object, name, { value, enumerable: false, writable: true, configurable: true });

  // ----- events, models, collections (Backbone-like) --------------------------------------------
  class Events {
    constructor() {
      hidden(this, '_events', new Map());
    }
    on(names, callback, context) {
      if (typeof callback !== 'function') return this;
      for (const name of String(names).split(/\s+/).filter(Boolean)) {
        if (!this._events.has(name)) this._events.set(name, []);
        this._events.get(name).push({ callback, context, once: false });
      }
      return this;
    }
    once(names, callback, context) {
      if (typeof callback !== 'function') return this;
      for (const name of String(names).split(/\s+/).filter(Boolean)) {
        if (!this._events.has(name)) this._events.set(name, []);
        this._events.get(name).push({ callback, context, once: true });
      }
      return this;
    }
    off(names, callback, context) {
      const list = names ? String(names).split(/\s+/).filter(Boolean) : [...this._events.keys()];
      for (const name of list) {
        const kept = (this._events.get(name) || []).filter(
          (l) => (callback && l.callback !== callback) || (context && l.context !== context),
        );
        if (kept.length) this._events.set(name, kept);
        else this._events.delete(name);
      }
      return this;
    }
    trigger(name, ...args) {
      for (const [key, withName] of [[name, false], ['all', true]]) {
        const listeners = this._events.get(key);
        if (!listeners) continue;
        for (const listener of [...listeners]) {
          if (listener.once) {
            const remaining = this._events.get(key).filter((l) => l !== listener);
            this._events.set(key, remaining);
          }
          try {
            listener.callback.apply(listener.context || this, withName ? [name, ...args] : args);
          } catch (error) {
            // One broken listener must not stop the others, as in the real site.
            console.error(`listener for ${name} failed`, error);
          }
        }
      }
      return this;
    }
  }
  Events.prototype.emit = Events.prototype.trigger;
  Events.prototype.removeListener = Events.prototype.off;

  class Model extends Events {
    constructor(attributes = {}) {
      super();
      hidden(this, 'attributes', {});
      hidden(this, 'collection', undefined);
      this.set(attributes, { silent: true });
    }
    get(name) {
      return this.attributes[name];
    }
    // Listeners of `change:<attr>` get (model, value, previousValue); then `change` (model).
    set(name, value, options) {
      let changes;
      if (typeof name === 'object' && name !== null) {
        changes = name;
        options = value;
      } else {
        changes = { [name]: value };
      }
      const silent = options && options.silent;
      const changed = [];
      for (const [key, next] of Object.entries(changes)) {
        if (!Object.prototype.hasOwnProperty.call(this, key) && !(key in Object.getPrototypeOf(this))) {
          Object.defineProperty(this, key, {
            get: () => this.attributes[key],
            set: (v) => this.set(key, v),
            enumerable: true,
            configurable: true,
          });
        }
        const previous = this.attributes[key];
        if (previous === next) continue;
        this.attributes[key] = next;
        changed.push([key, next, previous]);
      }
      if (!silent && changed.length) {
        for (const [key, next, previous] of changed) this.trigger(`change:${key}`, this, next, previous);
        this.trigger('change', this);
      }
      return this;
    }
    serialize() {
      const out = {};
      for (const [key, value] of Object.entries(this.attributes)) out[key] = plain(value);
      return out;
    }
    toJSON() {
      return this.serialize();
    }
  }

  function plain(value) {
    if (value instanceof MsgKey) return value.toPlain();
    if (value instanceof Model) return value.serialize();
    return value;
  }

  const keyOf = (id) => (typeof id === 'string' ? id : id && (id._serialized || String(id)));

  class Collection extends Events {
    constructor(ModelClass) {
      super();
      hidden(this, '_models', new Map());
      hidden(this, '_forwarders', new Map());
      hidden(this, 'model', ModelClass);
    }
    get length() {
      return this._models.size;
    }
    get models() {
      return this.getModelsArray();
    }
    get(id) {
      return id === undefined || id === null ? undefined : this._models.get(keyOf(id));
    }
    has(id) {
      return this.get(id) !== undefined;
    }
    // `replace` swaps in a new model for an id already present and announces it again: the
    // simulator uses it for deliberately duplicated deliveries, which the real site is reported
    // to produce too.
    add(model, options = {}) {
      if (!(model instanceof Model)) model = new this.model(model);
      const key = keyOf(model.id);
      const existing = this._models.get(key);
      if (existing && !options.replace) return existing;
      if (existing) this._detach(key, existing);
      this._models.set(key, model);
      model.collection = this;
      const forward = (name, ...args) => {
        if (name !== 'add' && name !== 'remove') this.trigger(name, ...args);
      };
      model.on('all', forward);
      this._forwarders.set(key, forward);
      if (!options.silent) this.trigger('add', model, this, options);
      return model;
    }
    _detach(key, model) {
      const forward = this._forwarders.get(key);
      if (forward) model.off('all', forward);
      this._forwarders.delete(key);
      this._models.delete(key);
    }
    remove(id, options = {}) {
      const key = keyOf(id instanceof Model ? id.id : id);
      const model = this._models.get(key);
      if (!model) return undefined;
      this._detach(key, model);
      if (!options.silent) this.trigger('remove', model, this, options);
      return model;
    }
    getModelsArray() {
      return [...this._models.values()];
    }
    toArray() {
      return this.getModelsArray();
    }
    filter(predicate) {
      return this.getModelsArray().filter(predicate);
    }
    map(callback) {
      return this.getModelsArray().map(callback);
    }
    forEach(callback) {
      this.getModelsArray().forEach(callback);
    }
    some(predicate) {
      return this.getModelsArray().some(predicate);
    }
    at(index) {
      return this.getModelsArray()[index];
    }
    first() {
      return this.at(0);
    }
    last() {
      return this.at(this.length - 1);
    }
    async find(id) {
      const model = this.get(id);
      if (model) return model;
      return this._fetch(id);
    }
    async _fetch(id) {
      throw new Error(`${keyOf(id)} not found`);
    }
  }

  // ----- ids --------------------------------------------------------------------------------------
  const SERVERS = new Set(['c.us', 'lid', 'g.us', 'broadcast', 'newsletter', 'call']);

  class Wid {
    constructor(text) {
      const match = /^([^@:]+)(?::(\d+))?@([a-z.]+)$/.exec(String(text));
      let server = match && match[3];
      if (server === 's.whatsapp.net') server = 'c.us';
      if (!match || !SERVERS.has(server)) throw new Error(`createWid: invalid wid "${text}"`);
      this.server = server;
      this.user = match[1];
      if (match[2] !== undefined) this.device = Number(match[2]);
      this._serialized = `${this.user}${match[2] !== undefined ? `:${match[2]}` : ''}@${server}`;
    }
    isUser() {
      return this.server === 'c.us' || this.server === 'lid';
    }
    isLid() {
      return this.server === 'lid';
    }
    isGroup() {
      return this.server === 'g.us';
    }
    isBroadcast() {
      return this.server === 'broadcast';
    }
    isStatus() {
      return this._serialized === 'status@broadcast';
    }
    isStatusV3() {
      return this.isStatus();
    }
    isNewsletter() {
      return this.server === 'newsletter';
    }
    isServer() {
      return this.server === 'c.us' && this.user === 'server';
    }
    equals(other) {
      return !!other && keyOf(other) === this._serialized;
    }
    toString() {
      return this._serialized;
    }
    toJSON() {
      return this._serialized;
    }
    toJid() {
      return `${this.user}@${this.server === 'c.us' ? 's.whatsapp.net' : this.server}`;
    }
  }

  function createWid(value) {
    if (value instanceof Wid) return value;
    if (value && typeof value === 'object' && typeof value._serialized === 'string') return new Wid(value._serialized);
    if (typeof value !== 'string') throw new Error(`createWid: invalid wid ${JSON.stringify(value)}`);
    return new Wid(value);
  }
  const widOrUndefined = (value) => (value ? createWid(value) : undefined);

  function randomHex(count) {
    const bytes = crypto.getRandomValues(new Uint8Array(Math.ceil(count / 2)));
    return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('').slice(0, count).toUpperCase();
  }

  class MsgKey {
    // Accepts {from, to, id, participant, selfDir} (what a sender builds) or
    // {fromMe, remote, id, participant}.
    constructor(options) {
      const { id, participant } = options || {};
      if (typeof id !== 'string' || !id) throw new Error('MsgKey error: id is required');
      let { fromMe, remote } = options;
      if (fromMe === undefined) {
        if (options.selfDir !== 'in' && options.selfDir !== 'out') {
          throw new Error('MsgKey error: selfDir must be "in" or "out"');
        }
        fromMe = options.selfDir === 'out';
        remote = fromMe ? options.to : options.from;
      }
      this.fromMe = !!fromMe;
      this.remote = createWid(remote);
      this.id = id;
      if (participant) this.participant = createWid(participant);
      this._serialized =
        `${this.fromMe}_${this.remote._serialized}_${id}` + (participant ? `_${this.participant._serialized}` : '');
    }
    // The current format: `3EB0` and 18 upper-case hex digits (the 20-character form is deprecated).
    static async newId() {
      return `3EB0${randomHex(18)}`;
    }
    static fromString(text) {
      const match = /^(true|false)_([^_]+)_([A-Za-z0-9]+)(?:_(.+))?$/.exec(String(text));
      if (!match) throw new Error(`MsgKey error: cannot parse "${text}"`);
      return new MsgKey({ fromMe: match[1] === 'true', remote: match[2], id: match[3], participant: match[4] });
    }
    toString() {
      return this._serialized;
    }
    equals(other) {
      return !!other && keyOf(other) === this._serialized;
    }
    clone() {
      return MsgKey.fromString(this._serialized);
    }
    toPlain() {
      const out = { fromMe: this.fromMe, remote: this.remote, id: this.id, _serialized: this._serialized };
      if (this.participant) out.participant = this.participant;
      return out;
    }
  }

  // ----- the collections --------------------------------------------------------------------------
  class Msg extends Model {
    // The real models wrap their data; `unsafe()` hands out the model itself for the reply checks.
    unsafe() {
      return this;
    }
    // What a reply spreads into its attributes to quote this message.
    msgContextInfo(chat) {
      if (!(chat instanceof Chat)) throw new TypeError('msgContextInfo expects the Chat the reply goes to');
      return {
        quotedMsg: { type: this.type, body: this.body, caption: this.caption },
        quotedStanzaID: this.id.id,
        quotedParticipant: this.id.fromMe ? meWidFor(chat.id) : this.author || this.from,
        quotedRemoteJid: this.id.remote,
      };
    }
    // Makes received media downloadable (`mediaData.mediaStage` becomes `RESOLVED`).
    async downloadMedia(options) {
      if (!options || options.downloadEvenIfExpensive === undefined) {
        throw new TypeError('downloadMedia expects {downloadEvenIfExpensive, rmrReason}');
      }
      if (!this.mediaData) throw new Error('downloadMedia: the message has no media');
      if (this.mediaData.mediaStage !== 'RESOLVED') this.mediaData.mediaStage = 'RESOLVED';
    }
  }
  class Chat extends Model {
    constructor(attributes) {
      super(attributes);
      hidden(this, 'msgs', new Collection(Msg));
    }
    get contact() {
      return ContactCollection.get(this.id);
    }
    get isUser() {
      return this.id.isUser();
    }
  }
  class Contact extends Model {}

  const MsgCollection = new Collection(Msg);
  MsgCollection._fetch = async (id) => {
    throw new Error(`message ${keyOf(id)} not found`);
  };
  const ChatCollection = new Collection(Chat);
  ChatCollection._fetch = async (id) => ensureChat(createWid(keyOf(id)));
  const ContactCollection = new Collection(Contact);
  ContactCollection._fetch = async (id) => ensureContact(createWid(keyOf(id)));

  const lidToPhone = new Map();
  /** Media messages by their file's `directPath`, for the download's media-stage check. */
  const messagesByDirectPath = new Map();

  function ensureContact(wid, pushname) {
    let contact = ContactCollection.get(wid);
    if (!contact) {
      contact = ContactCollection.add(
        new Contact({
          id: wid,
          name: undefined,
          pushname: undefined,
          shortName: undefined,
          verifiedName: undefined,
          isMyContact: false,
          isBusiness: false,
          isUser: wid.isUser(),
          isGroup: wid.isGroup(),
          isWAContact: true,
          phoneNumber: wid.isLid() ? widOrUndefined(lidToPhone.get(wid._serialized)) : undefined,
        }),
      );
    }
    if (pushname && contact.pushname !== pushname) contact.set({ pushname });
    if (wid.isLid() && lidToPhone.has(wid._serialized) && !contact.phoneNumber) {
      contact.set({ phoneNumber: createWid(lidToPhone.get(wid._serialized)) });
    }
    return contact;
  }

  function ensureChat(wid) {
    let chat = ChatCollection.get(wid);
    if (!chat) {
      const contact = wid.isGroup() ? undefined : ContactCollection.get(wid);
      chat = ChatCollection.add(
        new Chat({
          id: wid,
          name: contact && contact.name,
          formattedTitle: (contact && (contact.name || contact.pushname)) || `+${wid.user}`,
          t: 0,
          unreadCount: 0,
          isGroup: wid.isGroup(),
          isReadOnly: false,
          archive: false,
          pin: 0,
          muteExpiration: 0,
        }),
      );
    }
    return chat;
  }

  // Puts a message into `Msg` and its chat, creating the chat and the sender's contact first.
  function addMessage(msg, { countUnread = false, replace = false } = {}) {
    const remote = msg.id.remote;
    const sender = msg.author || msg.from;
    if (!msg.id.fromMe && sender) ensureContact(sender, msg.notifyName);
    const chat = ensureChat(remote);
    const existing = MsgCollection.get(msg.id);
    if (existing && !replace) return existing;
    if (countUnread && !msg.id.fromMe) chat.set({ unreadCount: (chat.unreadCount || 0) + 1 });
    if ((msg.t || 0) > (chat.t || 0)) chat.set({ t: msg.t });
    chat.msgs.add(msg, { replace });
    MsgCollection.add(msg, { replace });
    if (msg.directPath) messagesByDirectPath.set(msg.directPath, msg);
    render();
    return msg;
  }

  // A message as the server describes it → a `Msg` model.
  function messageFromServer(m, isNewMsg) {
    if (m.lidPhone && m.from.endsWith('@lid')) lidToPhone.set(m.from, m.lidPhone);
    if (m.lidPhone && m.author && m.author.endsWith('@lid')) lidToPhone.set(m.author, m.lidPhone);
    const quoted = m.quotedId ? MsgCollection.get(m.quotedId) : undefined;
    const attributes = {
      id: new MsgKey({ fromMe: m.fromMe, remote: m.remote, id: m.keyId, participant: m.participant }),
      from: createWid(m.from),
      to: m.to ? createWid(m.to) : me ? meWid() : undefined,
      author: widOrUndefined(m.author),
      body: m.body,
      caption: m.caption,
      type: m.type,
      t: m.t,
      ack: m.ack,
      isNewMsg,
      self: m.fromMe ? 'out' : 'in',
      local: m.fromMe,
      notifyName: m.notifyName,
      mimetype: m.mimetype,
      filename: m.filename,
      size: m.size,
      directPath: m.directPath,
      mediaKey: m.mediaKey,
      mediaKeyTimestamp: m.mediaKeyTimestamp,
      lat: m.lat,
      lng: m.lng,
      loc: m.loc,
      vcardFormattedName: m.vcardFormattedName,
      isForwarded: !!m.isForwarded,
      forwardingScore: m.isForwarded ? 1 : 0,
      quotedMsg: quoted ? { type: quoted.type, body: quoted.body, caption: quoted.caption } : undefined,
      quotedStanzaID: m.quotedId ? MsgKey.fromString(m.quotedId).id : undefined,
      quotedParticipant: quoted ? quoted.author || quoted.from : undefined,
      latestEditSenderTimestampMs: m.latestEditT ? m.latestEditT * 1000 : undefined,
      // Received media must be resolved (`downloadMedia`) before it can be downloaded.
      mediaData: m.directPath ? { mediaStage: m.fromMe ? 'RESOLVED' : 'INIT' } : undefined,
      star: false,
      broadcast: false,
    };
    return new Msg(attributes);
  }

  // ----- the connection ---------------------------------------------------------------------------
  let pageId = null;
  let me = null; // the stored identity once linked
  let keys = null;
  let pairingType = null;
  let pairingCode = null;
  let offlineProgress = 0;

  const meWid = () => createWid(`${me.phone}@c.us`);
  const meLidWid = () => createWid(`${me.lid}@lid`);
  /** The business's own id as a chat of that kind sees it: its hidden linked id in `@lid` chats. */
  const meWidFor = (chatId) => (createWid(chatId).isLid() ? meLidWid() : meWid());

  const Socket = new Model({ state: 'UNLAUNCHED', hasSynced: false, stream: 'DISCONNECTED' });
  Object.assign(Socket, {
    logout: () => post('/sim/logout', { page: pageId }),
    reconnect: () => post('/sim/reconnect', { page: pageId }),
    takeover: () => post('/sim/takeover', { page: pageId }),
  });
  const Conn = new Model({ ref: undefined, refTTL: 20000, wid: undefined, pushname: undefined, platform: 'web' });
  const Cmd = new Events();
  const refreshQR = () => post('/sim/refresh-qr', { page: pageId });
  // The stream's presence: a client marks itself available around what the phone should see.
  const Stream = new Model({ available: false });
  Object.assign(Stream, {
    markAvailable: () => Stream.set({ available: true }),
    markUnavailable: () => Stream.set({ available: false }),
  });
  const OfflineMessageHandler = { getOfflineDeliveryProgress: () => offlineProgress };

  function report() {
    if (!pageId) return;
    post('/sim/report', { page: pageId, state: Socket.state, hasSynced: Socket.hasSynced }).catch(() => {});
  }
  Socket.on('change:state change:hasSynced', () => {
    report();
    render();
  });
  Conn.on('change:ref', render);

  async function post(path, body) {
    const response = await fetch(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    });
    const data = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error((data.error && data.error.message) || `HTTP ${response.status}`);
    return data;
  }

  // ----- this browser's storage: the linked session -----------------------------------------------
  const DB_NAME = 'wawc';
  const STORE = 'user';
  const MARKER = 'last-wid-md';
  let db = null;

  function request(operation) {
    return new Promise((resolve, reject) => {
      operation.onsuccess = () => resolve(operation.result);
      operation.onerror = () => reject(operation.error);
    });
  }
  async function openDb() {
    const opening = indexedDB.open(DB_NAME, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    return request(opening);
  }
  const dbGet = (key) => request(db.transaction(STORE).objectStore(STORE).get(key));
  const dbPut = (key, value) => request(db.transaction(STORE, 'readwrite').objectStore(STORE).put(value, key));
  const dbClear = () => request(db.transaction(STORE, 'readwrite').objectStore(STORE).clear());

  const randomBytes = (n) => crypto.getRandomValues(new Uint8Array(n)).buffer;

  async function loadKeys() {
    let stored = await dbGet('keys');
    if (!stored) {
      stored = {
        noise: { pubKey: randomBytes(32), privKey: randomBytes(32) },
        identity: { pubKey: randomBytes(32), privKey: randomBytes(32) },
        advSecret: encodeB64(randomBytes(32)),
        registrationId: 1 + Math.floor(Math.random() * 16380),
      };
      await dbPut('keys', stored);
    }
    return stored;
  }

  function encodeB64(data) {
    let bytes;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data)) bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else throw new TypeError('encodeB64 expects an ArrayBuffer or a typed array');
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }
  function decodeB64(text) {
    const binary = atob(text);
    const bytes = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes.buffer;
  }

  // ----- media ------------------------------------------------------------------------------------
  class OpaqueData {
    constructor(blob) {
      hidden(this, '_blob', blob);
      hidden(this, '_url', null);
      this.type = blob.type;
      this.size = blob.size;
      if (blob.name) this.filename = blob.name;
    }
    static async createFromData(data, mimetype) {
      let blob = data instanceof Blob ? data : new Blob([data], { type: mimetype || '' });
      if (mimetype && blob.type !== mimetype) {
        blob = new File([blob], data.name || 'file', { type: mimetype });
      }
      return new OpaqueData(blob);
    }
    url() {
      if (!this._url) this._url = URL.createObjectURL(this._blob);
      return this._url;
    }
    autorelease() {
      if (this._url) URL.revokeObjectURL(this._url);
      this._url = null;
    }
    forceToBlob() {
      return this._blob;
    }
    arrayBuffer() {
      return this._blob.arrayBuffer();
    }
  }

  const preparedMedia = new Map(); // filehash → {bytes, mimetype}
  const mediaObjects = new Map();

  function mediaTypeFor(mimetype, options) {
    if (options.asDocument) return 'document';
    if (options.asSticker) return 'sticker';
    const major = String(mimetype).split('/')[0];
    if (major === 'image') return mimetype === 'image/webp' && options.asSticker ? 'sticker' : 'image';
    if (major === 'video') return 'video';
    if (major === 'audio') return options.isPtt ? 'ptt' : 'audio';
    return 'document';
  }

  class MediaPrep {
    constructor(promise) {
      hidden(this, '_promise', promise);
    }
    waitForPrep() {
      return this._promise;
    }
  }

  // What prepRawMedia produces: own enumerable fields (a sender may spread them into the message
  // attributes), plus set() and toJSON().
  function makeMediaData(fields) {
    const data = { ...fields };
    hidden(data, 'set', (changes) => Object.assign(data, changes));
    hidden(data, 'toJSON', () => {
      const out = { ...data };
      delete out.mediaBlob;
      return out;
    });
    return data;
  }

  function prepRawMedia(opaque, options = {}) {
    if (!(opaque instanceof OpaqueData)) {
      throw new TypeError('prepRawMedia expects the OpaqueData from WAWebMediaOpaqueData.createFromData');
    }
    const promise = (async () => {
      const bytes = await opaque.arrayBuffer();
      const filehash = encodeB64(await crypto.subtle.digest('SHA-256', bytes));
      const mimetype = opaque.type || 'application/octet-stream';
      preparedMedia.set(filehash, { bytes, mimetype });
      const type = mediaTypeFor(mimetype, options);
      return makeMediaData({
        type,
        mimetype,
        filename: opaque.filename,
        size: bytes.byteLength,
        filehash,
        mediaBlob: opaque,
        preview: type === 'image' || type === 'video' ? THUMBNAIL : undefined,
        isGif: !!options.asGif,
        isViewOnce: false,
      });
    })();
    return new MediaPrep(promise);
  }

  function getOrCreateMediaObject(filehash) {
    if (!mediaObjects.has(filehash)) {
      const prepared = preparedMedia.get(filehash);
      const object = { filehash, size: prepared ? prepared.bytes.byteLength : undefined, contentInfo: {} };
      hidden(object, 'consolidated', false);
      hidden(object, 'consolidate', (json) => {
        if (!json || typeof json !== 'object' || !json.filehash) {
          throw new TypeError('consolidate expects the media data (mediaData.toJSON())');
        }
        Object.assign(object.contentInfo, json);
        object.consolidated = true;
      });
      mediaObjects.set(filehash, object);
    }
    return mediaObjects.get(filehash);
  }

  // The upload's media type, as the real `WAWebMmsMediaTypes.msgToMediaType` gives it.
  const msgToMediaType = ({ type, isGif } = {}) => (type === 'video' && isGif ? 'gif' : type);

  async function uploadMedia({ mimetype, mediaObject, mediaType } = {}) {
    const prepared = mediaObject && preparedMedia.get(mediaObject.filehash);
    if (!prepared) throw new Error('uploadMedia: no prepared media for this media object (prepRawMedia first)');
    if (!mediaObject.consolidated) {
      throw new Error('uploadMedia: the media object holds no media data (mediaObject.consolidate(mediaData.toJSON()) first)');
    }
    const expected = msgToMediaType(mediaObject.contentInfo);
    if (mediaType !== expected) {
      throw new Error(`uploadMedia: mediaType ${JSON.stringify(mediaType)} is not msgToMediaType's ${JSON.stringify(expected)}`);
    }
    const query = new URLSearchParams({ page: pageId, mimetype: mimetype || prepared.mimetype, type: mediaType || '' });
    const response = await fetch(`/sim/upload?${query}`, { method: 'POST', body: prepared.bytes });
    const entry = await response.json();
    if (!response.ok) throw new Error((entry.error && entry.error.message) || `upload failed: HTTP ${response.status}`);
    return {
      mediaEntry: {
        directPath: entry.directPath,
        mediaKey: entry.mediaKey,
        mediaKeyTimestamp: entry.mediaKeyTimestamp,
        mmsUrl: entry.mmsUrl,
        deprecatedMms3Url: entry.mmsUrl,
        encFilehash: entry.encFilehash,
        uploadHash: entry.uploadHash,
        sidecar: undefined,
        firstFrameSidecar: undefined,
      },
    };
  }

  async function downloadAndMaybeDecrypt({ directPath, mediaKey, downloadQpl } = {}) {
    // Since WA Web 2.3000.1030924679 the download instruments itself through `downloadQpl`.
    downloadQpl.addAnnotations({ directPath }).addPoint('download_start');
    if (!directPath || !mediaKey) throw new TypeError('downloadAndMaybeDecrypt needs directPath and mediaKey');
    const owner = messagesByDirectPath.get(directPath);
    if (owner && owner.mediaData && owner.mediaData.mediaStage !== 'RESOLVED') {
      throw new Error(`media not resolved (mediaStage ${owner.mediaData.mediaStage}): msg.downloadMedia() first`);
    }
    const query = new URLSearchParams({ directPath, mediaKey });
    const response = await fetch(`/sim/media?${query}`);
    if (!response.ok) {
      const problem = await response.json().catch(() => ({}));
      throw new Error(`media download failed (${response.status}): ${(problem.error && problem.error.message) || ''}`);
    }
    return response.arrayBuffer();
  }

  // ----- sending ----------------------------------------------------------------------------------
  const MEDIA_MESSAGE_TYPES = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);
  /** What a media message carries from its upload (see `uploadMedia`). */
  const UPLOADED_MEDIA_FIELDS = [
    'clientUrl',
    'directPath',
    'mediaKey',
    'mediaKeyTimestamp',
    'filehash',
    'encFilehash',
    'uploadhash',
    'size',
    'mimetype',
  ];

  function requireLinked(what) {
    if (!me) throw new Error(`${what}: not logged in`);
  }

  function addAndSendMsgToChat(chat, attributes) {
    requireLinked('addAndSendMsgToChat');
    if (!(chat instanceof Chat)) throw new TypeError('addAndSendMsgToChat expects a Chat model');
    if (!attributes || !attributes.id || typeof attributes.id._serialized !== 'string') {
      throw new TypeError('addAndSendMsgToChat expects attributes with an id made by WAWebMsgKey');
    }
    const key = attributes.id instanceof MsgKey ? attributes.id : MsgKey.fromString(attributes.id._serialized);
    if (!key.fromMe || !key.remote.equals(chat.id)) {
      throw new Error(`message key ${key} is not an outgoing key for chat ${chat.id}`);
    }
    const type = attributes.type || 'chat';
    if (MEDIA_MESSAGE_TYPES.has(type)) {
      const missing = UPLOADED_MEDIA_FIELDS.filter((field) => attributes[field] === undefined || attributes[field] === null);
      if (missing.length) throw new Error(`addAndSendMsgToChat: the ${type} message lacks ${missing.join(', ')} (from the upload)`);
      if ((type === 'image' || type === 'video') && !(typeof attributes.body === 'string' && attributes.body.length)) {
        throw new Error(`addAndSendMsgToChat: the body of a ${type} message is its thumbnail preview`);
      }
    }
    // Quotes travel only through the quoted message's `msgContextInfo(chat)`.
    const quoted = attributes.quotedStanzaID
      ? chat.msgs.getModelsArray().find((m) => m.id.id === attributes.quotedStanzaID)
      : undefined;
    const fields = { ...attributes };
    delete fields.mediaBlob;
    const msg = new Msg({
      ...fields,
      id: key,
      from: createWid(attributes.from || meWid()),
      to: createWid(attributes.to || chat.id),
      ack: attributes.ack === undefined ? 0 : attributes.ack,
      t: attributes.t || nowSeconds(),
      self: 'out',
      local: true,
      isNewMsg: true,
    });
    const added = Promise.resolve().then(() => [addMessage(msg)]);
    const sent = added.then(async ([model]) => {
      let reply;
      try {
        reply = await post('/sim/send', {
          page: pageId,
          id: key._serialized,
          to: chat.id._serialized,
          type: model.type || 'chat',
          body: typeof model.body === 'string' ? model.body : undefined,
          caption: model.caption,
          mimetype: model.mimetype,
          filename: model.filename,
          size: model.size,
          directPath: model.directPath,
          mediaKey: model.mediaKey,
          t: model.t,
          from: keyOf(model.from),
          ephemeralDuration: model.ephemeralDuration,
          quotedId: quoted && attributes.quotedParticipant ? quoted.id._serialized : undefined,
        });
      } catch (error) {
        model.set({ ack: -1 });
        return { messageSendResult: 'ERROR', error: String(error.message || error) };
      }
      if (reply.ack < 0 || reply.ack > model.ack) model.set({ ack: reply.ack });
      return { messageSendResult: reply.result };
    });
    return [added, sent];
  }

  async function queryWidExists(wid) {
    const target = createWid(wid);
    const { exists } = await post('/sim/exists', { wid: target._serialized });
    return exists ? { wid: target, biz: false } : null;
  }

  async function sendSeen(options) {
    if (!options || !(options.chat instanceof Chat)) {
      throw new TypeError('sendSeen expects {chat, threadId} with a Chat model');
    }
    if (!Stream.available) throw new Error('sendSeen: the client is not available (Stream.markAvailable() first)');
    options.chat.set({ unreadCount: 0 });
    await post('/sim/seen', { page: pageId, chatId: options.chat.id._serialized });
  }

  const chatState = (state) => async (chatId) => {
    await post('/sim/chatstate', { page: pageId, chatId: createWid(chatId)._serialized, state });
  };

  // ----- pairing by code --------------------------------------------------------------------------
  // Back from the pairing-code screen to QR codes.
  async function initializeQRLinking() {
    pairingType = null;
    pairingCode = null;
    await post('/sim/qr-linking', { page: pageId });
    render();
  }

  async function startAltLinkingFlow(phoneDigits) {
    if (pairingType !== 'ALT_DEVICE_LINKING') {
      throw new Error('startAltLinkingFlow: call setPairingType("ALT_DEVICE_LINKING") first');
    }
    const { code } = await post('/sim/pairing-code', { page: pageId, phone: String(phoneDigits) });
    pairingCode = code;
    render();
    return code;
  }

  // ----- the server's events ------------------------------------------------------------------------
  async function handle(event) {
    switch (event.kind) {
      case 'state':
        if (event.state !== 'CONNECTED') offlineProgress = Socket.hasSynced ? 100 : 0;
        if (event.state !== 'UNPAIRED' && event.state !== 'UNPAIRED_IDLE') pairingCode = null;
        Socket.set({ state: event.state, stream: event.state === 'CONNECTED' ? 'CONNECTED' : 'DISCONNECTED' });
        break;
      case 'ref':
        Conn.set({ ref: event.ref });
        break;
      case 'linked': {
        me = event.identity;
        await dbPut('identity', me);
        localStorage.setItem(MARKER, JSON.stringify(`${me.phone}:${me.device}@c.us`));
        Conn.set({ wid: meWid(), pushname: me.pushName });
        break;
      }
      case 'history':
        for (const m of event.messages) addMessage(messageFromServer(m, false));
        break;
      case 'sync':
        await runOfflineSync();
        break;
      case 'inbound': {
        // A batch: one message while online, up to 500 at a time of what queued while offline.
        for (const delivery of event.deliveries) deliverInbound(delivery.message, delivery.decryptDelayMs);
        const ids = event.deliveries.map((delivery) => delivery.message.id);
        post('/sim/delivered', { page: pageId, ids }).catch(() => {});
        break;
      }
      case 'ack': {
        const msg = MsgCollection.get(event.id);
        if (msg && msg.ack !== event.ack) msg.set({ ack: event.ack });
        render();
        break;
      }
      case 'revoke': {
        const msg = MsgCollection.get(event.id);
        if (msg) msg.set({ type: 'revoked', body: '', caption: undefined });
        break;
      }
      case 'edit': {
        const msg = MsgCollection.get(event.id);
        if (msg) msg.set({ [event.field]: event.value, latestEditSenderTimestampMs: event.t * 1000 });
        break;
      }
      case 'config':
        missingModules = event.missingModules || [];
        lateModules = event.lateModules || {};
        break;
      case 'disappearing':
        ensureChat(createWid(event.chatId)).set({
          ephemeralDuration: event.seconds || 0,
          ephemeralSettingTimestamp: nowSeconds(),
        });
        break;
      case 'logout':
        await logoutHere();
        break;
      default:
        console.warn('wa-sim: unknown event', event);
    }
  }

  function deliverInbound(m, decryptDelayMs) {
    const msg = messageFromServer(m, true);
    const replace = MsgCollection.has(msg.id);
    if (!decryptDelayMs) {
      addMessage(msg, { countUnread: true, replace });
      return;
    }
    // Arrives undecrypted first, as the real site's "waiting for this message" placeholders.
    const real = msg.serialize();
    msg.set({ type: 'ciphertext', body: '', caption: undefined }, { silent: true });
    addMessage(msg, { countUnread: true, replace });
    setTimeout(() => {
      msg.set({ body: real.body, caption: real.caption });
      msg.set({ type: real.type });
    }, decryptDelayMs);
  }

  // Yields to the event loop without a timer: a hidden browser window throttles timers to once a
  // second or even once a minute, which would stall the sync for minutes.
  function nextTask() {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
  }

  async function runOfflineSync() {
    for (const progress of [0, 20, 50, 80, 100]) {
      offlineProgress = progress;
      Cmd.trigger('offline_progress_update_from_bridge');
      await nextTask();
    }
    if (Socket.state === 'CONNECTED') {
      Socket.set({ hasSynced: true });
      registerLateModules();
    }
    await post('/sim/synced', { page: pageId });
  }

  async function logoutHere() {
    Cmd.trigger('logout');
    me = null;
    await dbClear();
    localStorage.removeItem(MARKER);
    stopped = true;
    setTimeout(() => window.location.assign('/?post_logout=1'), 100);
  }

  let stopped = false;
  async function pollLoop() {
    let after = 0;
    let failures = 0;
    while (!stopped) {
      let reply;
      try {
        const response = await fetch(`/sim/poll?page=${pageId}&after=${after}`);
        reply = await response.json();
      } catch (error) {
        // The server is gone (the demo restarts its simulator): the connection is down until it
        // answers again, as the real site's socket is while it reconnects.
        failures += 1;
        if (failures === 1) Socket.set({ state: 'OPENING', stream: 'DISCONNECTED' });
        showProblem(failures > 2 ? 'The simulator is not answering; retrying…' : '');
        await sleep(1000);
        continue;
      }
      if (failures > 0) {
        // Whatever the server did meanwhile, a fresh load resumes the stored session cleanly.
        window.location.reload();
        return;
      }
      if (reply.gone) {
        if (reply.reason === 'replaced') {
          stopped = true;
          showProblem('WhatsApp Web (simulator) is open in another window.');
          return;
        }
        // The simulator restarted or forgot this page: load again, resuming the stored session.
        window.location.reload();
        return;
      }
      showProblem('');
      for (const event of reply.events) {
        after = event.seq;
        try {
          await handle(event);
        } catch (error) {
          console.error('wa-sim: handling', event.kind, 'failed', error);
        }
      }
    }
  }

  window.addEventListener('pagehide', () => {
    if (pageId && !stopped) navigator.sendBeacon('/sim/bye', JSON.stringify({ page: pageId }));
  });

  // ----- the modules ------------------------------------------------------------------------------
  function registerBootModules() {
    moduleTable = allModules();
    for (const [name, value] of Object.entries(moduleTable)) if (!(name in lateModules)) modules[name] = value;
  }

  // Right after the sync, or the configured delay later.
  function registerLateModules() {
    for (const [name, delay] of Object.entries(lateModules)) {
      if (name in modules || !moduleTable[name]) continue;
      const register = () => {
        modules[name] = moduleTable[name];
      };
      if (delay > 0) setTimeout(register, delay);
      else register();
    }
  }

  function allModules() {
    return {
      WAWebSocketModel: { Socket },
      WAWebConnModel: { Conn },
      WAWebCmd: { Cmd },
      WAWebLaunchSocketUtils: { refreshQR },
      WAWebStreamModel: { Stream },
      WAWebOfflineHandler: { OfflineMessageHandler },
      WAWebUserPrefsInfoStore: {
        waNoiseInfo: { get: async () => ({ staticKeyPair: keys.noise }) },
      },
      WAWebSignalStoreApi: {
        waSignalStore: {
          getRegistrationInfo: async () => ({ identityKeyPair: keys.identity, registrationId: keys.registrationId }),
        },
      },
      WAWebUserPrefsMultiDevice: { getADVSecretKey: () => keys.advSecret },
      WAWebCompanionRegClientUtils: { DEVICE_PLATFORM: 'WEB' },
      WABase64: { encodeB64, decodeB64 },
      WAWebAltDeviceLinkingApi: {
        setPairingType: (type) => {
          pairingType = type;
        },
        initializeAltDeviceLinking: async () => {},
        startAltLinkingFlow,
        initializeQRLinking,
      },
      WAWebCollections: { Msg: MsgCollection, Chat: ChatCollection, Contact: ContactCollection },
      WAWebWidFactory: {
        createWid,
        createUserWid: (user, server = 'c.us') => createWid(`${user}@${server}`),
        toUserWid: (wid) => createWid(`${createWid(wid).user}@${createWid(wid).server}`),
      },
      WAWebApiContact: {
        getPhoneNumber: (wid) => {
          const target = createWid(wid);
          if (target.server === 'c.us') return target;
          const phone = lidToPhone.get(target._serialized);
          return phone ? createWid(phone) : null;
        },
        getCurrentLid: (wid) => {
          const target = createWid(wid)._serialized;
          for (const [lid, phone] of lidToPhone) if (phone === target) return createWid(lid);
          return null;
        },
      },
      WAWebQueryExistsJob: { queryWidExists },
      WAWebFindChatAction: {
        findOrCreateLatestChat: async (wid) => {
          const target = createWid(wid);
          const created = !ChatCollection.has(target);
          return { chat: ensureChat(target), created };
        },
      },
      WAWebMsgKey: MsgKey,
      WAWebUserPrefsMeUser: {
        getMaybeMePnUser: () => (me ? meWid() : undefined),
        getMaybeMeLidUser: () => (me ? createWid(`${me.lid}@lid`) : undefined),
      },
      WAWebSendMsgChatAction: { addAndSendMsgToChat },
      WAWebMsgReply: { canReplyMsg: (msg) => msg instanceof Msg && msg.type !== 'revoked' && msg.type !== 'ciphertext' },
      WAWebGetEphemeralFieldsMsgActionsUtils: {
        getEphemeralFields: (chat) =>
          chat.ephemeralDuration
            ? {
                ephemeralDuration: chat.ephemeralDuration,
                ephemeralSettingTimestamp: chat.ephemeralSettingTimestamp,
                disappearingModeInitiator: 'chat',
              }
            : {},
      },
      WAWebUpdateUnreadChatAction: { sendSeen },
      WAWebChatStateBridge: {
        sendChatStateComposing: chatState('composing'),
        sendChatStatePaused: chatState('paused'),
      },
      WAWebMediaOpaqueData: OpaqueData,
      WAWebPrepRawMedia: { prepRawMedia },
      WAWebMediaStorage: { getOrCreateMediaObject },
      WAWebMmsMediaTypes: { msgToMediaType },
      WAWebMediaMmsV4Upload: { uploadMedia },
      WAWebDownloadManager: { downloadManager: { downloadAndMaybeDecrypt } },
    };
  }

  // ----- what a person sees (debugging only) --------------------------------------------------------
  function element(id) {
    return document.getElementById(id);
  }
  function showProblem(text) {
    const box = element('problem');
    if (box) box.textContent = text;
  }
  let renderQueued = false;
  function render() {
    if (renderQueued) return;
    renderQueued = true;
    setTimeout(() => {
      renderQueued = false;
      const state = Socket.state;
      element('state').textContent = state + (Socket.hasSynced ? ' (synced)' : '');
      element('me').textContent = me ? `+${me.phone} · ${me.pushName}` : 'not linked';
      const showQr = state === 'UNPAIRED' && Conn.ref && keys;
      element('qr').textContent = showQr
        ? [Conn.ref, encodeB64(keys.noise.pubKey), encodeB64(keys.identity.pubKey), keys.advSecret, 'WEB'].join(',')
        : '';
      element('code').textContent = pairingCode ? `${pairingCode.slice(0, 4)}-${pairingCode.slice(4)}` : '';
      const recent = MsgCollection.getModelsArray().slice(-15).reverse();
      element('log').replaceChildren(
        ...recent.map((m) => {
          const row = document.createElement('li');
          const who = m.id.fromMe ? `→ ${m.to && m.to.user}` : `← ${(m.author || m.from).user}`;
          const text = m.type === 'chat' ? m.body : `[${m.type}] ${m.caption || m.filename || ''}`;
          row.textContent = `${who}  ${text}  ${m.id.fromMe ? `ack ${m.ack}` : ''}`;
          return row;
        }),
      );
    }, 0);
  }

  // ----- start --------------------------------------------------------------------------------------
  async function boot() {
    await sleep(LOAD_DELAY_MS);
    db = await openDb();
    keys = await loadKeys();
    me = (await dbGet('identity')) || null;
    let hello;
    for (let attempt = 1; !hello; attempt++) {
      try {
        hello = await post('/sim/hello', {
          keys: {
            noisePub: encodeB64(keys.noise.pubKey),
            identityPub: encodeB64(keys.identity.pubKey),
            advSecret: keys.advSecret,
            platform: 'WEB',
          },
          identity: me,
        });
      } catch (error) {
        // The simulator may be restarting (the demo app restarts its in-process simulator).
        showProblem(`The simulator is not answering (${error.message || error}); retrying…`);
        await sleep(Math.min(5000, 250 * attempt));
      }
    }
    showProblem('');
    pageId = hello.page;
    missingModules = hello.missingModules || [];
    lateModules = hello.lateModules || {};
    // Modules and VERSION appear only now, with `missingModules` known: a script that waits for
    // VERSION must never see a module the configured "update" removed (as on the real site).
    registerBootModules();
    window.Debug = Object.assign(window.Debug || {}, { VERSION });
    if (me) Conn.set({ wid: meWid(), pushname: me.pushName });
    Socket.set({ state: 'OPENING' });
    render();
    pollLoop();
  }

  boot().catch((error) => {
    console.error('wa-sim: the page failed to start', error);
    showProblem(`The page failed to start: ${error.message || error}`);
  });
})();
