// The API client: both transports must turn the server's envelopes into the same results and errors.

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

type ClientModule = typeof import('./client');

function envelope(status: number, body: unknown, headers: Record<string, string> = {}) {
  return new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'Content-Type': 'application/json', ...headers },
  });
}

async function freshClient(): Promise<ClientModule> {
  vi.resetModules();
  return import('./client');
}

describe('session token capture', () => {
  beforeEach(() => sessionStorage.clear());

  it('moves ?token= into sessionStorage and out of the address bar, keeping the rest of the URL', async () => {
    window.history.replaceState(null, '', '/?token=abc123&lang=de#/settings/profile');
    const client = await freshClient();
    client.captureSessionToken();
    expect(client.sessionToken()).toBe('abc123');
    expect(window.location.search).toBe('?lang=de');
    expect(window.location.hash).toBe('#/settings/profile');
  });

  it('keeps an earlier token when the URL has none (a reload)', async () => {
    sessionStorage.setItem('whatsflow.sessionToken', 'earlier');
    window.history.replaceState(null, '', '/#/inbox');
    const client = await freshClient();
    client.captureSessionToken();
    expect(client.sessionToken()).toBe('earlier');
  });
});

describe('HTTP transport', () => {
  let fetchMock: ReturnType<typeof vi.fn>;

  beforeEach(() => {
    sessionStorage.setItem('whatsflow.sessionToken', 'tok');
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends the bearer token and JSON body, and returns data', async () => {
    fetchMock.mockResolvedValue(envelope(200, { success: true, data: { businessName: 'Rosa' } }));
    const { api } = await freshClient();
    const data = await api.put<{ businessName: string }>('/api/v1/profile', { businessName: 'Rosa' });
    expect(data).toEqual({ businessName: 'Rosa' });
    const [url, init] = fetchMock.mock.calls[0]!;
    expect(url).toBe('/api/v1/profile');
    expect(init.method).toBe('PUT');
    expect(init.headers.Authorization).toBe('Bearer tok');
    expect(init.headers['Content-Type']).toBe('application/json');
    expect(JSON.parse(init.body)).toEqual({ businessName: 'Rosa' });
  });

  it('encodes queries (repeating arrays, skipping empty values) and returns nextCursor for lists', async () => {
    fetchMock.mockResolvedValue(envelope(200, { success: true, data: [{ id: 1 }], nextCursor: 'c2' }));
    const { api } = await freshClient();
    const page = await api.list('/api/v1/contacts', { q: 'rosa & co', tag: [1, 2], cursor: undefined, optedOut: false });
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/v1/contacts?q=rosa+%26+co&tag=1&tag=2&optedOut=false');
    expect(page).toEqual({ data: [{ id: 1 }], nextCursor: 'c2' });
  });

  it('throws ApiError with the code, message and per-field details of an error envelope', async () => {
    const details = [{ field: 'country', message: 'Unknown country "ZZ"' }];
    fetchMock.mockResolvedValue(envelope(400, { success: false, error: { code: 'validation_failed', message: 'Some fields are not valid', details } }));
    const { api, ApiError } = await freshClient();
    const error = await api.put('/api/v1/profile', {}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 400, code: 'validation_failed', message: 'Some fields are not valid', details });
    expect((error as InstanceType<typeof ApiError>).fieldMessage('country')).toBe('Unknown country "ZZ"');
  });

  it('reads the wait after too many attempts from a retry_after detail or the Retry-After header', async () => {
    fetchMock
      .mockResolvedValueOnce(envelope(429, { success: false, error: { code: 'too_many_attempts', message: 'Too many', details: [{ field: 'retry_after', message: '30' }] } }))
      .mockResolvedValueOnce(envelope(429, { success: false, error: { code: 'too_many_attempts', message: 'Too many' } }, { 'Retry-After': '12' }));
    const { unlock } = await freshClient();
    await expect(unlock('0000')).rejects.toMatchObject({ code: 'too_many_attempts', retryAfter: 30 });
    await expect(unlock('0000')).rejects.toMatchObject({ code: 'too_many_attempts', retryAfter: 12 });
  });

  it('reports answers that are not envelopes, and unreachable servers, as errors with their own codes', async () => {
    fetchMock.mockResolvedValueOnce(new Response('<h1>Bad gateway</h1>', { status: 502 })).mockRejectedValueOnce(new TypeError('Failed to fetch'));
    const { health } = await freshClient();
    await expect(health()).rejects.toMatchObject({ status: 502, code: 'bad_response' });
    await expect(health()).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });

  it('returns a non-JSON answer (the QR as SVG) as text, and still throws the error envelope of a 404', async () => {
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><path d="M0 0h1"/></svg>';
    fetchMock
      .mockResolvedValueOnce(new Response(svg, { status: 200, headers: { 'Content-Type': 'image/svg+xml' } }))
      .mockResolvedValueOnce(envelope(404, { success: false, error: { code: 'not_found', message: 'No QR code to show' } }));
    const { getWhatsAppQrSvg } = await freshClient();
    await expect(getWhatsAppQrSvg()).resolves.toBe(svg);
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/v1/whatsapp/qr?format=svg');
    expect(fetchMock.mock.calls[0]![1].headers.Authorization).toBe('Bearer tok');
    await expect(getWhatsAppQrSvg()).rejects.toMatchObject({ status: 404, code: 'not_found', message: 'No QR code to show' });
  });

  it('tells error listeners about every failure (the shell turns 401 into the session screen)', async () => {
    fetchMock.mockResolvedValue(envelope(401, { success: false, error: { code: 'unauthorized', message: 'Missing token' } }));
    const { getAppState, onApiError } = await freshClient();
    const seen: string[] = [];
    onApiError((e) => seen.push(`${e.status} ${e.code}`));
    await expect(getAppState()).rejects.toMatchObject({ status: 401 });
    expect(seen).toEqual(['401 unauthorized']);
  });
});

