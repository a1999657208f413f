// Wire types of the WhatsFlow REST v1 API (JSON, camelCase), shared by both transports of the client.
// They mirror what the server sends; the server is the authority, so optional fields stay optional here.

/** One problem with one request field, as listed in an error envelope's `details`. */
export interface ErrorDetail {
  field: string;
  message: string;
}

/** The body of every error answer: `{"success": false, "error": {...}}`. */
export interface ErrorBody {
  code: string;
  message: string;
  details?: ErrorDetail[];
  /** Seconds to wait before trying again (after too many wrong passcodes); HTTP also sends `Retry-After`. */
  retryAfter?: number | null;
}

/** The JSON envelope every route answers with (HTTP and Tauri alike). */
export type Envelope<T> =
  | { success: true; data: T; nextCursor?: string | null }
  | { success: false; error: ErrorBody };

/** Stable error codes a caller branches on. The server may send others; treat them as generic failures. */
export type ErrorCode =
  | 'validation_failed'
  | 'invalid_json'
  | 'not_found'
  | 'method_not_allowed'
  | 'unauthorized'
  | 'app_locked'
  | 'wrong_passcode'
  | 'too_many_attempts'
  | 'internal'
  | 'network_error'
  | 'bad_response';

/** `GET /api/v1/health` (no auth). */
export interface Health {
  status: string;
  version: string;
}

export interface LockState {
  enabled: boolean;
  locked: boolean;
}

/** `GET /api/v1/app/state`: what the shell needs before anything else (answers while locked). */
export interface AppState {
  version: string;
  onboarded: boolean;
  lock: LockState;
  demo: boolean;
  /** In demo mode, the in-process WhatsApp Web simulator's address (ends with `/`); its control API is under `control/`. */
  simulatorUrl?: string | null;
  defaults: { country: string; timezone: string };
}

/** `GET /api/v1/meta/regions`. */
export interface Region {
  code: string;
  name: string;
  callingCode: number;
}

export const BUSINESS_TYPES = ['retail', 'restaurant', 'services', 'ecommerce', 'agency', 'other'] as const;
export type BusinessType = (typeof BUSINESS_TYPES)[number];

/** The business profile as the server stores it (`GET /api/v1/profile`). */
export interface Profile {
  businessName: string;
  industry?: string | null;
  website?: string | null;
  description?: string | null;
  businessType?: BusinessType | null;
  /** ISO 3166-1 alpha-2. */
  country: string;
  /** IANA time zone name. */
  timezone: string;
  createdAt: string;
  updatedAt: string;
}

/** `PUT /api/v1/profile` body. */
export interface ProfileInput {
  businessName: string;
  industry?: string;
  website?: string;
  description?: string;
  businessType?: BusinessType;
  country: string;
  timezone: string;
}

export interface SetPasscodeInput {
  currentPasscode?: string;
  newPasscode: string;
}

export type Theme = 'system' | 'light' | 'dark';

export interface Settings {
  theme: Theme;
}

/** `GET/PUT /api/v1/settings/notifications`: which desktop notifications are shown (all on by default). */
export interface NotificationSettings {
  /** A customer wrote (one notification per chat). */
  messages: boolean;
  /** WhatsApp was logged out and needs the QR code scanned again. */
  whatsapp: boolean;
  /** A campaign finished, failed or was paused by a ban sign. */
  campaigns: boolean;
  /** A webhook was disabled because its deliveries kept failing. */
  webhooks: boolean;
}

/** `GET/PUT /api/v1/settings/auto-lock`: with a passcode set, lock after `minutes` without input. */
export interface AutoLock {
  enabled: boolean;
  /** 1 to 720. */
  minutes: number;
}

/** States of the WhatsApp link as surfaced by `GET /api/v1/whatsapp/status`. */
export type WhatsAppState =
  | 'disconnected'
  | 'starting'
  | 'qr'
  | 'pairing-code'
  | 'syncing'
  | 'connected'
  | 'phone-offline'
  | 'conflict'
  | 'logged-out'
  | 'banned'
  | 'browser-crashed'
  | 'whatsapp-changed'
  | (string & {});

