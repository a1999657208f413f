// The data-safety calls to REST v1 (backups, restore, export everything, erase, the log folder), typed, so
// components never spell paths. Files travel through the client's upload and blob answers.

import { api, type UploadProgress } from '../../api/client';
import type { BackupInfo, BackupList, Erased, LogFolder, RestoreOutcome } from '../../api/types';

const V1 = '/api/v1';

export const listBackups = () => api.get<BackupList>(`${V1}/backups`);
export const backUpNow = () => api.post<BackupInfo>(`${V1}/backups`);
/** Stages a listed backup; WhatsFlow applies it at its next start (the desktop app restarts at once). */
export const restoreListedBackup = (name: string) => api.post<RestoreOutcome>(`${V1}/backups/${encodeURIComponent(name)}/restore`);
/** Stages a backup file the user picked. */
export const restoreBackupFile = (file: Blob, onProgress?: UploadProgress) =>
  api.upload<RestoreOutcome>(`${V1}/backups/restore`, file, undefined, onProgress);
/** Everything as one zip. */
export const exportEverything = () => api.blob(`${V1}/export`);
export const eraseEverything = (confirmation: string) => api.post<Erased>(`${V1}/erase`, { confirmation });
/** Restarts the desktop app, which applies a staged restore as it starts. */
export const restartApp = () => api.post<{ restarting: boolean }>(`${V1}/app/restart`);
export const getLogFolder = () => api.get<LogFolder>(`${V1}/app/logs`);
