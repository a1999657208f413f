// The scripting section's pure parts: where scripts reach the API, the curl example, scopes, the event
// names a webhook can subscribe to (those of the engine's webhooks module) and the allowed origins' text.

import { ApiError } from '../../api/errors';
import type { ApiScope, RestApiStatus } from '../../api/types';

export const DEFAULT_PORT = 8787;

/** The event names a webhook may subscribe to, with what each means. */
export const WEBHOOK_EVENTS: Array<{ name: string; label: string }> = [
  { name: 'message.received', label: 'Message received' },
  { name: 'message.sent', label: 'Message sent' },
  { name: 'message.ack', label: 'Message delivered / read' },
  { name: 'message.revoked', label: 'Message deleted by its sender' },
  { name: 'message.edited', label: 'Message edited by its sender' },
  { name: 'contact.created', label: 'Contact created' },
  { name: 'contact.updated', label: 'Contact updated' },
  { name: 'contact.deleted', label: 'Contact deleted' },
  { name: 'contact.opted_out', label: 'Contact opted out' },
  { name: 'connection.status', label: 'WhatsApp connection changed' },
  { name: 'campaign.*', label: 'Campaign progress (all campaign events)' },
];

export const SCOPES: Array<{ id: ApiScope; label: string; hint: string }> = [
  { id: 'read', label: 'Read', hint: 'contacts, chats, messages, statistics' },
  { id: 'send', label: 'Send', hint: 'send messages and change data' },
  { id: 'admin', label: 'Admin', hint: 'settings, keys and webhooks; includes read and send' },
];

/**
 * Where scripts reach the API: in a browser, this very server; in the desktop app, the loopback server
 * while it runs (null while it is off).
 */
export function scriptBaseUrl(status: RestApiStatus | null, origin: string): string | null {
  if (status && !status.switchable) return origin;
  return status?.baseUrl ?? null;
}

/** A curl command listing five contacts with a key (a placeholder until one has just been created). */
export function curlExample(baseUrl: string, key: string | null): string {
  return `curl -H "Authorization: Bearer ${key ?? 'wf_YOUR_KEY'}" "${baseUrl}/api/v1/contacts?limit=5"`;
}

/** The scopes as chosen: admin includes the others, so it is sent alone. */
export function normalizeScopes(chosen: ApiScope[]): ApiScope[] {
  if (chosen.includes('admin')) return ['admin'];
  return SCOPES.map((s) => s.id).filter((id) => chosen.includes(id));
}

/** A port typed into Settings, or the sentence saying why it is not one. */
export function parsePort(text: string): { port: number } | { error: string } {
  const trimmed = text.trim();
  if (!/^\d+$/.test(trimmed)) return { error: 'Enter a port number, e.g. 8787.' };
  const port = Number(trimmed);
  if (port < 1024 || port > 65535) return { error: 'The port must be from 1024 to 65535.' };
  return { port };
}

/** The origins typed one a line (or separated by commas or spaces): trimmed, blank ones dropped, each once. */
export function originsFromText(text: string): string[] {
  const origins = text.split(/[\s,]+/).filter((o) => o.length > 0);
  return [...new Set(origins)];
}

/**
 * What the server said about one field, every message of it (several origins can be wrong at once), or
 * null when it named no such field.
 */
export function fieldMessages(error: unknown, field: string): string | null {
  if (!(error instanceof ApiError)) return null;
  const messages = error.details.filter((d) => d.field === field).map((d) => d.message);
  return messages.length > 0 ? messages.join(' ') : null;
}