describe('Tauri transport', () => {
  const invoke = vi.fn();

  beforeEach(() => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    vi.doMock('@tauri-apps/api/core', () => ({ invoke }));
    invoke.mockReset();
  });
  afterEach(() => {
    delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
    vi.doUnmock('@tauri-apps/api/core');
  });

  it('invokes the api command with the request and unwraps the same envelope', async () => {
    invoke.mockResolvedValue({ status: 200, body: { success: true, data: [{ id: 7 }], nextCursor: null } });
    const client = await freshClient();
    expect(client.transportKind).toBe('tauri');
    const page = await client.api.list('/api/v1/contacts', { limit: 50, tag: [3, 4] });
    expect(invoke).toHaveBeenCalledWith('api', { request: { method: 'GET', path: '/api/v1/contacts', query: 'limit=50&tag=3&tag=4', body: null } });
    expect(page).toEqual({ data: [{ id: 7 }], nextCursor: null });
  });

  it('throws the same ApiError for an error envelope', async () => {
    invoke.mockResolvedValue({ status: 401, body: { success: false, error: { code: 'wrong_passcode', message: 'Wrong passcode' } } });
    const client = await freshClient();
    await expect(client.unlock('1')).rejects.toMatchObject({ status: 401, code: 'wrong_passcode', message: 'Wrong passcode' });
    expect(invoke).toHaveBeenCalledWith('api', { request: { method: 'POST', path: '/api/v1/lock/unlock', query: '', body: { passcode: '1' } } });
  });

  it('returns a non-JSON answer as the text the command carries', async () => {
    invoke.mockResolvedValue({ status: 200, body: '<svg/>' });
    const client = await freshClient();
    await expect(client.getWhatsAppQrSvg()).resolves.toBe('<svg/>');
  });

  it('reports a failing command as network_error rather than crashing', async () => {
    invoke.mockRejectedValue('command api not found');
    const client = await freshClient();
    await expect(client.health()).rejects.toMatchObject({ code: 'network_error' });
  });
});
