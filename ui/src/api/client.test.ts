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

  it('prefers the envelope\'s retryAfter to the Retry-After header', async () => {
    fetchMock.mockResolvedValue(
      envelope(429, { success: false, error: { code: 'too_many_attempts', message: 'Too many', details: [], retryAfter: 45 } }, { 'Retry-After': '12' }),
    );
    const { unlock } = await freshClient();
    await expect(unlock('0000')).rejects.toMatchObject({ code: 'too_many_attempts', retryAfter: 45 });
  });

  it('reads a file answer (media) as a Blob of its type, with the bearer token', async () => {
    const bytes = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00]);
    fetchMock.mockResolvedValue(new Response(bytes, { status: 200, headers: { 'Content-Type': 'image/jpeg' } }));
    const { api } = await freshClient();
    const blob = await api.blob('/api/v1/messages/3/media');
    expect(fetchMock.mock.calls[0]![0]).toBe('/api/v1/messages/3/media');
    expect(fetchMock.mock.calls[0]![1].headers.Authorization).toBe('Bearer tok');
    expect(blob.type).toBe('image/jpeg');
    expect(new Uint8Array(await blob.arrayBuffer())).toEqual(bytes);
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
    invoke.mockResolvedValue({ status: 200, contentType: 'application/json', body: { success: true, data: [{ id: 7 }], nextCursor: null } });
    const client = await freshClient();
    expect(client.transportKind).toBe('tauri');
    const page = await client.api.list('/api/v1/contacts', { limit: 50, tag: [3, 4] });
    expect(invoke).toHaveBeenCalledWith('api', { request: { method: 'GET', path: '/api/v1/contacts', query: 'limit=50&tag=3&tag=4', body: null } });
    expect(page).toEqual({ data: [{ id: 7 }], nextCursor: null });
  });

  it('throws the same ApiError for an error envelope', async () => {
    invoke.mockResolvedValue({ status: 401, contentType: 'application/json', body: { success: false, error: { code: 'wrong_passcode', message: 'Wrong passcode' } } });
    const client = await freshClient();
    await expect(client.unlock('1')).rejects.toMatchObject({ status: 401, code: 'wrong_passcode', message: 'Wrong passcode' });
    expect(invoke).toHaveBeenCalledWith('api', { request: { method: 'POST', path: '/api/v1/lock/unlock', query: '', body: { passcode: '1' } } });
  });

  it('returns a non-JSON answer (the QR as SVG) as the text the command carries in base64', async () => {
    invoke.mockResolvedValue({ status: 200, contentType: 'image/svg+xml', bodyBase64: btoa('<svg/>') });
    const client = await freshClient();
    await expect(client.getWhatsAppQrSvg()).resolves.toBe('<svg/>');
  });

  it('turns a file answer (bodyBase64) into a Blob of its content type, byte for byte', async () => {
    const bytes = [0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x10];
    invoke.mockResolvedValue({ status: 200, contentType: 'image/png', bodyBase64: btoa(String.fromCharCode(...bytes)) });
    const client = await freshClient();
    const blob = await client.api.blob('/api/v1/messages/9/media');
    expect(invoke).toHaveBeenCalledWith('api', { request: { method: 'GET', path: '/api/v1/messages/9/media', query: '', body: null } });
    expect(blob.type).toBe('image/png');
    expect([...new Uint8Array(await blob.arrayBuffer())]).toEqual(bytes);
  });

  it('hands a JSON file answer (a JSON export) out as a Blob of that JSON', async () => {
    const rows = [{ phoneNumber: '+14155550132', name: 'Rosa' }];
    invoke.mockResolvedValue({ status: 200, contentType: 'application/json', body: rows });
    const client = await freshClient();
    const blob = await client.api.blob('/api/v1/contacts/export', { format: 'json' });
    expect(blob.type).toBe('application/json');
    expect(JSON.parse(await blob.text())).toEqual(rows);
  });

  it('throws the error envelope of a file route (a missing media file)', async () => {
    invoke.mockResolvedValue({ status: 404, contentType: 'application/json', body: { success: false, error: { code: 'not_found', message: 'No such file' } } });
    const client = await freshClient();
    await expect(client.api.blob('/api/v1/messages/9/media')).rejects.toMatchObject({ status: 404, code: 'not_found', message: 'No such file' });
  });

  it('carries the wait after too many passcodes to the lock screen: from the envelope, else the answer field', async () => {
    const tooMany = (error: Record<string, unknown>, retryAfter?: number) => ({
      status: 429,
      contentType: 'application/json',
      body: { success: false, error: { code: 'too_many_attempts', message: 'Too many attempts', details: [], ...error } },
      ...(retryAfter === undefined ? {} : { retryAfter }),
    });
    invoke.mockResolvedValueOnce(tooMany({ retryAfter: 30 }, 30)).mockResolvedValueOnce(tooMany({}, 7));
    const client = await freshClient();
    await expect(client.unlock('0000')).rejects.toMatchObject({ status: 429, code: 'too_many_attempts', retryAfter: 30 });
    await expect(client.unlock('0000')).rejects.toMatchObject({ code: 'too_many_attempts', retryAfter: 7 });
  });

  it('uploads a file as base64 with its query, reporting the upload done once handed over', async () => {
    invoke.mockResolvedValue({ status: 200, contentType: 'application/json', body: { success: true, data: { imported: 2 } } });
    const client = await freshClient();
    const progress: number[] = [];
    const file = new Blob(['phone,name\n+14155550132,Rosa\n'], { type: 'text/csv' });
    const report = await client.api.upload('/api/v1/contacts/import', file, { dryRun: true, dedupe: 'skip' }, (share) => progress.push(share));
    expect(report).toEqual({ imported: 2 });
    expect(progress).toEqual([1]);
    expect(invoke).toHaveBeenCalledWith('api', {
      request: { method: 'POST', path: '/api/v1/contacts/import', query: 'dryRun=true&dedupe=skip', bodyBase64: btoa('phone,name\n+14155550132,Rosa\n') },
    });
  });

  it('reports a failing command as network_error rather than crashing', async () => {
    invoke.mockRejectedValue('command api not found');
    const client = await freshClient();
    await expect(client.health()).rejects.toMatchObject({ code: 'network_error' });
  });
});

