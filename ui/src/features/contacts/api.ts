// The contacts screen's calls to REST v1, typed, so components never spell paths. Imports send the file
// itself as the body: over HTTP with XMLHttpRequest (for upload progress), over Tauri IPC in base64.

import { api, ApiError, sessionToken, transportKind, type Page, type Query } from '../../api/client';
import type {
  BulkOutcome,
  BulkRequest,
  Contact,
  ContactFilter,
  ContactPatch,
  ContactSortField,
  DedupeMode,
  ImportReport,
  NewContact,
  SortOrder,
  TagSummary,
} from '../../api/types';

const V1 = '/api/v1';

/** The query string of a filter, as the list, count and export routes read it. */
export function filterQuery(filter: ContactFilter): Query {
  return {
    q: filter.q?.trim() || undefined,
    tag: filter.tags && filter.tags.length > 0 ? filter.tags : undefined,
    tagMode: filter.tags && filter.tags.length > 1 ? filter.tagMode : undefined,
    optedOut: filter.optedOut,
    source: filter.source,
  };
}

export interface ListOptions {
  sort: ContactSortField;
  order: SortOrder;
  cursor?: string | null;
  limit?: number;
}

export const listContacts = (filter: ContactFilter, { sort, order, cursor, limit = 200 }: ListOptions): Promise<Page<Contact>> =>
  api.list<Contact>(`${V1}/contacts`, { ...filterQuery(filter), sort, order, cursor: cursor ?? undefined, limit });

export const countContacts = async (filter: ContactFilter) =>
  (await api.get<{ total: number }>(`${V1}/contacts/count`, filterQuery(filter))).total;

export const getContact = (id: number) => api.get<Contact>(`${V1}/contacts/${id}`);
export const createContact = (input: NewContact) => api.post<Contact>(`${V1}/contacts`, input);
export const updateContact = (id: number, patch: ContactPatch) => api.put<Contact>(`${V1}/contacts/${id}`, patch);
export const deleteContact = (id: number) => api.delete<boolean>(`${V1}/contacts/${id}`);
export const tagContact = (id: number, tagId: number) => api.post<Contact>(`${V1}/contacts/${id}/tags`, { tagId });
export const untagContact = (id: number, tagId: number) => api.delete<Contact>(`${V1}/contacts/${id}/tags/${tagId}`);
export const bulkContacts = (request: BulkRequest) => api.post<BulkOutcome>(`${V1}/contacts/bulk`, request);

export const listTags = () => api.get<TagSummary[]>(`${V1}/tags`);
export const createTag = (name: string, color?: string) => api.post<TagSummary>(`${V1}/tags`, { name, color });
export const updateTag = (id: number, patch: { name?: string; color?: string }) => api.put<TagSummary>(`${V1}/tags/${id}`, patch);
export const deleteTag = (id: number) => api.delete<boolean>(`${V1}/tags/${id}`);

/** An exported file's text (CSV or JSON) of all contacts or those matching the filter. */
export async function exportContacts(filter: ContactFilter, format: 'csv' | 'json'): Promise<string> {
  if (transportKind === 'tauri' && format === 'json') {
    // The desktop shell hands JSON answers over parsed; turn the export back into its text.
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries({ ...filterQuery(filter), format })) {
      if (Array.isArray(value)) value.forEach((v) => query.append(key, String(v)));
      else if (value !== undefined && value !== null) query.append(key, String(value));
    }
    const { invoke } = await import('@tauri-apps/api/core');
    const answer = await invoke<{ status: number; body: unknown }>('api', {
      request: { method: 'GET', path: `${V1}/contacts/export`, query: query.toString() },
    });
    if (answer.status >= 400) throw envelopeError(answer.status, answer.body);
    return typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  }
  return api.text(`${V1}/contacts/export`, { ...filterQuery(filter), format });
}

export interface ImportRequest {
  file: Blob;
  dryRun: boolean;
  dedupe: DedupeMode;
  /** csv, vcf or json; the server sniffs the content when left out. */
  format?: string;
  /** Field → column header, replacing the detected mapping. */
  mapping?: Record<string, string> | null;
}

/** `upload` is the share of the file sent (0…1); the server's own progress arrives as events. */
export type UploadProgress = (sent: number) => void;

function importQuery(request: ImportRequest): string {
  const params = new URLSearchParams({ dryRun: String(request.dryRun), dedupe: request.dedupe });
  if (request.format) params.set('format', request.format);
  if (request.mapping && Object.keys(request.mapping).length > 0) params.set('mapping', JSON.stringify(request.mapping));
  return params.toString();
}

function envelopeError(status: number, body: unknown): ApiError {
  const error = (body as { error?: { code?: string; message?: string; details?: [] } } | null)?.error;
  if (error) return new ApiError(status, error.code ?? 'internal', error.message ?? `HTTP ${status}`, error.details ?? []);
  if (status === 413) return new ApiError(413, 'payload_too_large', 'The file is larger than 100 MB; split it into smaller files.');
  return new ApiError(status, 'bad_response', `Unexpected answer from the server (HTTP ${status}).`);
}

async function blobToBase64(blob: Blob): Promise<string> {
  const bytes = new Uint8Array(await blob.arrayBuffer());
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  return btoa(binary);
}

/** Sends a contacts file for a dry run or the real import. */
export async function importContacts(request: ImportRequest, onUpload: UploadProgress = () => {}): Promise<ImportReport> {
  const path = `${V1}/contacts/import?${importQuery(request)}`;
  if (transportKind === 'tauri') {
    const { invoke } = await import('@tauri-apps/api/core');
    const bodyBase64 = await blobToBase64(request.file);
    onUpload(1);
    const [route, query] = path.split('?');
    const answer = await invoke<{ status: number; body: unknown }>('api', {
      request: { method: 'POST', path: route, query, bodyBase64 },
    });
    const body = answer.body as { success?: boolean; data?: ImportReport };
    if (answer.status < 400 && body?.success) return body.data!;
    throw envelopeError(answer.status, answer.body);
  }
  return new Promise<ImportReport>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    const token = sessionToken();
    if (token) xhr.setRequestHeader('Authorization', `Bearer ${token}`);
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.upload.onprogress = (event) => {
      if (event.lengthComputable && event.total > 0) onUpload(event.loaded / event.total);
    };
    xhr.onload = () => {
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = null;
      }
      const envelope = body as { success?: boolean; data?: ImportReport } | null;
      if (xhr.status < 400 && envelope?.success) resolve(envelope.data!);
      else reject(envelopeError(xhr.status, body));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'Cannot reach WhatsFlow. Is whatsflow-server still running?'));
    xhr.send(request.file);
  });
}

/** Offers text as a file download. */
export function download(text: string, filename: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const link = document.createElement('a');
  link.href = url;
  link.download = filename;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
