// The allowed-origins editor: what is typed goes to the server as a list; the server's answer (normalized)
// replaces it; an origin the server refuses shows on the field with the server's words.

import { act, createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../api/errors';
import { getCors, saveCors } from './api';
import { CorsCard } from './CorsCard';

vi.mock('./api', () => ({ getCors: vi.fn(), saveCors: vi.fn() }));

(globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;

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
  await act(async () => root.render(createElement(CorsCard)));
  return root;
}

async function type(text: string) {
  const area = container.querySelector<HTMLTextAreaElement>('textarea')!;
  const setValue = Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, 'value')!.set!;
  await act(async () => {
    setValue.call(area, text);
    area.dispatchEvent(new Event('input', { bubbles: true }));
  });
}

async function submit() {
  await act(async () => container.querySelector<HTMLButtonElement>('button[type="submit"]')!.click());
}

describe('CorsCard', () => {
  it('saves the typed origins and shows them as the server keeps them', async () => {
    vi.mocked(getCors).mockResolvedValue({ allowedOrigins: [] });
    vi.mocked(saveCors).mockResolvedValue({ allowedOrigins: ['http://localhost:5173'] });
    const root = await render();
    await type('HTTP://LOCALHOST:5173/\n\n');
    await submit();
    expect(saveCors).toHaveBeenCalledWith({ allowedOrigins: ['HTTP://LOCALHOST:5173/'] });
    expect(container.querySelector('textarea')!.value).toBe('http://localhost:5173');
    expect(container.querySelector('[role="alert"]')).toBeNull();
    act(() => root.unmount());
  });

  it('shows what the server refused on the field and keeps what was typed', async () => {
    vi.mocked(getCors).mockResolvedValue({ allowedOrigins: ['https://dash.example'] });
    const why = '"ftp://x": an origin starts with http:// or https://';
    vi.mocked(saveCors).mockRejectedValue(new ApiError(400, 'validation_failed', 'Check the fields', [{ field: 'allowedOrigins', message: why }]));
    const root = await render();
    expect(container.querySelector('textarea')!.value).toBe('https://dash.example');
    await type('https://dash.example\nftp://x');
    await submit();
    expect(container.querySelector('[role="alert"]')?.textContent).toBe(why);
    expect(container.querySelector('textarea')!.value).toBe('https://dash.example\nftp://x');
    act(() => root.unmount());
  });
});
