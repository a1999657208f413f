// Pure helpers of the contacts screen: the window of rows to draw, dates, the rejected-rows file
// and colour contrast. Kept apart from components so they are tested without a DOM.

import type { ImportRowError } from '../../api/types';

/** Height of one table row in pixels; the virtual window depends on every row having it. */
export const ROW_HEIGHT = 48;

/**
 * The rows to draw for a scroll position: those in view plus `overscan` on each side, so a fast scroll
 * shows rows instead of blank space while React catches up.
 */
export function windowRange(scrollTop: number, viewport: number, count: number, rowHeight = ROW_HEIGHT, overscan = 8) {
  if (count <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visible = Math.ceil(Math.max(0, viewport) / rowHeight) + 1;
  const start = Math.max(0, first - overscan);
  const end = Math.min(count, first + visible + overscan);
  return { start, end: Math.max(start, end) };
}

/** Quotes a CSV cell when it needs it (delimiter, quote, line break), doubling inner quotes. */
export function csvCell(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The rejected rows of an import report as a CSV file a spreadsheet opens. */
export function rejectedRowsCsv(errors: ImportRowError[]): string {
  const lines = ['line,code,reason', ...errors.map((e) => [e.line, e.code, e.reason].map(csvCell).join(','))];
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/** Black or white text, whichever reads better on a `#rrggbb` background. */
export function textOn(color: string): string {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color);
  if (!match) return '#ffffff';
  const [r, g, b] = match.slice(1).map((h) => Number.parseInt(h, 16) / 255) as [number, number, number];
  const lin = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
  const luminance = 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  return luminance > 0.4 ? '#111827' : '#ffffff';
}

/** A short date for the table ("12 Mar 2025"), or an em dash. */
export function shortDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
}

/** A date and time for the detail panel, or an em dash. */
export function longDate(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  return date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/** "1 contact", "2,345 contacts". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n.toLocaleString('en-US')} ${n === 1 ? one : many}`;
}

/** Human names of the reasons an import rejects a row. */
export const REASONS: Record<string, string> = {
  no_phone: 'No phone number',
  unparseable_phone: 'Not a phone number',
  invalid_phone: 'Invalid phone number',
  duplicate_in_file: 'Duplicate in file',
  bad_encoding: 'Bad encoding',
  field_too_long: 'Field too long',
  broken_quoting: 'Broken quoting',
  too_many_columns: 'Too many columns',
  invalid_email: 'Invalid e-mail',
  invalid_tag: 'Invalid tag',
  invalid_field: 'Invalid field',
  invalid_record: 'Not a contact',
  broken_card: 'Broken vCard',
};

/** The fields a CSV column can be mapped to in the import wizard. */
export const IMPORT_FIELDS: Array<{ value: string; label: string }> = [
  { value: '', label: 'Ignore' },
  { value: 'phone', label: 'Phone' },
  { value: 'name', label: 'Name' },
  { value: 'firstName', label: 'First name' },
  { value: 'middleName', label: 'Middle name' },
  { value: 'lastName', label: 'Last name' },
  { value: 'email', label: 'E-mail' },
  { value: 'tags', label: 'Tags' },
  { value: 'notes', label: 'Notes' },
  { value: 'optedOut', label: 'Opted out' },
];

/**
 * An explicit mapping (field → column) from the wizard's per-column choices. A custom field keeps its
 * `field:<name>` target. Several columns may be phones; only the first is kept (the server maps one
 * column per field when given a mapping).
 */
export function mappingFromColumns(columns: Array<{ column: string; field: string | null }>): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const { column, field } of columns) {
    if (!field || field === 'phoneType') continue;
    if (!(field in mapping)) mapping[field] = column;
  }
  return mapping;
}
