// The one API client of the UI: the same REST v1 calls over two transports (./transport.ts), Tauri IPC
// inside the desktop app and HTTP in a browser served by whatsflow-server. Both resolve to the same
// results: `data` on success, a Blob for files, or a thrown `ApiError` carrying the server's code, message,
// per-field details and retry delay. Live events arrive through one shared feed per window. Nothing else
// in the UI calls `invoke`, `fetch` or `XMLHttpRequest`.

import { ApiError } from './errors';
import { pickTransport, seconds, type FeedState, type Method, type Query, type RawAnswer, type UploadProgress } from './transport';
import type {
  AppEvent,
  AppState,
  AutoLock,
  Envelope,
  ErrorBody,
  Health,
  LockState,
  NotificationSettings,
  Profile,
  ProfileInput,
  Region,
  SetPasscodeInput,
  Settings,
  WhatsAppStatus,
} from './types';

export { ApiError } from './errors';
export { captureSessionToken, isTauri, sessionToken } from './transport';
export type { FeedState, Method, Query, QueryValue, UploadProgress } from './transport';

/** One page of a list route. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

const transport = pickTransport();

export const transportKind = transport.kind;

type ErrorListener = (error: ApiError) => void;
const errorListeners = new Set<ErrorListener>();

/** Observe every failed call (the shell uses it for 401 → session screen and 403 app_locked → lock screen). */
export function onApiError(listener: ErrorListener): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

function isEnvelope(body: unknown): body is Envelope<unknown> {
  return typeof body === 'object' && body !== null && 'success' in body;
}

/**
 * Seconds to wait before trying again: the envelope's `retryAfter`, else the transport's `Retry-After`,
 * else the `retry_after` detail older servers sent.
 */
function retryAfterOf(error: ErrorBody | undefined, raw: RawAnswer): number | null {
  const detail = error?.details?.find((d) => d.field === 'retry_after' || d.field === 'retryAfter');
  return seconds(error?.retryAfter) ?? raw.retryAfter ?? seconds(detail?.message);
}

/** The ApiError an unsuccessful answer stands for. */
function failure(raw: RawAnswer): ApiError {
  const { status, json } = raw;
  if (isEnvelope(json) && !json.success) {
    const error = json.error as ErrorBody | undefined;
    const details = Array.isArray(error?.details) ? error.details : [];
    return new ApiError(status, error?.code ?? 'internal', error?.message ?? `The server answered with HTTP ${status}`, details, retryAfterOf(error, raw));
  }
  if (status === 401) return new ApiError(401, 'unauthorized', 'The session token is missing or expired.');
  if (status === 404) return new ApiError(404, 'not_found', 'Not found.');
  if (status === 413) return new ApiError(413, 'payload_too_large', 'The file is too large to send; split it into smaller files.');
  return new ApiError(status, 'bad_response', `Unexpected answer from the server (HTTP ${status}).`);
}

/** A successful envelope's data, or the ApiError of the answer. */
function unwrap<T>(raw: RawAnswer): { data: T; nextCursor: string | null } {
  if (raw.status < 400 && isEnvelope(raw.json) && raw.json.success) {
    return { data: raw.json.data as T, nextCursor: raw.json.nextCursor ?? null };
  }
  throw failure(raw);
}

/** A successful answer that is not an envelope (a file, an export, an image) as its bytes. */
function unwrapBlob(raw: RawAnswer): Blob {
  if (raw.status < 400 && !isEnvelope(raw.json)) return raw.blob();
  throw failure(raw);
}

/** Runs one exchange and reads its answer; every failure becomes an ApiError the listeners hear about. */
async function exchange<R>(send: () => Promise<RawAnswer>, read: (raw: RawAnswer) => R): Promise<R> {
  try {
    return read(await send());
  } catch (error) {
    const apiError =
      error instanceof ApiError ? error : new ApiError(0, 'network_error', error instanceof Error ? error.message : String(error));
    errorListeners.forEach((listener) => listener(apiError));
    throw apiError;
  }
}

function call<T>(method: Method, path: string, query?: Query, body?: unknown) {
  return exchange(() => transport.send({ method, path, query, body }), (raw) => unwrap<T>(raw));
}

// ---------------------------------------------------------------------------------------------------------
// Live events: one feed per window, shared by every subscriber

interface Subscriber {
  onEvent: (event: AppEvent) => void;
  onState: (state: FeedState) => void;
}

const subscribers = new Set<Subscriber>();
let feedState: FeedState = 'connecting';
let closeFeed: (() => void) | null = null;

/**
 * Hands every live event to every subscriber, from a single transport subscription opened by the first
 * and closed after the last. A `resync` event (the server dropped events for a slow reader) reaches them
 * all like any other: each store then reloads what it shows.
 */
function subscribe(onEvent: Subscriber['onEvent'], onState: Subscriber['onState']): () => void {
  const subscriber = { onEvent, onState };
  subscribers.add(subscriber);
  if (closeFeed) onState(feedState);
  else {
    closeFeed = transport.subscribe(
      (event) => [...subscribers].forEach((s) => s.onEvent(event)),
      (state) => {
        feedState = state;
        [...subscribers].forEach((s) => s.onState(state));
      },
    );
  }
  return () => {
    subscribers.delete(subscriber);
    if (subscribers.size === 0 && closeFeed) {
      closeFeed();
      closeFeed = null;
      feedState = 'connecting';
    }
  };
}

