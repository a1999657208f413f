// WhatsFlow's bridge into WhatsApp Web: the one script injected into the page.
//
// It waits for the site to load, checks that the modules login needs are there, forwards the
// events the app needs to the program through a CDP binding, and offers a few calls
// (`window.__whatsflow.call(name, args)`) for sending, checking numbers and the like.
// Every WhatsApp Web module and member used is named in MODULES below and nowhere else: when the
// site renames something, this table is the only place to change. The site loads most modules
// lazily (some only after the sync): only LOGIN_MODULES are required before reporting a state;
// every other module is required when a call needs it, and a missing one fails that call only.
(() => {
  'use strict';
  // Injected into every new document; iframes and a second injection into the same document do nothing.
  if (window.top !== window || window.__whatsflow) return;

  /** The CDP binding the program listens on (Runtime.addBinding); the same name lives in page.rs. */
  const BINDING = 'whatsflowBridge';
  /** How long the site may take to define `window.Debug.VERSION`. */
  const LOAD_TIMEOUT_MS = 30000;
  /** Login modules may register a little after VERSION appears; look again for this long before giving up. */
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
    launchSocket: ['WAWebLaunchSocketUtils', 'refreshQR'],
    collections: ['WAWebCollections', 'Msg', 'Chat', 'Contact'],
    widFactory: ['WAWebWidFactory', 'createWid'],
    apiContact: ['WAWebApiContact', 'getPhoneNumber'],
    offline: ['WAWebOfflineHandler', 'OfflineMessageHandler'],
    prefsInfo: ['WAWebUserPrefsInfoStore', 'waNoiseInfo'],
    signalStore: ['WAWebSignalStoreApi', 'waSignalStore'],
    multiDevice: ['WAWebUserPrefsMultiDevice', 'getADVSecretKey'],
    companion: ['WAWebCompanionRegClientUtils', 'DEVICE_PLATFORM'],
    base64: ['WABase64', 'encodeB64'],
    altLinking: [
      'WAWebAltDeviceLinkingApi',
      'setPairingType',
      'initializeAltDeviceLinking',
      'startAltLinkingFlow',
      'initializeQRLinking',
    ],
    queryExists: ['WAWebQueryExistsJob', 'queryWidExists'],
    findChat: ['WAWebFindChatAction', 'findOrCreateLatestChat'],
    msgKey: ['WAWebMsgKey', 'newId'],
    meUser: ['WAWebUserPrefsMeUser', 'getMaybeMePnUser', 'getMaybeMeLidUser'],
    sendMsg: ['WAWebSendMsgChatAction', 'addAndSendMsgToChat'],
    msgReply: ['WAWebMsgReply', 'canReplyMsg'],
    ephemeral: ['WAWebGetEphemeralFieldsMsgActionsUtils', 'getEphemeralFields'],
    unread: ['WAWebUpdateUnreadChatAction', 'sendSeen'],
    stream: ['WAWebStreamModel', 'Stream'],
    chatState: ['WAWebChatStateBridge', 'sendChatStateComposing', 'sendChatStatePaused'],
    opaqueData: ['WAWebMediaOpaqueData', 'createFromData'],
    prepMedia: ['WAWebPrepRawMedia', 'prepRawMedia'],
    mediaStorage: ['WAWebMediaStorage', 'getOrCreateMediaObject'],
    mediaTypes: ['WAWebMmsMediaTypes', 'msgToMediaType'],
    upload: ['WAWebMediaMmsV4Upload', 'uploadMedia'],
    download: ['WAWebDownloadManager', 'downloadManager'],
  };
  /** What login needs, required before any state is reported; a missing one means the site changed. */
  const LOGIN_MODULES = [
    'socket',
    'conn',
    'cmd',
    'launchSocket',
    'offline',
    'prefsInfo',
    'signalStore',
    'multiDevice',
    'companion',
    'base64',
    'altLinking',
  ];
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

  /** Looks one module up by its key in MODULES: the module, or what is missing ("module X", "X.member"). */
  const lookUp = (key) => {
    const [name, ...members] = MODULES[key];
    let module;
    try {
      module = window.require(name);
    } catch (error) {
      module = undefined;
    }
    if (!module) return { missing: [`module ${name}`] };
    const missing = members.filter((member) => module[member] === undefined).map((member) => `${name}.${member}`);
    return missing.length ? { missing } : { module };
  };

  /** The login modules into R; returns what is missing. */
  const resolveLoginModules = () => {
    const missing = [];
    for (const key of LOGIN_MODULES) {
      const found = lookUp(key);
      if (found.module) R[key] = found.module;
      else missing.push(...found.missing);
    }
    return missing;
  };

  /** A module required at the moment of the call; a missing one fails this call, naming it. */
  const need = (key) => {
    if (R[key]) return R[key];
    const found = lookUp(key);
    if (!found.module) throw new Error(`WhatsApp Web has no ${found.missing.join(', ')} (this call needs it)`);
    R[key] = found.module;
    return found.module;
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
      const meUser = need('meUser');
      const wid = meUser.getMaybeMePnUser() || meUser.getMaybeMeLidUser();
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
          R.launchSocket.refreshQR();
        } catch (error) {
          log(`refreshQR failed: ${describe(error)}`);
        }
      }
      reportQr();
    }
    if (state === 'CONNECTED') attachMessages();
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
      // The quoted message's key id: look it up as ours and as theirs in this chat.
      const quoted = [true, false]
        .map((fromMe) => need('collections').Msg.get(`${fromMe}_${chat}_${m.quotedStanzaID}`))
        .find(Boolean);
      out.quotedId = quoted ? serialized(quoted.id) : null;
    }
    return out;
  };

  /** The phone behind a hidden linked id (`…@lid`), if WhatsApp knows it. */
  const phoneOf = async (chat) => {
    if (!chat.endsWith('@lid')) return null;
    try {
      return serialized(await need('apiContact').getPhoneNumber(need('widFactory').createWid(chat)));
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
        const bytes = await downloadMedia(msg, m);
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
   * running this after every (re)connection is safe. Files are not downloaded here. Messages
   * deleted or edited by their sender while the app was away go as changes, after their batch, so a
   * copy the app already has is brought up to date.
   */
  const backfill = async (Chat) => {
    const run = ++backfillRun;
    const chats = Chat.getModelsArray().filter((chat) => personChat(chat.id));
    const progress = { run, chatsDone: 0, chatsTotal: chats.length, messagesRead: 0 };
    let batch = [];
    let changes = [];
    const send = (done) => {
      progress.messagesRead += batch.length;
      emit('history', Object.assign({ messages: batch, done }, progress));
      batch = [];
      for (const [kind, data] of changes) emitChange(kind, data);
      changes = [];
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
        if (msg.type === 'revoked') {
          // Nothing left to store; a copy the app has is marked deleted.
          changes.push(['revoke', { id: serialized(msg.id) }]);
          continue;
        }
        try {
          const out = messageFields(msg);
          if (!out) continue;
          out.phone = phone;
          batch.push(out);
          if (msg.latestEditSenderTimestampMs) {
            changes.push(['edit', { id: out.id, text: MEDIA.has(out.type) ? out.caption || '' : out.body }]);
          }
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
    const synced = socket.state === 'CONNECTED' && !!socket.hasSynced;
    if (synced && !backfilledConnection) {
      let Chat;
      try {
        ({ Chat } = need('collections'));
      } catch (error) {
        // Loaded lazily: the next state report tries again.
        log(`the history is not readable yet: ${describe(error)}`);
        return;
      }
      backfilledConnection = true;
      backfill(Chat).catch((error) => log(`history backfill failed: ${describe(error)}`));
    } else if (!synced && socket.state !== 'CONNECTED') {
      backfilledConnection = false;
    }
  };

  /** The site's performance logger, as the download wants one: every call chains. */
  const downloadQpl = () => {
    const qpl = { addAnnotations: () => qpl, addPoint: () => qpl };
    return qpl;
  };
  /** Media stages that mean "not available now". */
  const MEDIA_UNAVAILABLE = ['REUPLOADING', 'FETCHING'];

  /** A received message's file: resolved first (`mediaStage`), then downloaded and decrypted. */
  const downloadMedia = async (msg, m) => {
    const stage = () => String((msg.mediaData && msg.mediaData.mediaStage) || '');
    if (msg.mediaData && stage() !== 'RESOLVED') {
      await msg.downloadMedia({ downloadEvenIfExpensive: true, rmrReason: 1 });
    }
    if (MEDIA_UNAVAILABLE.includes(stage()) || stage().includes('ERROR')) {
      throw new Error(`the file is not available now (${stage()})`);
    }
    const data = await need('download').downloadManager.downloadAndMaybeDecrypt({
      directPath: m.directPath,
      encFilehash: m.encFilehash,
      filehash: m.filehash,
      mediaKey: m.mediaKey,
      mediaKeyTimestamp: m.mediaKeyTimestamp,
      type: m.type,
      signal: new AbortController().signal,
      downloadQpl: downloadQpl(),
    });
    return new Uint8Array(data);
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

  /** Whether the app keeps this message's chat (people, not groups, status or channels). */
  const inKeptChat = (msg) => !!(msg && msg.id && personChat(msg.id.remote));

  /** A change to a message, after the new messages queued before it (the program applies them in order). */
  const emitChange = (kind, data) => {
    flushMessages();
    emit(kind, data);
  };

  /** Deleted for everyone: the type becomes `revoked` (a decrypted placeholder changes type too). */
  const onTypeChange = (msg, type) => {
    if (type !== 'revoked' || !inKeptChat(msg)) return;
    emitChange('revoke', { id: serialized(msg.id) });
  };

  /** Edited by its sender. Decryption fills the text in too, while the type is still `ciphertext`. */
  const onTextChange = (msg, text) => {
    if (!inKeptChat(msg) || msg.type === 'ciphertext' || msg.type === 'revoked') return;
    emitChange('edit', { id: serialized(msg.id), text: typeof text === 'string' ? text : '' });
  };

  const onAck = (msg, ack) => {
    if (!msg || !msg.id || !msg.id.fromMe) return;
    emit('ack', { id: serialized(msg.id), keyId: msg.id.id, ack: typeof ack === 'number' ? ack : msg.ack });
  };

  // ---- Calls from the program ----

  const chatFor = async (chatId) => {
    const wid = need('widFactory').createWid(chatId);
    const existing = need('collections').Chat.get(wid);
    if (existing) return existing;
    const found = await need('findChat').findOrCreateLatestChat(wid);
    if (!found || !found.chat) throw new Error(`WhatsApp has no chat for ${chatId}`);
    return found.chat;
  };

  const findOwn = (id, keyId) => {
    const { Msg } = need('collections');
    return Msg.get(id) || Msg.getModelsArray().find((m) => m.id && m.id.fromMe && m.id.id === keyId) || null;
  };

  /** Voice notes are ogg/opus audio; other audio goes as a playable file. */
  const isVoiceNote = (mimetype) => /^audio\/ogg\b/.test(mimetype);

  /**
   * The file staged under `media.token`, prepared and uploaded as the site does it: its media data
   * (to spread into the message attributes) with the upload's entry fields set on it.
   */
  const prepareMedia = async (media, caption) => {
    const bytes = staged.get(media.token);
    staged.delete(media.token);
    if (!bytes) throw new Error('the file to send was not received by the page; try again');
    const file = new File([bytes], media.filename || 'file', { type: media.mimetype });
    const kind = media.mimetype.split('/')[0];
    const asDocument = !['image', 'video', 'audio'].includes(kind);
    const isPtt = isVoiceNote(media.mimetype);
    const opaque = await need('opaqueData').createFromData(file, media.mimetype);
    const prep = need('prepMedia').prepRawMedia(opaque, { asDocument, isPtt, asGif: false });
    const mediaData = await prep.waitForPrep();
    const mediaType = need('mediaTypes').msgToMediaType({ type: mediaData.type, isGif: mediaData.isGif });
    const mediaObject = need('mediaStorage').getOrCreateMediaObject(mediaData.filehash);
    mediaObject.consolidate(mediaData.toJSON());
    const uploaded = await need('upload').uploadMedia({ mimetype: mediaData.mimetype, mediaObject, mediaType });
    const entry = uploaded && uploaded.mediaEntry;
    if (!entry) throw new Error('WhatsApp Web did not upload the file');
    mediaData.set({
      clientUrl: entry.mmsUrl,
      deprecatedMms3Url: entry.deprecatedMms3Url,
      directPath: entry.directPath,
      mediaKey: entry.mediaKey,
      mediaKeyTimestamp: entry.mediaKeyTimestamp,
      filehash: mediaObject.filehash,
      encFilehash: entry.encFilehash,
      uploadhash: entry.uploadHash,
      size: mediaObject.size,
      streamingSidecar: entry.sidecar,
      firstFrameSidecar: entry.firstFrameSidecar,
    });
    const attrs = { ...mediaData };
    delete attrs.mediaBlob;
    attrs.filename = media.filename || mediaData.filename;
    attrs.mimetype = mediaData.mimetype || media.mimetype;
    attrs.caption = caption || undefined;
    // Images and videos carry their thumbnail as the body; the text goes in the caption.
    attrs.body = attrs.preview || '';
    return attrs;
  };

  /** What a reply spreads into its attributes to quote `quotedId`; nothing if it cannot quote it. */
  const quoteFields = (chat, quotedId) => {
    if (!quotedId) return {};
    const quoted = need('collections').Msg.get(quotedId);
    if (!quoted) {
      log(`the quoted message ${quotedId} is not loaded; sending without the quote`);
      return {};
    }
    if (!need('msgReply').canReplyMsg(quoted.unsafe())) {
      log(`WhatsApp does not allow replying to ${quotedId}; sending without the quote`);
      return {};
    }
    return quoted.msgContextInfo(chat);
  };

  const calls = {
    checkNumber: async ({ digits }) => {
      const wid = need('widFactory').createWid(`${digits}@c.us`);
      const result = await need('queryExists').queryWidExists(wid);
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

    send: async ({ id, keyId, chatId, body, media, quotedId }) => {
      // Idempotent: a retry after a reload must not send twice.
      const existing = findOwn(id, keyId);
      if (existing) return existing.ack;
      ownSends.add(keyId);
      const chat = await chatFor(chatId);
      const meUser = need('meUser');
      // In a chat under a hidden linked id the business writes as its own hidden linked id.
      const from = chat.id.isLid() ? meUser.getMaybeMeLidUser() : meUser.getMaybeMePnUser();
      const key = new (need('msgKey'))({ from, to: chat.id, id: keyId, selfDir: 'out' });
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
        ...need('ephemeral').getEphemeralFields(chat),
        ...quoteFields(chat, quotedId),
      };
      if (media) Object.assign(attrs, await prepareMedia(media, body));
      const [added, sent] = need('sendMsg').addAndSendMsgToChat(chat, attrs);
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
      const sendSeen = need('unread').sendSeen;
      // Seen receipts go out only while the client shows itself available, as the site does.
      const { Stream } = need('stream');
      await Stream.markAvailable();
      try {
        await sendSeen({ chat, threadId: undefined });
      } finally {
        await Stream.markUnavailable();
      }
      return true;
    },

    typing: async ({ chatId, on }) => {
      const wid = need('widFactory').createWid(chatId);
      const chatState = need('chatState');
      if (on) await chatState.sendChatStateComposing(wid);
      else await chatState.sendChatStatePaused(wid);
      return true;
    },

    /** From the pairing-code screen back to QR codes. */
    qrLinking: async () => {
      pairing = false;
      await R.launchSocket.refreshQR();
      await R.altLinking.initializeQRLinking();
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
    let missing = resolveLoginModules();
    const started = Date.now();
    while (missing.length && Date.now() - started < RESOLVE_GRACE_MS) {
      await sleep(500);
      missing = resolveLoginModules();
    }
    if (missing.length) {
      emit('changed', { version, missing });
      return;
    }
    const { Socket } = R.socket;
    const { Conn } = R.conn;
    const { Cmd } = R.cmd;
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
    ready = true;
    emit('ready', { version });
    reportState();
  };

  let listening = false;
  /**
   * Listens to the message collection once the site has it (it may load after login), then
   * reports what arrived before the listeners were in place.
   */
  const attachMessages = () => {
    if (listening) return;
    let Msg;
    try {
      ({ Msg } = need('collections'));
    } catch (error) {
      log(`messages are not readable yet: ${describe(error)}`);
      return;
    }
    listening = true;
    Msg.on('add', onNewMessage);
    Msg.on('change:ack', onAck);
    Msg.on('change:type', onTypeChange);
    Msg.on('change:body change:caption', onTextChange);
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
    for (const msg of need('collections').Msg.getModelsArray()) {
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