export interface WhatsAppStatus {
  state: WhatsAppState;
  phoneNumber?: string | null;
  pushName?: string | null;
  waVersion?: string | null;
  since?: string | null;
  /** A sentence for people: why, what to do. */
  detail?: string | null;
  /** The QR string to render while `state` is `qr`. */
  qr?: string | null;
  /** The code to type on the phone while `state` is `pairing-code`. */
  pairingCode?: string | null;
  /** Sync progress in percent while `state` is `syncing`. */
  syncPercent?: number | null;
  /**
   * Where the session key is kept: `secret-service` or `kernel-keyring` (an OS keychain), or `file` where no
   * keychain exists (weaker: anyone who can read the user's files can read it).
   */
  keyLocation?: 'secret-service' | 'kernel-keyring' | 'file' | (string & {}) | null;
}

/**
 * `whatsapp.call_failed`: a call to WhatsApp started here (connect, take over, a pairing code) failed after
 * its request was answered (those answer at once with `202` and the status; success shows in the status).
 */
export interface LinkCallFailure {
  call: 'connect' | 'take-over' | 'pairing-code' | (string & {});
  message: string;
}

/**
 * How far the history backfill is (`history.sync` events): the chats WhatsApp Web had loaded, read into the
 * inbox after linking or reconnecting.
 */
export interface HistorySync {
  chatsDone: number;
  chatsTotal: number;
  messagesRead: number;
  /** Of the messages read, the ones the inbox lacked and now has. */
  messagesAdded: number;
  done: boolean;
}

/** One item of the event stream (`/api/v1/events` or the Tauri `whatsflow://event`). */
export type AppEvent =
  | ({ id: number; at?: number } & (
      | { type: 'profile.updated'; data: Profile }
      | { type: 'lock.changed'; data: LockState }
      | { type: 'whatsapp.status'; data: WhatsAppStatus }
      | { type: 'history.sync'; data: HistorySync }
      | { type: 'whatsapp.call_failed'; data: LinkCallFailure }
      | { type: string & {}; data: unknown }
    ))
  /**
   * The stream (or the desktop's relay) fell behind and dropped events: whoever shows data reloads it
   * instead of patching, since some changes never arrived. It has no id or data of its own.
   */
  | { type: 'resync'; id?: undefined; at?: number; data?: undefined };

// ---------------------------------------------------------------------------------------------------------
// Inbox: chats, messages, search

/** A contact's tag (`#rrggbb` colour). */
export interface Tag {
  id: number;
  name: string;
  color: string;
}

/** Where a message stands. Outbound: queued → sending → sent → delivered → read (→ played), or failed. */
export type MessageStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'read' | 'played' | 'failed' | 'received';

/** A stored media file of a message (`path` is relative to the app's data directory). */
export interface MessageMedia {
  path: string;
  mimetype: string;
  filename?: string | null;
  size: number;
}

/** One message (`GET /api/v1/messages/:id`, and the data of `message.*` events). */
export interface Message {
  id: number;
  waMessageId: string;
  contactId: number;
  direction: 'in' | 'out';
  /** chat, image, video, audio, ptt, document, sticker, location, vcard, revoked, ... */
  type: string;
  body: string;
  caption?: string | null;
  media?: MessageMedia | null;
  quotedWaId?: string | null;
  status: MessageStatus;
  ack: number;
  /** Why sending failed, for people. */
  error?: string | null;
  campaignId?: number | null;
  /** When WhatsApp says it was sent (RFC 3339). */
  timestamp: string;
  createdAt: string;
  /** Read from the phone's chats after linking (history backfill), not received live. */
  history?: boolean;
  /** When its sender deleted it for everyone (RFC 3339); the text is kept for the business. */
  revokedAt?: string | null;
  /** When its sender last edited it (RFC 3339). */
  editedAt?: string | null;
  /** The text (or caption) as it first arrived, once edited. */
  originalText?: string | null;
}

