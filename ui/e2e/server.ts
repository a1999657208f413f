// Test fixture: a real whatsflow-server per test, on a free port, with a fresh data directory and a random
// session token. It is stopped with SIGTERM (as a user's Ctrl-C would) and its data removed afterwards.
// `test.use({ serverArgs: ['--demo'] })` adds arguments, e.g. the in-process WhatsApp simulator (demo mode).

import { test as base, expect, type APIRequestContext } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const SERVER_BIN = process.env.WHATSFLOW_SERVER_BIN ?? path.resolve(here, '..', '..', 'target', 'debug', 'whatsflow-server');
const UI_DIR = path.resolve(here, '..', 'dist');
const READY = /WhatsFlow listening on (http:\/\/\S+)/;
/** A guard against a server that never prints its ready line, not a measurement. */
const START_LIMIT_MS = 30_000;

export interface RunningServer {
  /** The link the server printed, `http://127.0.0.1:PORT/?token=TOKEN`. */
  url: string;
  /** `http://127.0.0.1:PORT` without the token. */
  origin: string;
  token: string;
  dataDir: string;
  /** Calls the REST API with the session token, for arranging state and checking what was stored. */
  api(method: 'GET' | 'PUT' | 'POST', route: string, body?: unknown): Promise<{ status: number; body: any }>;
}

function startServer(dataDir: string, token: string, extraArgs: string[]): Promise<{ child: ChildProcess; url: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(SERVER_BIN, ['--data-dir', dataDir, '--port', '0', '--token', token, '--ui-dir', UI_DIR, ...extraArgs], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, RUST_BACKTRACE: '1' },
    });
    let output = '';
    let settled = false;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${message}\n--- server output ---\n${output}`));
    };
    const timer = setTimeout(() => fail(`whatsflow-server (${SERVER_BIN}) printed no ready line within ${START_LIMIT_MS} ms`), START_LIMIT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = READY.exec(output);
      if (match && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({ child, url: match[1]! });
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (process.env.WHATSFLOW_E2E_VERBOSE) process.stderr.write(chunk);
    });
    child.on('error', (error) => fail(`cannot start whatsflow-server at ${SERVER_BIN}: ${error.message} (set WHATSFLOW_SERVER_BIN)`));
    child.on('exit', (code, signal) => fail(`whatsflow-server exited before it was ready (code ${code}, signal ${signal})`));
  });
}

function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 10_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function makeApi(request: APIRequestContext, origin: string, token: string): RunningServer['api'] {
  return async (method, route, body) => {
    const response = await request.fetch(`${origin}${route}`, {
      method,
      headers: { Authorization: `Bearer ${token}` },
      data: body === undefined ? undefined : body,
    });
    const text = await response.text();
    return { status: response.status(), body: text ? JSON.parse(text) : null };
  };
}

export const test = base.extend<{ server: RunningServer; serverArgs: string[] }>({
  /** Extra command-line arguments for whatsflow-server, e.g. `['--demo']`. */
  serverArgs: [[], { option: true }],
  server: async ({ request, serverArgs }, use) => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'whatsflow-e2e-'));
    const token = randomBytes(16).toString('hex');
    const { child, url } = await startServer(dataDir, token, serverArgs);
    const origin = new URL(url).origin;
    try {
      await use({ url, origin, token, dataDir, api: makeApi(request, origin, token) });
    } finally {
      await stopServer(child);
      rmSync(dataDir, { recursive: true, force: true });
    }
  },
});

export { expect };
