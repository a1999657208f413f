// The one API client of the UI: the same REST v1 calls over two transports, Tauri IPC inside the desktop
// app and fetch + Bearer token in a browser served by whatsflow-server. Both resolve to the same results:
// `data` on success, or a thrown `ApiError` carrying the server's code, message and per-field details.

import type {
  AppEvent,
  AppState,
  Envelope,
  ErrorDetail,
  Health,
  LockState,
  PairingCode,
  Profile,
  ProfileInput,
  Region,
  SetPasscodeInput,
  Settings,
  WhatsAppStatus,
} from './types';

export type QueryValue = string | number | boolean | null | undefined | Array<string | number>;
export type Query = Record<string, QueryValue>;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** A failed call: the server's error envelope, or a transport failure (`network_error`, `bad_response`). */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];
  /** Seconds to wait before trying again, from `Retry-After` or a `retry_after` detail, when given. */
  readonly retryAfter: number | null;

  constructor(status: number, code: string, message: string, details: ErrorDetail[] = [], retryAfter: number | null = null) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }

  /** The message for one field, if the server (or the client) named it. */
  fieldMessage(field: string): string | undefined {
    return this.details.find((d) => d.field === field)?.message;
  }
}

/** One page of a list route. */
export interface Page<T> {
  data: T[];
  nextCursor: string | null;
}

interface RawResponse {
  status: number;
  /** The parsed JSON envelope; for a non-JSON answer (an SVG image), null over HTTP and the text over Tauri. */
  body: unknown;
  /** The answer as text, over HTTP (the Tauri transport puts non-JSON text into `body`). */
  text?: string;
  /** From the HTTP `Retry-After` header; the Tauri transport has no headers. */
  retryAfterHeader?: string | null;
}

interface TransportRequest {
  method: Method;
  path: string;
  query?: Query;
  body?: unknown;
}

/** Whether the events feed currently delivers. */
export type FeedState = 'connecting' | 'open' | 'unavailable';

interface Transport {
  readonly kind: 'tauri' | 'http';
  send(request: TransportRequest): Promise<RawResponse>;
  subscribe(onEvent: (event: AppEvent) => void, onState: (state: FeedState) => void): () => void;
}

// ---------------------------------------------------------------------------------------------------------
// Tauri transport

type TauriWindow = Window & { __TAURI_INTERNALS__?: unknown };

export function isTauri(): boolean {
  return typeof window !== 'undefined' && (window as TauriWindow).__TAURI_INTERNALS__ !== undefined;
}

