// WhatsFlow's bridge into WhatsApp Web: the one script injected into the page.
//
// It waits for the site to load, checks that every module it relies on is there, forwards the
// events the app needs to the program through a CDP binding, and offers a few calls
// (`window.__whatsflow.call(name, args)`) for sending, checking numbers and the like.
// Every WhatsApp Web module and member used is named in MODULES below and nowhere else: when the
// site renames something, this table is the only place to change.
(() => {
  'use strict';
  // Injected into every new document; iframes and a second injection into the same document do nothing.
  if (window.top !== window || window.__whatsflow) return;

  /** The CDP binding the program listens on (Runtime.addBinding); the same name lives in page.rs. */
  const BINDING = 'whatsflowBridge';
  /** How long the site may take to define `window.Debug.VERSION`. */
  const LOAD_TIMEOUT_MS = 30000;
  /** Modules may register a little after VERSION appears; look again for this long before giving up. */
  const RESOLVE_GRACE_MS = 10000;
  /** Received media larger than this is not downloaded (the message is still stored). */
  const MAX_MEDIA_BYTES = 64 * 1024 * 1024;
  /** Media travels to the program in pieces of this many bytes (base64 over the binding). */
  const MEDIA_CHUNK_BYTES = 4 * 1024 * 1024;
  /** Most messages in one binding call: new messages are coalesced, history is read in batches. */
  const BATCH_MESSAGES = 500;

  // ---- The WhatsApp Web surface: key -> [module name, members that must exist] ----
  const MODULES = {
    socket: ['WAWebSocketModel', 'Socket'],
    conn: ['WAWebConnModel', 'Conn'],
    cmd: ['WAWebCmd', 'Cmd'],
    collections: ['WAWebCollections', 'Msg', 'Chat', 'Contact'],
    widFactory: ['WAWebWidFactory', 'createWid'],
    apiContact: ['WAWebApiContact', 'getPhoneNumber'],
    offline: ['WAWebOfflineHandler', 'OfflineMessageHandler'],
    prefsInfo: ['WAWebUserPrefsInfoStore', 'waNoiseInfo'],
    signalStore: ['WAWebSignalStoreApi', 'waSignalStore'],
    multiDevice: ['WAWebUserPrefsMultiDevice', 'getADVSecretKey'],
    companion: ['WAWebCompanionRegClientUtils', 'DEVICE_PLATFORM'],
    base64: ['WABase64', 'encodeB64'],
    altLinking: ['WAWebAltDeviceLinkingApi', 'setPairingType', 'initializeAltDeviceLinking', 'startAltLinkingFlow'],
    queryExists: ['WAWebQueryExistsJob', 'queryWidExists'],
    findChat: ['WAWebFindChatAction', 'findOrCreateLatestChat'],
    msgKey: ['WAWebMsgKey', 'newId'],
    meUser: ['WAWebUserPrefsMeUser', 'getMaybeMePnUser', 'getMaybeMeLidUser'],
    sendMsg: ['WAWebSendMsgChatAction', 'addAndSendMsgToChat'],
    unread: ['WAWebUpdateUnreadChatAction', 'sendSeen'],
    chatState: ['WAWebChatStateBridge', 'sendChatStateComposing', 'sendChatStatePaused'],
    opaqueData: ['WAWebMediaOpaqueData', 'createFromData'],
    prepMedia: ['WAWebPrepRawMedia', 'prepRawMedia'],
    mediaStorage: ['WAWebMediaStorage', 'getOrCreateMediaObject'],
    upload: ['WAWebMediaMmsV4Upload', 'uploadMedia'],
    download: ['WAWebDownloadManager', 'downloadManager'],
  };
  /** Socket states that need a QR code or a pairing code. */
  const UNPAIRED = new Set(['UNPAIRED', 'UNPAIRED_IDLE']);
  /** Message types that are notices, not messages. */
  const NOTICES = new Set(['e2e_notification', 'notification_template', 'gp2', 'protocol']);
  /** Message types whose bytes are downloaded; their `body` is a thumbnail, not text. */
  const MEDIA = new Set(['image', 'video', 'audio', 'ptt', 'document', 'sticker']);
  /** Chats the app keeps: people, by phone-number id or hidden linked id. Groups, status and channels are not. */
  const PERSON_SERVERS = new Set(['c.us', 'lid']);

  const R = {};
  let ready = false;
  let pairing = false;
  /** Key ids of messages this app is sending: their `add` events are the app's own, not inbound. */
  const ownSends = new Set();
  /** Outgoing media assembled from pieces the program pushed, by token. */
  const staged = new Map();

  const emit = (kind, data) => {
    try {
      window[BINDING](JSON.stringify(Object.assign({ kind }, data || {})));
    } catch (error) {
      // The binding is missing only if the program is gone; nothing to tell anyone.
    }
  };
  const log = (text) => emit('log', { text: String(text) });
  const describe = (error) => (error && (error.stack || error.message)) || String(error);
  const serialized = (wid) => (wid == null ? null : typeof wid === 'string' ? wid : wid._serialized || String(wid));
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

  /** Bytes to base64 without building one huge argument list. */
  const toBase64 = (bytes) => {
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000) {
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    }
    return btoa(text);
  };
  const fromBase64 = (b64) => {
    const text = atob(b64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    return bytes;
  };

  /** Looks every module up; returns what is missing, as "module X" or "X.member". */
  const resolveModules = () => {
    const missing = [];
    for (const [key, [name, ...members]] of Object.entries(MODULES)) {
      let module;
      try {
        module = window.require(name);
      } catch (error) {
        module = undefined;
      }
      if (!module) {
        missing.push(`module ${name}`);
        continue;
      }
      for (const member of members) {
        if (module[member] === undefined) missing.push(`${name}.${member}`);
      }
      R[key] = module;
    }
    return missing;
  };

  const waitForLoad = async () => {
    const started = Date.now();
    while (!(window.Debug && window.Debug.VERSION && typeof window.require === 'function')) {
      if (Date.now() - started > LOAD_TIMEOUT_MS) return null;
      await sleep(50);
    }
    return String(window.Debug.VERSION);
  };

  // ---- Connection state and QR ----

  const me = () => {
    try {
      const wid = R.meUser.getMaybeMePnUser() || R.meUser.getMaybeMeLidUser();
      return { me: serialized(wid), pushName: R.conn.Conn.pushname || null };
    } catch (error) {
      return { me: null, pushName: null };
    }
  };

  const reportState = () => {
    const socket = R.socket.Socket;
    const state = socket.state;
    const data = { state, synced: !!socket.hasSynced };
    if (state === 'CONNECTED') Object.assign(data, me());
    emit('state', data);
    maybeBackfill();
    if (UNPAIRED.has(state)) {
      if (state === 'UNPAIRED_IDLE' && !pairing) {
        // A QR left unscanned goes idle; ask for a fresh one so the screen never shows a dead code.
        try {
          R.cmd.Cmd.refreshQR();
        } catch (error) {
          log(`refreshQR failed: ${describe(error)}`);
        }
      }
      reportQr();
    }
  };

  const reportQr = async () => {
    try {
      const ref = R.conn.Conn.ref;
      if (!ref || !UNPAIRED.has(R.socket.Socket.state)) return;
      const b64 = (key) => R.base64.encodeB64(key);
      const noise = await R.prefsInfo.waNoiseInfo.get();
      const registration = await R.signalStore.waSignalStore.getRegistrationInfo();
      const advSecret = await R.multiDevice.getADVSecretKey();
      const parts = [
        ref,
        b64(noise.staticKeyPair.pubKey),
        b64(registration.identityKeyPair.pubKey),
        advSecret,
        R.companion.DEVICE_PLATFORM,
      ];
      emit('qr', { qr: parts.join(',') });
    } catch (error) {
      log(`could not build the QR string: ${describe(error)}`);
    }
  };

  // ---- Messages ----

  /** A person's chat id (`…@c.us`, `…@lid`) or null for chats the app does not keep. */
  const personChat = (wid) => {
    const chat = serialized(wid);
    return chat && PERSON_SERVERS.has(chat.split('@')[1]) ? chat : null;
  };

  /** A message's fields as the program wants them, without its file; `null` for what the app ignores. */
  const messageFields = (msg) => {
    const m = msg.serialize();
    const id = m.id || {};
    const chat = personChat(id.remote);
    if (!chat) return null;
    const out = {
      id: serialized(id),
      chat,
      fromMe: !!id.fromMe,
      type: m.type,
      body: '',
      caption: m.caption || null,
      t: m.t || 0,
      pushName: m.notifyName || null,
      mimetype: m.mimetype || null,
      filename: m.filename || null,
      phone: null,
      quotedId: null,
      media: null,
      mediaError: null,
    };
    if (m.type === 'location') {
      out.body = `geo:${m.lat},${m.lng}${m.loc ? ` ${m.loc}` : ''}`;
    } else if (m.type === 'multi_vcard') {
      out.body = (m.vcardList || []).map((card) => card.vcard || '').join('\n');
    } else if (!MEDIA.has(m.type)) {
      out.body = m.body || '';
    }
    if (m.quotedStanzaID) {
      const quoted = [true, false]
        .map((fromMe) => R.collections.Msg.get(`${fromMe}_${chat}_${m.quotedStanzaID}`))
        .find(Boolean);
      out.quotedId = quoted ? serialized(quoted.id) : null;
    }
    return out;
  };

  /** The phone behind a hidden linked id (`…@lid`), if WhatsApp knows it. */
  const phoneOf = async (chat) => {
    if (!chat.endsWith('@lid')) return null;
    try {
      return serialized(await R.apiContact.getPhoneNumber(R.widFactory.createWid(chat)));
    } catch (error) {
      return null;
    }
  };

  /** A received (or phone-sent) message with its file, queued for the program. */
  const deliver = async (msg) => {
    const out = messageFields(msg);
    if (!out) return;
    const m = msg.serialize();
    out.phone = await phoneOf(out.chat);
    if (MEDIA.has(m.type) && m.directPath) {
      try {
        const data = await R.download.downloadManager.downloadAndMaybeDecrypt({
          directPath: m.directPath,
          encFilehash: m.encFilehash,
          filehash: m.filehash,
          mediaKey: m.mediaKey,
          mediaKeyTimestamp: m.mediaKeyTimestamp,
          type: m.type,
          signal: new AbortController().signal,
        });
        const bytes = new Uint8Array(data);
        if (bytes.length > MAX_MEDIA_BYTES) {
          out.mediaError = `the file is larger than ${MAX_MEDIA_BYTES / 1048576} MB`;
        } else {
          let chunks = 0;
          for (let start = 0; start < bytes.length || chunks === 0; start += MEDIA_CHUNK_BYTES) {
            emit('media', { id: out.id, index: chunks, data: toBase64(bytes.subarray(start, start + MEDIA_CHUNK_BYTES)) });
            chunks += 1;
          }
          out.media = { chunks, size: bytes.length };
        }
      } catch (error) {
        out.mediaError = `download failed: ${describe(error)}`;
      }
    }
    queueMessage(out);
  };

  // ---- Many messages at once: coalesced new messages, history backfill ----

  /** New messages waiting to go to the program in one binding call. */
  let outgoing = [];
  let flushScheduled = false;
  const flushMessages = () => {
    flushScheduled = false;
    if (!outgoing.length) return;
    const messages = outgoing;
    outgoing = [];
    emit('msgs', { messages });
  };
  /** Yields to the event loop without a timer (a hidden window throttles timers to once a second). */
  const nextTask = () =>
    new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => resolve();
      channel.port2.postMessage(null);
    });
  /**
   * Queues a message for the program. Everything that arrives in the same task (an offline batch
   * delivered at once) goes in one call, at most BATCH_MESSAGES to a call; one binding call per
   * message was the cost that made bursts crawl.
   */
  const queueMessage = (out) => {
    outgoing.push(out);
    if (outgoing.length >= BATCH_MESSAGES) {
      flushMessages();
    } else if (!flushScheduled) {
      flushScheduled = true;
      nextTask().then(flushMessages);
    }
  };

  /** Each backfill has a number; a newer one (a reconnect) makes an older one stop. */
  let backfillRun = 0;

  /**
   * History backfill: every message of the chats WhatsApp Web has loaded (`Chat` models and their
   * `msgs`), sent in batches with how far it is. The program stores what it lacks (by id), so
   * running this after every (re)connection is safe. Files are not downloaded here.
   */
  const backfill = async () => {
    const run = ++backfillRun;
    const chats = R.collections.Chat.getModelsArray().filter((chat) => personChat(chat.id));
    const progress = { run, chatsDone: 0, chatsTotal: chats.length, messagesRead: 0 };
    let batch = [];
    const send = (done) => {
      progress.messagesRead += batch.length;
      emit('history', Object.assign({ messages: batch, done }, progress));
      batch = [];
    };
    send(chats.length === 0);
    for (const chat of chats) {
      if (run !== backfillRun) return;
      const chatId = personChat(chat.id);
      const phone = await phoneOf(chatId);
      const msgs = chat.msgs && chat.msgs.getModelsArray ? chat.msgs.getModelsArray() : [];
      for (const msg of msgs) {
        // New messages take the live way (notified); a message still undecrypted comes later.
        if (!msg || msg.isNewMsg || NOTICES.has(msg.type) || msg.type === 'ciphertext') continue;
        try {
          const out = messageFields(msg);
          if (!out) continue;
          out.phone = phone;
          batch.push(out);
        } catch (error) {
          log(`history skipped a message: ${describe(error)}`);
        }
        if (batch.length >= BATCH_MESSAGES) {
          send(false);
          await nextTask();
          if (run !== backfillRun) return;
        }
      }
      progress.chatsDone += 1;
    }
    send(true);
  };

  /** Starts a backfill each time the connection becomes ready (linked, or back after a drop). */
  let backfilledConnection = false;
  const maybeBackfill = () => {
    const socket = R.socket.Socket;
    const ready = socket.state === 'CONNECTED' && !!socket.hasSynced;
    if (ready && !backfilledConnection) {
      backfilledConnection = true;
      backfill().catch((error) => log(`history backfill failed: ${describe(error)}`));
    } else if (!ready && socket.state !== 'CONNECTED') {
      backfilledConnection = false;
    }
  };

  const onNewMessage = (msg) => {
    if (!msg || !msg.isNewMsg) return;
    if (msg.type === 'ciphertext') {
      // Not decrypted yet: it becomes the real message with a change of type.
      msg.once('change:type', () => onNewMessage(msg));
      return;
    }
    if (NOTICES.has(msg.type)) return;
    if (msg.id && msg.id.fromMe && ownSends.has(msg.id.id)) return;
    deliver(msg).catch((error) => log(`could not read a new message: ${describe(error)}`));
  };

  const onAck = (msg, ack) => {
    if (!msg || !msg.id || !msg.id.fromMe) return;
    emit('ack', { id: serialized(msg.id), keyId: msg.id.id, ack: typeof ack === 'number' ? ack : msg.ack });
  };

  // ---- Calls from the program ----

  const chatFor = async (chatId) => {
    const wid = R.widFactory.createWid(chatId);
    const existing = R.collections.Chat.get(wid);
    if (existing) return existing;
    const found = await R.findChat.findOrCreateLatestChat(wid);
    if (!found || !found.chat) throw new Error(`WhatsApp has no chat for ${chatId}`);
    return found.chat;
  };

  const findOwn = (id, keyId) =>
    R.collections.Msg.get(id) ||
    R.collections.Msg.getModelsArray().find((m) => m.id && m.id.fromMe && m.id.id === keyId) ||
    null;

  const prepareMedia = async (media, caption) => {
    const bytes = staged.get(media.token);
    staged.delete(media.token);
    if (!bytes) throw new Error('the file to send was not received by the page; try again');
    const file = new File([bytes], media.filename || 'file', { type: media.mimetype });
    const kind = media.mimetype.split('/')[0];
    const asDocument = !['image', 'video', 'audio'].includes(kind);
    const opaque = await R.opaqueData.createFromData(file, media.mimetype);
    const prep = R.prepMedia.prepRawMedia(opaque, { asDocument, isPtt: false, asGif: false });
    const prepared = await prep.waitForPrep();
    const mediaObject = R.mediaStorage.getOrCreateMediaObject(prepared.filehash);
    const uploaded = await R.upload.uploadMedia({ mimetype: prepared.mimetype, mediaObject, mediaType: prepared.type });
    const entry = (uploaded && uploaded.mediaEntry) || {};
    return {
      type: prepared.type,
      mimetype: prepared.mimetype || media.mimetype,
      filename: media.filename || prepared.filename,
      caption,
      size: prepared.size,
      filehash: prepared.filehash,
      encFilehash: entry.encFilehash,
      directPath: entry.directPath,
      mediaKey: entry.mediaKey,
      mediaKeyTimestamp: entry.mediaKeyTimestamp,
      deprecatedMms3Url: entry.url,
    };
  };

  const calls = {
    checkNumber: async ({ digits }) => {
      const result = await R.queryExists.queryWidExists(R.widFactory.createWid(`${digits}@c.us`));
      return result && result.wid ? serialized(result.wid) : null;
    },

    /** Stores one piece of a file the program is about to send. */
    putMedia: ({ token, data }) => {
      const piece = fromBase64(data);
      const before = staged.get(token);
      if (!before) {
        staged.set(token, piece);
      } else {
        const joined = new Uint8Array(before.length + piece.length);
        joined.set(before, 0);
        joined.set(piece, before.length);
        staged.set(token, joined);
      }
      return true;
    },

    send: async ({ id, keyId, chatId, body, media }) => {
      // Idempotent: a retry after a reload must not send twice.
      const existing = findOwn(id, keyId);
      if (existing) return existing.ack;
      ownSends.add(keyId);
      const chat = await chatFor(chatId);
      const from = R.meUser.getMaybeMePnUser() || R.meUser.getMaybeMeLidUser();
      const key = new R.msgKey({ from, to: chat.id, id: keyId, selfDir: 'out' });
      const attrs = {
        id: key,
        body,
        type: 'chat',
        t: Math.floor(Date.now() / 1000),
        from,
        to: chat.id,
        ack: 0,
        local: true,
        self: 'out',
        isNewMsg: true,
      };
      if (media) Object.assign(attrs, await prepareMedia(media, body), { body: '' });
      const [added, sent] = R.sendMsg.addAndSendMsgToChat(chat, attrs);
      await added;
      const result = await sent;
      if (result && result.messageSendResult && result.messageSendResult !== 'OK') {
        throw new Error(`WhatsApp did not send the message (${result.messageSendResult})`);
      }
      const msg = findOwn(serialized(key), keyId);
      return msg ? msg.ack : 0;
    },

    find: ({ id, keyId }) => {
      const msg = findOwn(id, keyId);
      return msg ? msg.ack : null;
    },

    markRead: async ({ chatId }) => {
      const chat = await chatFor(chatId);
      await R.unread.sendSeen({ chat, threadId: undefined });
      return true;
    },

    typing: async ({ chatId, on }) => {
      const wid = R.widFactory.createWid(chatId);
      if (on) await R.chatState.sendChatStateComposing(wid);
      else await R.chatState.sendChatStatePaused(wid);
      return true;
    },

    pairingCode: async ({ digits }) => {
      if (!UNPAIRED.has(R.socket.Socket.state)) throw new Error('this WhatsApp Web session is already linked');
      pairing = true;
      R.altLinking.setPairingType('ALT_DEVICE_LINKING');
      await R.altLinking.initializeAltDeviceLinking();
      return await R.altLinking.startAltLinkingFlow(digits, true);
    },

    takeover: () => {
      R.socket.Socket.takeover();
      return true;
    },

    logout: () => {
      // Logging out navigates the page; answer first so the call is not cut off by the reload.
      setTimeout(() => {
        try {
          R.socket.Socket.logout();
        } catch (error) {
          log(`logout failed: ${describe(error)}`);
        }
      }, 0);
      return true;
    },
  };

  window.__whatsflow = {
    /** Runs one call; the answer is `{ok}`, `{error}` or `{retry}` (the page is still loading). */
    call: async (name, args) => {
      if (!ready) return { retry: 'WhatsApp Web is still loading' };
      const fn = calls[name];
      if (!fn) return { error: `unknown call ${name}` };
      try {
        const value = await fn(args || {});
        return { ok: value === undefined ? null : value };
      } catch (error) {
        return { error: (error && error.message) || String(error) };
      }
    },
  };

  // ---- Start ----

  const start = async () => {
    if (/[?&]post_logout=1/.test(location.search)) emit('logout', { reason: 'post_logout' });
    const version = await waitForLoad();
    if (version === null) {
      emit('loadTimeout', { url: location.href });
      return;
    }
    let missing = resolveModules();
    const started = Date.now();
    while (missing.length && Date.now() - started < RESOLVE_GRACE_MS) {
      await sleep(500);
      missing = resolveModules();
    }
    if (missing.length) {
      emit('changed', { version, missing });
      return;
    }
    const { Socket } = R.socket;
    const { Conn } = R.conn;
    const { Cmd } = R.cmd;
    const { Msg } = R.collections;
    Socket.on('change:state', reportState);
    Socket.on('change:hasSynced', reportState);
    Conn.on('change:ref', reportQr);
    Cmd.on('offline_progress_update_from_bridge', () => {
      try {
        emit('progress', { percent: R.offline.OfflineMessageHandler.getOfflineDeliveryProgress() });
      } catch (error) {
        log(`offline progress unavailable: ${describe(error)}`);
      }
    });
    Cmd.on('logout', () => emit('logout', { reason: 'logout' }));
    Cmd.on('logout_from_bridge', () => emit('logout', { reason: 'logout_from_bridge' }));
    Msg.on('add', onNewMessage);
    Msg.on('change:ack', onAck);
    ready = true;
    emit('ready', { version });
    reportState();
    catchUp();
  };

  /** How far back acks are reported again after a (re)load. */
  const ACK_CATCH_UP_SECONDS = 7 * 24 * 3600;

  /**
   * The site may deliver messages (and move acks) between loading and our listeners being in
   * place, and acks that moved while the app was closed never fire `change:ack` again. So, once
   * attached, report what is already there: new messages, and the acks of recent sent ones. The
   * program ignores repeats (messages are stored once, acks only move forward).
   */
  const catchUp = () => {
    const since = Date.now() / 1000 - ACK_CATCH_UP_SECONDS;
    for (const msg of R.collections.Msg.getModelsArray()) {
      try {
        if (msg.isNewMsg) onNewMessage(msg);
        if (msg.id && msg.id.fromMe && msg.ack > 0 && msg.t > since) onAck(msg, msg.ack);
      } catch (error) {
        log(`catch-up skipped a message: ${describe(error)}`);
      }
    }
  };

  start().catch((error) => log(`the bridge failed to start: ${describe(error)}`));
})();