/** The person a chat is with, as the chat list shows them. */
export interface ChatContact {
  id: number;
  displayName: string;
  phoneNumber?: string | null;
  waId?: string | null;
  optedOut: boolean;
  tags: Tag[];
}

/** The newest message of a chat, reduced to a preview line. */
export interface LastMessage {
  id: number;
  direction: 'in' | 'out';
  type: string;
  preview: string;
  status: MessageStatus;
  error?: string | null;
  timestamp: string;
}

/** One row of `GET /api/v1/chats`. */
export interface Chat {
  contact: ChatContact;
  lastMessage?: LastMessage | null;
  unreadCount: number;
}

/** One result of `GET /api/v1/messages/search`; `snippet` marks matches with U+0002 … U+0003. */
export interface SearchHit {
  message: Message;
  contact: ChatContact;
  snippet: string;
}

/** `GET /api/v1/messages/:id/context`: part of a thread around one message, newest first. */
export interface MessageWindow {
  contactId: number;
  messageId: number;
  messages: Message[];
  olderCursor?: string | null;
  newerCursor?: string | null;
}

/** `POST /api/v1/messages/send` body. */
export interface SendMessageInput {
  phoneNumber: string;
  message: string;
  media?: { data: string; mimetype: string; filename?: string | null };
  /** Instead of `media`: an http(s) address of the file, fetched when the message is queued. */
  mediaUrl?: string | null;
  quotedWaId?: string | null;
}

export interface SendReceipt {
  messageId: number;
  waMessageId: string;
  status: MessageStatus;
  timestamp: string;
}

// ---------------------------------------------------------------------------------------------------------
// Contacts: the table, tags, bulk actions, import and export

/** One contact (`GET /api/v1/contacts/:id`, rows of `GET /api/v1/contacts`, `contact.*` events). */
export interface Contact {
  id: number;
  /** E.164; null for a WhatsApp user known only by a hidden `@lid` id. */
  phoneNumber: string | null;
  /** National format for the business's country, international otherwise. */
  phoneDisplay: string | null;
  waId: string | null;
  /** What to call the contact everywhere: the engine's one rule (saved name, WhatsApp name, number). */
  displayName: string;
  /** The name saved by the business (may be empty). */
  name: string;
  /** The name the person gave themselves on WhatsApp (may be empty). */
  pushName: string;
  email: string;
  notes: string;
  fields: Record<string, string>;
  optedOut: boolean;
  optedOutAt: string | null;
  source: ContactSource;
  firstMessageAt: string | null;
  lastMessageAt: string | null;
  messagesIn: number;
  messagesOut: number;
  unreadCount: number;
  tags: Tag[];
  createdAt: string;
  updatedAt: string;
}

export type ContactSource = 'manual' | 'conversation' | 'import' | 'api';
export type TagMode = 'any' | 'all';
export type ContactSortField = 'name' | 'lastMessageAt' | 'createdAt';
export type SortOrder = 'asc' | 'desc';

/** Which contacts a list, an export or a bulk action is about. */
export interface ContactFilter {
  q?: string;
  tags?: number[];
  tagMode?: TagMode;
  optedOut?: boolean;
  source?: ContactSource;
}

/** `POST /api/v1/contacts`; tags by id or by name (created when missing). */
export interface NewContact {
  phoneNumber: string;
  name?: string;
  email?: string;
  notes?: string;
  fields?: Record<string, string>;
  tags?: Array<number | string>;
  optedOut?: boolean;
}

/** `PUT /api/v1/contacts/:id`: fields left out stay as they are. */
export type ContactPatch = Partial<Omit<NewContact, 'phoneNumber'>> & { phoneNumber?: string };

/** `GET /api/v1/tags`. */
export interface TagSummary extends Tag {
  contactCount: number;
}

export type BulkAction = 'tag' | 'untag' | 'delete' | 'opt_out' | 'opt_in';