/** A stand-in XMLHttpRequest: records the request and answers it, reporting upload progress on the way. */
class FakeXhr {
  static last: FakeXhr | null = null;
  static answer: { status: number; body: string; headers: Record<string, string> } | 'network-error' = 'network-error';
  method = '';
  url = '';
  headers: Record<string, string> = {};
  sent: unknown = null;
  responseType = '';
  status = 0;
  response: unknown = null;
  upload: { onprogress: ((e: { lengthComputable: boolean; loaded: number; total: number }) => void) | null } = { onprogress: null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;

  constructor() {
    FakeXhr.last = this;
  }
  open(method: string, url: string) {
    this.method = method;
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  getResponseHeader(name: string): string | null {
    const answer = FakeXhr.answer;
    if (answer === 'network-error') return null;
    return Object.entries(answer.headers).find(([key]) => key.toLowerCase() === name.toLowerCase())?.[1] ?? null;
  }
  send(body: unknown) {
    this.sent = body;
    const answer = FakeXhr.answer;
    queueMicrotask(() => {
      if (answer === 'network-error') return this.onerror?.();
      this.upload.onprogress?.({ lengthComputable: true, loaded: 40, total: 100 });
      this.upload.onprogress?.({ lengthComputable: true, loaded: 100, total: 100 });
      this.status = answer.status;
      this.response = new Blob([answer.body], { type: answer.headers['Content-Type'] ?? '' });
      this.onload?.();
    });
  }
}

describe('HTTP uploads', () => {
  beforeEach(() => {
    sessionStorage.setItem('whatsflow.sessionToken', 'tok');
    vi.stubGlobal('XMLHttpRequest', FakeXhr);
  });
  afterEach(() => vi.unstubAllGlobals());

  it('sends the file as the raw body with the token, reporting the share sent as it goes', async () => {
    FakeXhr.answer = { status: 200, body: JSON.stringify({ success: true, data: { imported: 3 } }), headers: { 'Content-Type': 'application/json' } };
    const { api } = await freshClient();
    const file = new Blob(['phone\n+14155550132\n']);
    const progress: number[] = [];
    const report = await api.upload('/api/v1/contacts/import', file, { dryRun: false, mapping: '{"phone":"Tel"}' }, (share) => progress.push(share));
    expect(report).toEqual({ imported: 3 });
    expect(progress).toEqual([0.4, 1]);
    const xhr = FakeXhr.last!;
    expect(xhr.method).toBe('POST');
    expect(xhr.url).toBe('/api/v1/contacts/import?dryRun=false&mapping=%7B%22phone%22%3A%22Tel%22%7D');
    expect(xhr.headers.Authorization).toBe('Bearer tok');
    expect(xhr.headers['Content-Type']).toBe('application/octet-stream');
    expect(xhr.sent).toBe(file);
  });

  it('throws the error envelope of a refused upload, and network_error when the server is gone', async () => {
    FakeXhr.answer = {
      status: 413,
      body: JSON.stringify({ success: false, error: { code: 'payload_too_large', message: 'The file is larger than 100 MB' } }),
      headers: { 'Content-Type': 'application/json' },
    };
    const { api } = await freshClient();
    await expect(api.upload('/api/v1/contacts/import', new Blob(['x']))).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
    FakeXhr.answer = 'network-error';
    await expect(api.upload('/api/v1/contacts/import', new Blob(['x']))).rejects.toMatchObject({ status: 0, code: 'network_error' });
  });
});

describe('live events', () => {
  let deliver: ((event: { payload: unknown }) => void) | null = null;
  const listen = vi.fn();
  const unlisten = vi.fn();

  beforeEach(() => {
    (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__ = {};
    listen.mockReset().mockImplementation(async (_name: string, handler: (event: { payload: unknown }) => void) => {
      deliver = handler;
      return unlisten;
    });
    unlisten.mockReset();
    vi.doMock('@tauri-apps/api/event', () => ({ listen }));
  });
  afterEach(() => {
    delete (window as unknown as Record<string, unknown>).__TAURI_INTERNALS__;
    vi.doUnmock('@tauri-apps/api/event');
  });

  it('shares one feed between subscribers and fans every event, resync included, out to each once', async () => {
    const { api } = await freshClient();
    const shell: string[] = [];
    const contacts: string[] = [];
    const states: string[] = [];
    const stopShell = api.subscribe((e) => shell.push(e.type), (s) => states.push(`shell ${s}`));
    await vi.waitFor(() => expect(states).toContain('shell open'));
    const stopContacts = api.subscribe((e) => contacts.push(e.type), (s) => states.push(`contacts ${s}`));

    expect(listen).toHaveBeenCalledTimes(1);
    expect(listen.mock.calls[0]![0]).toBe('whatsflow://event');
    // A late subscriber learns the feed's current state at once.
    expect(states).toEqual(['shell connecting', 'shell open', 'contacts open']);

    deliver!({ payload: { id: 1, type: 'contact.updated', data: { id: 4 } } });
    deliver!({ payload: { type: 'resync' } });
    expect(shell).toEqual(['contact.updated', 'resync']);
    expect(contacts).toEqual(['contact.updated', 'resync']);

    stopContacts();
    deliver!({ payload: { id: 2, type: 'message.received', data: {} } });
    expect(contacts).toEqual(['contact.updated', 'resync']);
    expect(unlisten).not.toHaveBeenCalled();
    stopShell();
    expect(unlisten).toHaveBeenCalledTimes(1);
  });
});