export const api = {
  async get<T>(path: string, query?: Query): Promise<T> {
    return (await call<T>('GET', path, query)).data;
  },
  async list<T>(path: string, query?: Query): Promise<Page<T>> {
    return call<T[]>('GET', path, query);
  },
  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await call<T>('POST', path, undefined, body ?? {})).data;
  },
  async put<T>(path: string, body: unknown): Promise<T> {
    return (await call<T>('PUT', path, undefined, body)).data;
  },
  async delete<T>(path: string): Promise<T> {
    return (await call<T>('DELETE', path)).data;
  },
  /** A GET whose answer is a file (media, an export, an image) as a Blob of its type. Errors still arrive as ApiError. */
  blob(path: string, query?: Query): Promise<Blob> {
    return exchange(() => transport.send({ method: 'GET', path, query }), unwrapBlob);
  },
  /** A GET whose answer is text but not JSON (an SVG image). */
  async text(path: string, query?: Query): Promise<string> {
    return (await api.blob(path, query)).text();
  },
  /** Sends a file as the raw body of a POST; `onProgress` hears the share sent (0…1). */
  async upload<T>(path: string, file: Blob, query?: Query, onProgress: UploadProgress = () => {}): Promise<T> {
    return (await exchange(() => transport.upload({ method: 'POST', path, query, file }, onProgress), (raw) => unwrap<T>(raw))).data;
  },
  /** Live events (the HTTP event stream or the Tauri event). Returns the unsubscribe function. */
  subscribe(onEvent: (event: AppEvent) => void, onState: (state: FeedState) => void = () => {}): () => void {
    return subscribe(onEvent, onState);
  },
};

// ---------------------------------------------------------------------------------------------------------
// The demo's simulated phone

/**
 * The WhatsApp Web simulator's control API (demo mode only): what the phone and the customers do, without
 * a phone. A GET reads (`state`, `outbound`); a body makes it a POST (`scan`, `pairing`, `inbound`, `ack`).
 * The simulator is its own little server, not the API, so this is a plain cross-origin fetch in both the
 * browser and the desktop app, and its failures do not go to the API's error listeners.
 */
export async function simulatorControl<T = unknown>(simulatorUrl: string, action: string, body?: unknown): Promise<T> {
  const url = new URL(`control/${action}`, simulatorUrl.endsWith('/') ? simulatorUrl : `${simulatorUrl}/`);
  let response: Response;
  try {
    response = await fetch(url, {
      method: body === undefined ? 'GET' : 'POST',
      headers: body === undefined ? undefined : { 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'The simulated phone does not answer. Restart WhatsFlow in demo mode (--demo) and try again.');
  }
  const data = (await response.json().catch(() => null)) as { error?: { code?: string; message?: string } } | null;
  if (!response.ok) {
    throw new ApiError(response.status, data?.error?.code ?? 'bad_response', `The simulated phone refused: ${data?.error?.message ?? `HTTP ${response.status}`}`);
  }
  return data as T;
}

// Named calls for the routes the UI uses, so screens never spell paths.
const V1 = '/api/v1';
export const health = () => api.get<Health>(`${V1}/health`);
export const getAppState = () => api.get<AppState>(`${V1}/app/state`);
export const getRegions = () => api.get<Region[]>(`${V1}/meta/regions`);
export const getTimezones = () => api.get<string[]>(`${V1}/meta/timezones`);
export const getProfile = () => api.get<Profile>(`${V1}/profile`);
export const saveProfile = (input: ProfileInput) => api.put<Profile>(`${V1}/profile`, input);
export const getLock = () => api.get<LockState>(`${V1}/lock`);
export const unlock = (passcode: string) => api.post<LockState>(`${V1}/lock/unlock`, { passcode });
export const setPasscode = (input: SetPasscodeInput) => api.put<LockState>(`${V1}/lock`, input);
export const removePasscode = (currentPasscode: string) => api.post<LockState>(`${V1}/lock/remove`, { currentPasscode });
export const lockNow = () => api.post<LockState>(`${V1}/lock/lock`);
export const getSettings = () => api.get<Settings>(`${V1}/settings`);
export const saveSettings = (settings: Settings) => api.put<Settings>(`${V1}/settings`, settings);
export const getNotificationSettings = () => api.get<NotificationSettings>(`${V1}/settings/notifications`);
export const saveNotificationSettings = (settings: NotificationSettings) => api.put<NotificationSettings>(`${V1}/settings/notifications`, settings);
export const getAutoLock = () => api.get<AutoLock>(`${V1}/settings/auto-lock`);
export const saveAutoLock = (autoLock: AutoLock) => api.put<AutoLock>(`${V1}/settings/auto-lock`, autoLock);
export const getWhatsAppStatus = () => api.get<WhatsAppStatus>(`${V1}/whatsapp/status`);
/** Connecting, taking over and asking for a pairing code answer at once (202) with the status as it stands; progress arrives as `whatsapp.status` events, a failure as `whatsapp.call_failed`. */
export const connectWhatsApp = () => api.post<WhatsAppStatus>(`${V1}/whatsapp/connect`);
export const disconnectWhatsApp = () => api.post<WhatsAppStatus>(`${V1}/whatsapp/disconnect`);
export const takeOverWhatsApp = () => api.post<WhatsAppStatus>(`${V1}/whatsapp/takeover`);
/** The waiting QR code as an SVG document; 404 `not_found` when WhatsApp is not waiting for a scan. */
export const getWhatsAppQrSvg = () => api.text(`${V1}/whatsapp/qr`, { format: 'svg' });
export const requestPairingCode = (phoneNumber: string) => api.post<WhatsAppStatus>(`${V1}/whatsapp/pairing-code`, { phoneNumber });