export interface BulkRequest {
  ids?: number[];
  filter?: ContactFilter;
  action: BulkAction;
  tagId?: number;
}

export interface BulkOutcome {
  action: BulkAction;
  matched: number;
  changed: number;
}

export type ImportFormat = 'csv' | 'vcf' | 'json';
export type DedupeMode = 'skip' | 'fill' | 'overwrite';

export interface ImportRowError {
  line: number;
  /** no_phone, unparseable_phone, invalid_phone, duplicate_in_file, bad_encoding, field_too_long, broken_quoting, ... */
  code: string;
  reason: string;
}

export interface ImportPreviewRow {
  line: number;
  action: 'create' | 'update' | 'skip' | 'reject';
  phoneNumber: string;
  name: string;
  email: string;
  notes: string;
  tags: string[];
  fields: Record<string, string>;
  optedOut: boolean | null;
  reason: string | null;
}

export interface ImportCounts {
  imported: number;
  updated: number;
  skipped: number;
  rejected: number;
}

/** `POST /api/v1/contacts/import` answer, for a dry run and a real import alike. */
export interface ImportReport extends ImportCounts {
  dryRun: boolean;
  format: ImportFormat;
  encoding: 'utf-8' | 'utf-16' | 'windows-1252';
  delimiter: string | null;
  dedupe: DedupeMode;
  rows: number;
  errors: ImportRowError[];
  errorsTruncated: boolean;
  tagsCreated: string[];
  columns: Array<{ column: string; field: string | null }>;
  preview: ImportPreviewRow[];
}

// --- Data safety: backups, export, erase, logs -------------------------------------------------------------

/** Why a backup was taken. */
export type BackupKind = 'daily' | 'weekly' | 'manual' | 'before-migration' | 'before-restore';

/** A backup file in the data directory's `backups/` folder. */
export interface BackupInfo {
  /** The file name, which also names it in a restore. */
  name: string;
  kind: BackupKind;
  /** RFC 3339. */
  createdAt: string;
  sizeBytes: number;
}

/** `GET /api/v1/backups`. */
export interface BackupList {
  /** Newest first. */
  backups: BackupInfo[];
  folder: string;
}

/** The answer to a restore: checked and staged, applied when WhatsFlow restarts. */
export interface RestoreOutcome {
  restartRequired: boolean;
  schemaVersion: number;
  /** The desktop app restarts itself to apply it (`POST /api/v1/app/restart`); whatsflow-server does not. */
  restartAvailable: boolean;
  message: string;
}

/** `PUT /api/v1/settings/desktop`: the desktop app's own settings. */
export interface DesktopSettings {
  /** Start WhatsFlow, hidden in the tray, when the user logs in. */
  startAtLogin: boolean;
}

/** `GET /api/v1/settings/desktop`. */
export interface DesktopStatus extends DesktopSettings {
  /** False in whatsflow-server, which has no such switch. */
  switchable: boolean;
}

/** The answer to `POST /api/v1/erase`. */
export interface Erased {
  erased: boolean;
  message: string;
}

/** `GET /api/v1/app/logs`. */
export interface LogFolder {
  path: string;
}

// --- Analytics: the dashboard's figures, series and charts --------------------------------------------------

/** A named range ending today (or yesterday), as `?period=` takes it. */
export type AnalyticsPeriod = 'today' | 'yesterday' | '7d' | '30d' | '90d';

/** The range the server resolved: dates (YYYY-MM-DD) in the business's time zone, both ends included. */
export interface AnalyticsRange {
  from: string;
  to: string;
  /** The same number of days just before `from`. */
  previousFrom: string;
  previousTo: string;
  days: number;
  granularity: 'day' | 'week' | 'month';
  /** The IANA zone the days are in. */
  timezone: string;
}

/** Contacts split by how they came. */
export interface ContactsBySource {
  conversation: number;
  import: number;
  manual: number;
  api: number;
}

