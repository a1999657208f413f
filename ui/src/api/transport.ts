// The two ways a call reaches the engine: Tauri IPC inside the desktop app, and HTTP (fetch, or
// XMLHttpRequest for uploads with progress) with a Bearer token in a browser served by whatsflow-server.
// Both hand back the same `RawAnswer`, so everything above this file is transport-blind.

import { base64ToBlob, blobToBase64 } from '../lib/base64';
import { ApiError } from './errors';
import type { AppEvent } from './types';

export type QueryValue = string | number | boolean | null | undefined | Array<string | number>;
export type Query = Record<string, QueryValue>;
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Whether the events feed currently delivers. */
export type FeedState = 'connecting' | 'open' | 'unavailable';

/** The share of an upload's bytes sent so far, 0…1. */
export type UploadProgress = (sent: number) => void;

export interface TransportRequest {
  method: Method;
  path: string;
  query?: Query;
  /** A JSON body. */
  body?: unknown;
}

/** A request whose body is a file (a contacts import), sent as raw bytes. */
export interface UploadRequest {
  method: Method;
  path: string;
  query?: Query;
  file: Blob;
}

/** One answer, whatever carried it: what an HTTP response would hold. */
export interface RawAnswer {
  status: number;
  contentType: string;
  /** The parsed body when it is JSON (an envelope, a JSON export); undefined for any other type. */
  json: unknown;
  /** The body's bytes, whatever their type (an image, a CSV export, an SVG). */
  blob(): Blob;
  /** Seconds from HTTP's `Retry-After` (a header over HTTP, a field of the IPC answer). */
  retryAfter: number | null;
}

export interface Transport {
  readonly kind: 'tauri' | 'http';
  send(request: TransportRequest): Promise<RawAnswer>;
  upload(request: UploadRequest, onProgress: UploadProgress): Promise<RawAnswer>;
  subscribe(onEvent: (event: AppEvent) => void, onState: (state: FeedState) => void): () => void;
}

const JSON_TYPE = 'application/json';

function isJson(contentType: string): boolean {
  return contentType.toLowerCase().startsWith(JSON_TYPE);
}

/** Whole seconds from a `Retry-After` value; null for none (or an HTTP date, which the server never sends). */
export function seconds(value: string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  const parsed = typeof value === 'number' ? value : Number.parseInt(value, 10);
  return Number.isFinite(parsed) && parsed >= 0 ? Math.ceil(parsed) : null;
}

/** The query string without `?`: arrays repeat their key, empty values are left out. */
export function queryString(query: Query | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, String(v)));
    else params.append(key, String(value));
  }
  return params.toString();
}

function withQuery(path: string, query: Query | undefined): string {
  const text = queryString(query);
  return text ? `${path}?${text}` : path;
}

// ---------------------------------------------------------------------------------------------------------
// Tauri transport

type TauriWindow = Window & { __TAURI_INTERNALS__?: unknown };

export function isTauri(): boolean {
  return typeof window !== 'undefined' && (window as TauriWindow).__TAURI_INTERNALS__ !== undefined;
}

/** What the desktop's `api` command answers (the engine's `IpcResponse`). */
interface IpcResponse {
  status: number;
  contentType?: string;
  /** The JSON when `contentType` is JSON. */
  body?: unknown;
  /** Any other body, in base64 (IPC carries JSON only). */
  bodyBase64?: string;
  retryAfter?: number | null;
}

function fromIpc(answer: IpcResponse): RawAnswer {
  const contentType = answer.contentType ?? JSON_TYPE;
  const json = isJson(contentType) ? answer.body : undefined;
  return {
    status: answer.status,
    contentType,
    json,
    blob: () =>
      answer.bodyBase64 !== undefined
        ? base64ToBlob(answer.bodyBase64, contentType)
        : new Blob([answer.body === undefined ? '' : JSON.stringify(answer.body)], { type: contentType }),
    retryAfter: seconds(answer.retryAfter),
  };
}

