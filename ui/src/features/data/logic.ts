// Rules of the data-safety settings that need no screen: what a typed confirmation must be, and how a
// backup is named for people.

import type { BackupKind } from '../../api/types';

export const ERASE_WORD = 'ERASE';

/** Whether the typed text confirms an erase: the word ERASE, or the business name as saved (the server checks the same). */
export function confirmsErase(typed: string, businessName: string | null | undefined): boolean {
  const text = typed.trim();
  if (text === ERASE_WORD) return true;
  const name = businessName?.trim();
  return Boolean(name) && text === name;
}

const KIND_LABELS: Record<BackupKind, string> = {
  daily: 'Daily',
  weekly: 'Weekly',
  manual: 'Backed up by you',
  'before-migration': 'Before an update',
  'before-restore': 'Before a restore',
};

export function backupKindLabel(kind: BackupKind): string {
  return KIND_LABELS[kind] ?? kind;
}

/** A size for people: 12.3 MB, 840 KB. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${(bytes / (1024 * 1024 * 1024)).toFixed(1)} GB`;
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
  return `${Math.max(1, Math.round(bytes / 1024))} KB`;
}

/** The zip's file name, dated by the local day. */
export function exportFileName(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `whatsflow-export-${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}.zip`;
}