/** The dashboard's figures for one range. Rates are 0…1, or null when there was nothing to divide by. */
export interface AnalyticsFigures {
  messagesSent: number;
  messagesDelivered: number;
  messagesRead: number;
  messagesReceived: number;
  messagesReplied: number;
  deliveryRate: number | null;
  readRate: number | null;
  conversationsByCustomers: number;
  conversationsByBusiness: number;
  newContacts: number;
  newContactsBySource: ContactsBySource;
  activeContacts: number;
  optedOut: number;
  contactsWrittenTo: number;
  contactsReplied: number;
  replyRate: number | null;
  firstResponses: number;
  medianFirstResponseSeconds: number | null;
  p90FirstResponseSeconds: number | null;
  campaignsRun: number;
}

/** `GET /api/v1/analytics/overview`: the range's figures, and the previous range's under `previous`. */
export interface AnalyticsOverview extends AnalyticsFigures {
  range: AnalyticsRange;
  previous: AnalyticsFigures;
}

/** One campaign's funnel (`GET /api/v1/analytics/campaigns`). */
export interface CampaignFigures {
  campaignId: number;
  name: string;
  status: string;
  /** RFC 3339. */
  firstSentAt: string | null;
  sent: number;
  delivered: number;
  read: number;
  replied: number;
  failed: number;
  optedOut: number;
  deliveryRate: number | null;
  readRate: number | null;
  replyRate: number | null;
}

/** The charts the server draws (`GET /api/v1/analytics/charts/{chart}`). */
export type AnalyticsChart = 'messages' | 'contacts' | 'funnel' | 'heatmap' | 'response-time' | 'campaigns';

/** The series the server exports as CSV (`GET /api/v1/analytics/{series}/export`). */
export type AnalyticsSeries = 'messages' | 'contacts' | 'campaigns';

// --- Campaigns: the wizard, the list, the live page -------------------------------------------------------

export type CampaignStatus = 'draft' | 'scheduled' | 'sending' | 'paused' | 'completed' | 'cancelled' | 'failed';
export type RecipientStatus = 'pending' | 'skipped' | 'sent' | 'delivered' | 'read' | 'failed' | 'replied';
/** Who a campaign is for: every contact, contacts with tags, or a hand-picked list. */
export type TargetType = 'all' | 'tags' | 'custom';

/** No sending between these local times (`HH:MM`, in the business's time zone); may cross midnight. */
export interface QuietHours {
  start: string;
  end: string;
}

/** How fast and when a campaign may send; a field left out of an input takes the server's default. */
export interface PacingPolicy {
  minGapMs: number;
  maxGapMs: number;
  hourlyCap: number;
  dailyCap: number;
  quietHours: QuietHours | null;
  burstSize: number;
  burstPauseMs: number;
  typing: boolean;
  warmUp: boolean;
}

