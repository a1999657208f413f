import { describe, expect, it } from 'vitest';
import type { RestApiStatus } from '../../api/types';
import { ApiError } from '../../api/errors';
import { curlExample, fieldMessages, normalizeScopes, originsFromText, parsePort, scriptBaseUrl } from './logic';

const desktop = (over: Partial<RestApiStatus>): RestApiStatus => ({
  enabled: false,
  port: 8787,
  switchable: true,
  listeningPort: null,
  baseUrl: null,
  error: null,
  ...over,
});

describe('scripting logic', () => {
  it('finds the base URL: this server in a browser, the running loopback server in the desktop', () => {
    expect(scriptBaseUrl(desktop({ switchable: false }), 'http://127.0.0.1:9000')).toBe('http://127.0.0.1:9000');
    expect(scriptBaseUrl(desktop({}), 'tauri://localhost')).toBeNull();
    expect(scriptBaseUrl(desktop({ enabled: true, listeningPort: 8790, baseUrl: 'http://127.0.0.1:8790' }), 'tauri://localhost')).toBe(
      'http://127.0.0.1:8790',
    );
  });

  it('writes a curl example with the key, or a placeholder', () => {
    expect(curlExample('http://127.0.0.1:8787', 'wf_abc')).toBe('curl -H "Authorization: Bearer wf_abc" "http://127.0.0.1:8787/api/v1/contacts?limit=5"');
    expect(curlExample('http://127.0.0.1:8787', null)).toContain('wf_YOUR_KEY');
  });

  it('sends admin alone and keeps the order of the others', () => {
    expect(normalizeScopes(['send', 'admin', 'read'])).toEqual(['admin']);
    expect(normalizeScopes(['send', 'read'])).toEqual(['read', 'send']);
  });

  it('checks ports', () => {
    expect(parsePort(' 8787 ')).toEqual({ port: 8787 });
    expect(parsePort('80')).toHaveProperty('error');
    expect(parsePort('70000')).toHaveProperty('error');
    expect(parsePort('eighty')).toHaveProperty('error');
  });
});

describe('allowed origins', () => {
  it('reads one origin a line, or separated by commas, trimmed and each once', () => {
    expect(originsFromText('  http://localhost:5173 \n\nhttps://dash.example, http://localhost:5173\n')).toEqual([
      'http://localhost:5173',
      'https://dash.example',
    ]);
    expect(originsFromText(' \n ')).toEqual([]);
  });

  it('gathers every message the server gave for the field, and nothing for other errors', () => {
    const error = new ApiError(400, 'validation_failed', 'Check the fields', [
      { field: 'allowedOrigins', message: '"ftp://x": an origin starts with http:// or https://' },
      { field: 'other', message: 'not this one' },
      { field: 'allowedOrigins', message: '"http://a/b": an origin has no path' },
    ]);
    expect(fieldMessages(error, 'allowedOrigins')).toBe('"ftp://x": an origin starts with http:// or https:// "http://a/b": an origin has no path');
    expect(fieldMessages(error, 'port')).toBeNull();
    expect(fieldMessages(new Error('offline'), 'allowedOrigins')).toBeNull();
  });
});
