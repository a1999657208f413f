import { describe, expect, it } from 'vitest';
import type { RestApiStatus } from '../../api/types';
import { curlExample, normalizeScopes, parsePort, scriptBaseUrl } from './logic';

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