/** One campaign (`GET /api/v1/campaigns/:id`, rows of the list, the data of `campaign.*` events). */
export interface Campaign {
  id: number;
  name: string;
  /** The template (variables, spintax); with media, its caption. */
  messageContent: string;
  media: { mimetype: string; filename?: string | null } | null;
  targetType: TargetType;
  targetTags: number[];
  tagMode: TagMode;
  excludeTags: number[];
  contactIds: number[];
  /** RFC 3339 (UTC); null for "when sent". */
  scheduledAt: string | null;
  /** The same moment in the business's time zone, `YYYY-MM-DDTHH:MM`. */
  scheduledLocal: string | null;
  pacing: PacingPolicy;
  status: CampaignStatus;
  /** Why it is paused or failed, for people. */
  statusReason: string | null;
  startedAt: string | null;
  completedAt: string | null;
  totalRecipients: number;
  sentCount: number;
  deliveredCount: number;
  readCount: number;
  failedCount: number;
  skippedCount: number;
  repliedCount: number;
  pendingCount: number;
  /** While sending: when the next message may go out. */
  nextSendAt: string | null;
  /** While sending: what the next send waits for (gap, hourly_cap, daily_cap, quiet_hours, whatsapp, typing, sending). */
  waitingFor: string | null;
  /** While scheduled, sending or paused: the estimated finish. */
  estimatedFinishAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** `POST /api/v1/campaigns` and `PUT /api/v1/campaigns/:id`. */
export interface CampaignInput {
  name: string;
  messageContent: string;
  /** A file sent with the message; on update, leaving it out keeps the current one. */
  media?: { data: string; mimetype: string; filename?: string | null };
  /** On update: drops the current file. */
  removeMedia?: boolean;
  targetType: TargetType;
  targetTags: number[];
  tagMode: TagMode;
  excludeTags: number[];
  contactIds: number[];
  /** `YYYY-MM-DDTHH:MM` in the business's time zone, or left out for "when sent". */
  scheduledAt?: string;
  pacing: Partial<PacingPolicy>;
}

/** `POST /api/v1/campaigns/preview`: the wizard's campaign, and optionally the recipient to render for. */
export interface PreviewRequest extends CampaignInput {
  contactId?: number;
  variants?: number;
}

export interface CampaignPreview {
  /** Distinct renderings for one recipient, as spintax varies them. */
  variants: string[];
  variantCount: number;
  audience: { total: number; optedOut: number; noPhone: number; eligible: number };
  /** The exact message for the chosen (or first) recipient. */
  recipient: {
    contactId: number;
    name: string;
    phoneNumber: string | null;
    message: string | null;
    skippedReason: string | null;
  } | null;
  estimatedFinishAt: string | null;
  /** The custom field keys contacts have: variables besides name, first_name and phone. */
  fieldKeys?: string[];
}

/** One recipient of a campaign (`GET /api/v1/campaigns/:id/recipients`, `campaign.recipient_updated`). */
export interface Recipient {
  id: number;
  campaignId: number;
  contactId: number | null;
  phoneNumber: string;
  name: string;
  position: number;
  status: RecipientStatus;
  reason: string | null;
  messageId: number | null;
  sentAt: string | null;
  deliveredAt: string | null;
  readAt: string | null;
  repliedAt: string | null;
}

// --- Scripting: the desktop's REST API switch, API keys, webhooks ---

/** `GET /api/v1/settings/rest-api`: the desktop app's switch and what runs. */
export interface RestApiStatus {
  enabled: boolean;
  port: number;
  /** Whether this program has the switch (the desktop app); whatsflow-server always serves. */
  switchable: boolean;
  listeningPort: number | null;
  baseUrl: string | null;
  /** Why it is not served although switched on (the port was taken at start). */
  error: string | null;
}

export interface RestApiSettings {
  enabled: boolean;
  port: number;
}

/** `GET/PUT /api/v1/settings/cors`: the origins whose pages may call the API from a browser (none by default). */
export interface CorsSettings {
  /** `scheme://host[:port]`, as browsers send them; the server answers them normalized. */
  allowedOrigins: string[];
}

export type ApiScope = 'read' | 'send' | 'admin';

export interface ApiKey {
  id: number;
  name: string;
  prefix: string;
  scopes: ApiScope[];
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/** A key just created: the only time its secret is shown. */
export interface CreatedApiKey extends ApiKey {
  key: string;
}

export interface Webhook {
  id: number;
  url: string;
  events: string[];
  enabled: boolean;
  /** Why the app disabled it (deliveries kept failing). */
  disabledReason: string | null;
  consecutiveFailures: number;
  secret: string;
  previousSecretUntil: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface WebhookInput {
  url: string;
  events: string[];
  enabled: boolean;
}

export interface WebhookDelivery {
  id: number;
  webhookId: number;
  eventId: string;
  eventType: string;
  state: 'pending' | 'delivered' | 'failed';
  attempts: number;
  nextAttemptAt: string | null;
  responseStatus: number | null;
  error: string | null;
  responseExcerpt: string | null;
  durationMs: number | null;
  lastAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  payload: unknown;
}
