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
  /** Where the session key is kept: `keychain`, or `file` where no keychain exists (weaker). */
  keyLocation?: string | null;
}

/** One item of the event stream (`/api/v1/events` or the Tauri `whatsflow://event`). */
export type AppEvent = { id: number; at?: number } & (
  | { type: 'profile.updated'; data: Profile }
  | { type: 'lock.changed'; data: LockState }
  | { type: 'whatsapp.status'; data: WhatsAppStatus }
  | { type: string & {}; data: unknown }
);
