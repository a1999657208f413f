// The desktop's REST API switch in Settings (the browser build has none, so the e2e tests cannot reach it):
// a busy port shows on the port field and leaves the switch off; a port that opens shows the base URL.

import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import type { RestApiStatus } from '../../api/types';
import { getRestApi, saveRestApi } from './api';
import { RestApiCard } from './RestApiCard';

vi.mock('./api', () => ({ getRestApi: vi.fn(), saveRestApi: vi.fn() }));

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

const off: RestApiStatus = { enabled: false, port: 8787, switchable: true, listeningPort: null, baseUrl: null, error: null };

let container: HTMLDivElement;
beforeEach(() => {
  container = document.createElement('div');
  document.body.append(container);
});
afterEach(() => {
  container.remove();
  vi.clearAllMocks();
});

async function render() {
  const root = createRoot(container);
  await act(async () => root.render(createElement(RestApiCard, { lastKey: 'wf_demo' })));
  return root;
}

async function typePort(text: string) {
  const input = container.querySelector<HTMLInputElement>('input[inputmode="numeric"]')!;
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(input, text);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function flip() {
  await act(async () => container.querySelector<HTMLInputElement>('[role="switch"]')!.click());
}

describe('RestApiCard in the desktop app', () => {
  it('shows a busy port on the port field and keeps the switch off', async () => {
    vi.mocked(getRestApi).mockResolvedValue(off);
    const why = 'Port 9000 is already in use by another program: choose another port';
    vi.mocked(saveRestApi).mockRejectedValue(new ApiError(409, 'conflict', why, [{ field: 'port', message: why }]));
    const root = await render();
    expect(container.textContent).toContain('WhatsFlow listens on no port');
    await typePort('9000');
    await flip();
    expect(saveRestApi).toHaveBeenCalledWith({ enabled: true, port: 9000 });
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(why);
    expect(container.querySelector<HTMLInputElement>('[role="switch"]')!.checked).toBe(false);
    act(() => root.unmount());
  });

  it('refuses a port out of range before asking the app', async () => {
    vi.mocked(getRestApi).mockResolvedValue(off);
    const root = await render();
    await typePort('80');
    await flip();
    expect(saveRestApi).not.toHaveBeenCalled();
    expect(container.querySelector('[role="alert"]')?.textContent).toContain('1024 to 65535');
    act(() => root.unmount());
  });

  it('shows the base URL, docs and a curl example once the server runs', async () => {
    vi.mocked(getRestApi).mockResolvedValue(off);
    vi.mocked(saveRestApi).mockResolvedValue({ ...off, enabled: true, listeningPort: 8787, baseUrl: 'http://127.0.0.1:8787' });
    const root = await render();
    await flip();
    expect(container.querySelector('[data-testid="rest-api-base-url"]')?.textContent).toBe('http://127.0.0.1:8787');
    expect(container.querySelector('a[href="http://127.0.0.1:8787/api/v1/docs"]')).not.toBeNull();
    expect(container.querySelector('[data-testid="rest-api-curl"]')?.textContent).toContain('Bearer wf_demo');
    expect(container.textContent).toContain('Running');
    act(() => root.unmount());
  });
});
