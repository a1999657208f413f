// The contacts screen's calls to REST v1, typed, so components never spell paths. Imports send the file
// itself as the body through the client's upload (with progress); exports come back as files.

import { api, type Page, type Query, type UploadProgress } from '../../api/client';
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

/** An exported file (CSV or JSON) of all contacts or those matching the filter, as the server wrote it. */
export const exportContacts = (filter: ContactFilter, format: 'csv' | 'json'): Promise<Blob> =>
  api.blob(`${V1}/contacts/export`, { ...filterQuery(filter), format });

export interface ImportRequest {
  file: Blob;
  dryRun: boolean;
  dedupe: DedupeMode;
  /** csv, vcf or json; the server sniffs the content when left out. */
  format?: string;
  /** Field → column header, replacing the detected mapping. */
  mapping?: Record<string, string> | null;
}

/** Sends a contacts file for a dry run or the real import; `onUpload` hears the share of the file sent. */
export const importContacts = (request: ImportRequest, onUpload?: UploadProgress): Promise<ImportReport> =>
  api.upload<ImportReport>(
    `${V1}/contacts/import`,
    request.file,
    {
      dryRun: request.dryRun,
      dedupe: request.dedupe,
      format: request.format || undefined,
      mapping: request.mapping && Object.keys(request.mapping).length > 0 ? JSON.stringify(request.mapping) : undefined,
    },
    onUpload,
  );