function tauriTransport(): Transport {
  return {
    kind: 'tauri',
    async send(request) {
      // Loaded lazily so the browser build never touches Tauri's IPC globals.
      const { invoke } = await import('@tauri-apps/api/core');
      try {
        // The engine's ApiRequest takes the query as a string (without `?`), exactly as the HTTP path carries it.
        const answer = await invoke<RawResponse>('api', {
          request: { method: request.method, path: request.path, query: buildQuery(request.query).replace(/^\?/, ''), body: request.body ?? null },
        });
        return answer;
      } catch (error) {
        // The command itself failed (not an API error): report it like an unreachable server.
        throw new ApiError(0, 'network_error', `The app's engine did not answer: ${String(error)}`);
      }
    },
    subscribe(onEvent, onState) {
      let stop: (() => void) | null = null;
      let cancelled = false;
      onState('connecting');
      import('@tauri-apps/api/event')
        .then(({ listen }) => listen<AppEvent>('whatsflow://event', (e) => onEvent(e.payload)))
        .then((unlisten) => {
          if (cancelled) unlisten();
          else {
            stop = unlisten;
            onState('open');
          }
        })
        .catch(() => onState('unavailable'));
      return () => {
        cancelled = true;
        stop?.();
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// HTTP transport (browser served by whatsflow-server)

const TOKEN_KEY = 'whatsflow.sessionToken';

/**
 * Moves a `?token=` from the address bar into sessionStorage, so the token survives reloads of this tab
 * but is not left in the visible URL, the history or a copied link.
 */
export function captureSessionToken(): void {
  if (typeof window === 'undefined') return;
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (token === null) return;
  if (token !== '') sessionStorage.setItem(TOKEN_KEY, token);
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
}

export function sessionToken(): string | null {
  try {
    return sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function buildQuery(query: Query | undefined): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

function httpTransport(): Transport {
  return {
    kind: 'http',
    async send(request) {
      const headers: Record<string, string> = { Accept: 'application/json' };
      const token = sessionToken();
      if (token) headers.Authorization = `Bearer ${token}`;
      let body: string | undefined;
      if (request.body !== undefined) {
        headers['Content-Type'] = 'application/json';
        body = JSON.stringify(request.body);
      }
      let response: Response;
      try {
        response = await fetch(request.path + buildQuery(request.query), { method: request.method, headers, body });
      } catch {
        throw new ApiError(0, 'network_error', 'Cannot reach WhatsFlow. Is whatsflow-server still running?');
      }
      const text = await response.text();
      let parsed: unknown = null;
      if (text !== '') {
        try {
          parsed = JSON.parse(text);
        } catch {
          parsed = null;
        }
      }
      return { status: response.status, body: parsed, text, retryAfterHeader: response.headers.get('Retry-After') };
    },
    subscribe(onEvent, onState) {
      let source: EventSource | null = null;
      let timer: ReturnType<typeof setTimeout> | null = null;
      let delay = 1000;
      let closed = false;
      // EventSource resumes with Last-Event-ID by itself; after we reconnect by hand, the query carries it.
      let lastEventId: number | null = null;

      const connect = () => {
        if (closed) return;
        const token = sessionToken();
        const url = `/api/v1/events${buildQuery({ token: token ?? undefined, lastEventId: lastEventId ?? undefined })}`;
        onState('connecting');
        source = new EventSource(url);
        source.onopen = () => {
          delay = 1000;
          onState('open');
        };
        source.onmessage = (message) => {
          try {
            const event = JSON.parse(message.data as string) as AppEvent;
            if (typeof event.id === 'number') lastEventId = event.id;
            onEvent(event);
          } catch {
            // A malformed event is dropped; the next one is independent of it.
          }
        };
        source.onerror = () => {
          // EventSource retries by itself after a dropped connection (readyState CONNECTING). It gives up
          // (CLOSED) on an HTTP error such as 404 or 401; then we retry ourselves with a growing delay.
          if (source?.readyState === EventSource.CLOSED) {
            onState('unavailable');
            source.close();
            timer = setTimeout(connect, delay);
            delay = Math.min(delay * 2, 30_000);
          } else {
            onState('connecting');
          }
        };
      };
      connect();
      return () => {
        closed = true;
        if (timer) clearTimeout(timer);
        source?.close();
      };
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The typed call layer

const transport: Transport = isTauri() ? tauriTransport() : httpTransport();

export const transportKind = transport.kind;

type ErrorListener = (error: ApiError) => void;
const errorListeners = new Set<ErrorListener>();

/** Observe every failed call (the shell uses it for 401 → session screen and 403 app_locked → lock screen). */
export function onApiError(listener: ErrorListener): () => void {
  errorListeners.add(listener);
  return () => errorListeners.delete(listener);
}

function retryAfterFrom(details: ErrorDetail[], header: string | null | undefined): number | null {
  const detail = details.find((d) => d.field === 'retry_after' || d.field === 'retryAfter');
  const raw = detail?.message ?? header ?? null;
  if (raw === null) return null;
  const seconds = Number.parseInt(String(raw).replace(/[^0-9]/g, ''), 10);
  return Number.isFinite(seconds) ? seconds : null;
}

function isEnvelope(body: unknown): body is Envelope<unknown> {
  return typeof body === 'object' && body !== null && 'success' in body;
}

/** Turns a raw answer into data or an ApiError; shared by both transports so they behave the same. */
function unwrap<T>(raw: RawResponse): { data: T; nextCursor: string | null } {
  const { status, body } = raw;
  if (isEnvelope(body)) {
    if (body.success && status < 400) {
      return { data: body.data as T, nextCursor: body.nextCursor ?? null };
    }
    if (!body.success) {
      const details = Array.isArray(body.error?.details) ? body.error.details : [];
      throw new ApiError(
        status,
        body.error?.code ?? 'internal',
        body.error?.message ?? `The server answered with HTTP ${status}`,
        details,
        retryAfterFrom(details, raw.retryAfterHeader),
      );
    }
  }
  if (status === 401) throw new ApiError(401, 'unauthorized', 'The session token is missing or expired.');
  if (status === 404) throw new ApiError(404, 'not_found', 'Not found.');
  throw new ApiError(status, 'bad_response', `Unexpected answer from the server (HTTP ${status}).`);
}

/** A successful answer that is not a JSON envelope (an image, an export), as text. */
function unwrapText(raw: RawResponse): string {
  if (raw.status < 400 && !isEnvelope(raw.body)) {
    if (typeof raw.body === 'string') return raw.body;
    if (typeof raw.text === 'string') return raw.text;
  }
  unwrap<unknown>(raw);
  throw new ApiError(raw.status, 'bad_response', `Unexpected answer from the server (HTTP ${raw.status}).`);
}

async function call<T>(method: Method, path: string, options?: { query?: Query; body?: unknown; asText?: false }): Promise<{ data: T; nextCursor: string | null }>;
async function call(method: Method, path: string, options: { query?: Query; asText: true }): Promise<string>;
async function call<T>(method: Method, path: string, options: { query?: Query; body?: unknown; asText?: boolean } = {}) {
  try {
    const raw = await transport.send({ method, path, query: options.query, body: options.body });
    return options.asText ? unwrapText(raw) : unwrap<T>(raw);
  } catch (error) {
    const apiError =
      error instanceof ApiError ? error : new ApiError(0, 'network_error', error instanceof Error ? error.message : String(error));
    errorListeners.forEach((listener) => listener(apiError));
    throw apiError;
  }
}

export const api = {
  async get<T>(path: string, query?: Query): Promise<T> {
    return (await call<T>('GET', path, { query })).data;
  },
  /** A GET whose answer is not JSON (an SVG image): its text. Errors still arrive as ApiError. */
  async text(path: string, query?: Query): Promise<string> {
    return call('GET', path, { query, asText: true });
  },
  async list<T>(path: string, query?: Query): Promise<Page<T>> {
    const { data, nextCursor } = await call<T[]>('GET', path, { query });
    return { data, nextCursor };
  },
  async post<T>(path: string, body?: unknown): Promise<T> {
    return (await call<T>('POST', path, { body: body ?? {} })).data;
  },
  async put<T>(path: string, body: unknown): Promise<T> {
    return (await call<T>('PUT', path, { body })).data;
  },
  async delete<T>(path: string): Promise<T> {
    return (await call<T>('DELETE', path)).data;
  },
  /** Live events (the HTTP event stream or the Tauri event). Returns the unsubscribe function. */
  subscribe(onEvent: (event: AppEvent) => void, onState: (state: FeedState) => void = () => {}): () => void {
    return transport.subscribe(onEvent, onState);
  },
};

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
export const getWhatsAppStatus = () => api.get<WhatsAppStatus>(`${V1}/whatsapp/status`);
export const connectWhatsApp = () => api.post<WhatsAppStatus>(`${V1}/whatsapp/connect`);
export const disconnectWhatsApp = () => api.post<WhatsAppStatus>(`${V1}/whatsapp/disconnect`);
export const takeOverWhatsApp = () => api.post<WhatsAppStatus>(`${V1}/whatsapp/takeover`);
/** The waiting QR code as an SVG document; 404 `not_found` when WhatsApp is not waiting for a scan. */
export const getWhatsAppQrSvg = () => api.text(`${V1}/whatsapp/qr`, { format: 'svg' });
export const requestPairingCode = (phoneNumber: string) => api.post<PairingCode>(`${V1}/whatsapp/pairing-code`, { phoneNumber });