function tauriTransport(): Transport {
  const call = async (request: Record<string, unknown>): Promise<RawAnswer> => {
    // Loaded lazily so the browser build never touches Tauri's IPC globals.
    const { invoke } = await import('@tauri-apps/api/core');
    try {
      return fromIpc(await invoke<IpcResponse>('api', { request }));
    } catch (error) {
      // The command itself failed (not an API error): report it like an unreachable server.
      throw new ApiError(0, 'network_error', `The app's engine did not answer: ${String(error)}`);
    }
  };
  return {
    kind: 'tauri',
    send: (request) => call({ method: request.method, path: request.path, query: queryString(request.query), body: request.body ?? null }),
    async upload(request, onProgress) {
      const bodyBase64 = await blobToBase64(request.file);
      // IPC reports no progress: the whole file is handed over at once, so the upload is done here and the
      // wait that follows is the engine's own work (which reports progress as events).
      onProgress(1);
      return call({ method: request.method, path: request.path, query: queryString(request.query), bodyBase64 });
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

function authHeaders(headers: Record<string, string>): Record<string, string> {
  const token = sessionToken();
  return token ? { ...headers, Authorization: `Bearer ${token}` } : headers;
}

function unreachable(): ApiError {
  return new ApiError(0, 'network_error', 'Cannot reach WhatsFlow. Is whatsflow-server still running?');
}

/** An HTTP answer (from fetch or XMLHttpRequest) as a RawAnswer; a JSON body is parsed here. */
async function fromHttp(status: number, contentType: string | null, retryAfter: string | null, body: Blob): Promise<RawAnswer> {
  const type = contentType ?? '';
  let json: unknown;
  if (isJson(type)) {
    try {
      json = JSON.parse(await body.text());
    } catch {
      json = undefined;
    }
  }
  return { status, contentType: type, json, blob: () => body, retryAfter: seconds(retryAfter) };
}

function httpTransport(): Transport {
  return {
    kind: 'http',
    async send(request) {
      let headers: Record<string, string> = { Accept: JSON_TYPE };
      let body: string | undefined;
      if (request.body !== undefined) {
        headers = { ...headers, 'Content-Type': JSON_TYPE };
        body = JSON.stringify(request.body);
      }
      let response: Response;
      try {
        response = await fetch(withQuery(request.path, request.query), { method: request.method, headers: authHeaders(headers), body });
      } catch {
        throw unreachable();
      }
      return fromHttp(response.status, response.headers.get('Content-Type'), response.headers.get('Retry-After'), await response.blob());
    },
    upload(request, onProgress) {
      // XMLHttpRequest rather than fetch: only it reports how far the upload is.
      return new Promise<RawAnswer>((resolve, reject) => {
        const xhr = new XMLHttpRequest();
        xhr.open(request.method, withQuery(request.path, request.query));
        xhr.responseType = 'blob';
        for (const [name, value] of Object.entries(authHeaders({ Accept: JSON_TYPE, 'Content-Type': 'application/octet-stream' }))) {
          xhr.setRequestHeader(name, value);
        }
        xhr.upload.onprogress = (event) => {
          if (event.lengthComputable && event.total > 0) onProgress(event.loaded / event.total);
        };
        xhr.onload = () => {
          const body = xhr.response instanceof Blob ? xhr.response : new Blob([]);
          fromHttp(xhr.status, xhr.getResponseHeader('Content-Type'), xhr.getResponseHeader('Retry-After'), body).then(resolve, reject);
        };
        xhr.onerror = () => reject(unreachable());
        xhr.send(request.file);
      });
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
        const url = withQuery('/api/v1/events', { token: sessionToken() ?? undefined, lastEventId: lastEventId ?? undefined });
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

/** The transport of this window: IPC inside the desktop app, HTTP anywhere else. */
export function pickTransport(): Transport {
  return isTauri() ? tauriTransport() : httpTransport();
}
