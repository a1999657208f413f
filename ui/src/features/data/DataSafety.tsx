// Settings → Data & backups: "Back up now", the backups with "Restore…" (a listed one or a file), "Export
// everything" as one zip, and "Erase everything" behind a typed confirmation. Also the log folder row of
// Settings → About. Every call goes through ./api.ts.

import { formatDistanceToNow } from 'date-fns';
import { Archive, Copy, DatabaseBackup, Trash2, Upload } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { BackupInfo, BackupList, RestoreOutcome } from '../../api/types';
import { Alert, Button, Card, CardHeader, Field, Input, Spinner } from '../../components/ui';
import { saveBlob } from '../../lib/download';
import { ConfirmDialog } from '../../screens/connect/ConfirmDialog';
import { useAppStore } from '../../store/app';
import { toast } from '../../store/toast';
import { Modal } from '../contacts/Modal';
import { backUpNow, eraseEverything, exportEverything, getLogFolder, listBackups, restartApp, restoreBackupFile, restoreListedBackup } from './api';
import { backupKindLabel, confirmsErase, ERASE_WORD, exportFileName, formatSize } from './logic';

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** How long the "restarts now" message stays on screen before the desktop app restarts. */
const RESTART_NOTICE_MS = 2500;

export function BackupsCard() {
  const [list, setList] = useState<BackupList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [restoring, setRestoring] = useState<BackupInfo | null>(null);
  const [restoreBusy, setRestoreBusy] = useState(false);
  const [staged, setStaged] = useState<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);

  // The desktop app restarts itself to apply the restore at once, after its message had time to be read;
  // whatsflow-server's message asks for a restart instead.
  const onStaged = (outcome: RestoreOutcome) => {
    setStaged(outcome.message);
    if (outcome.restartAvailable) {
      setTimeout(() => {
        restartApp().catch((e: unknown) => setError(messageOf(e)));
      }, RESTART_NOTICE_MS);
    }
  };

  const load = () =>
    listBackups().then(
      (l) => {
        setList(l);
        setError(null);
      },
      (e: unknown) => setError(messageOf(e)),
    );
  useEffect(() => {
    void load();
  }, []);

  const backUp = async () => {
    setBusy(true);
    try {
      const made = await backUpNow();
      toast(`Backed up (${formatSize(made.sizeBytes)})`);
      await load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const restoreListed = async () => {
    if (!restoring) return;
    setRestoreBusy(true);
    try {
      onStaged(await restoreListedBackup(restoring.name));
      setRestoring(null);
    } catch (e) {
      setRestoring(null);
      setError(messageOf(e));
    } finally {
      setRestoreBusy(false);
    }
  };

  const restoreFile = async (file: File | undefined) => {
    if (!file) return;
    setRestoreBusy(true);
    try {
      onStaged(await restoreBackupFile(file));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setRestoreBusy(false);
      if (fileInput.current) fileInput.current.value = '';
    }
  };

  return (
    <Card>
      <CardHeader
        title="Backups"
        description="WhatsFlow backs up its database every day and before every update, keeping 7 daily and 4 weekly copies. Photos and files stay in the media folder; “Export everything” copies them."
        aside={
          <Button onClick={() => void backUp()} busy={busy} icon={<DatabaseBackup className="size-4" aria-hidden />}>
            Back up now
          </Button>
        }
      />
      <div className="space-y-4 px-6 py-5">
        {staged && (
          <Alert tone="success" title="Restore ready">
            {staged}
          </Alert>
        )}
        {error && <Alert title="Backups">{error}</Alert>}
        {list === null && !error ? (
          <Spinner label="Loading backups…" />
        ) : list && list.backups.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">No backups yet. The first one is taken today.</p>
        ) : (
          list && (
            <ul className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800" aria-label="Backups">
              {list.backups.map((b) => (
                <li key={b.name} className="flex items-center justify-between gap-4 py-2.5">
                  <div className="min-w-0">
                    <p className="font-medium text-zinc-900 dark:text-zinc-100" title={new Date(b.createdAt).toLocaleString()}>
                      {new Date(b.createdAt).toLocaleString()}
                      <span className="ml-2 font-normal text-zinc-500 dark:text-zinc-400">
                        {formatDistanceToNow(new Date(b.createdAt), { addSuffix: true })}
                      </span>
                    </p>
                    <p className="text-xs text-zinc-500 dark:text-zinc-400">
                      {backupKindLabel(b.kind)} · {formatSize(b.sizeBytes)}
                    </p>
                  </div>
                  <Button variant="secondary" size="sm" onClick={() => setRestoring(b)} disabled={restoreBusy}>
                    Restore…
                  </Button>
                </li>
              ))}
            </ul>
          )
        )}
        <div className="flex flex-wrap items-center gap-3 border-t border-zinc-100 pt-4 dark:border-zinc-800">
          <Button
            variant="secondary"
            size="sm"
            busy={restoreBusy && restoring === null}
            icon={<Upload className="size-4" aria-hidden />}
            onClick={() => fileInput.current?.click()}
          >
            Restore from a file…
          </Button>
          <input
            ref={fileInput}
            type="file"
            accept=".db,application/vnd.sqlite3,application/octet-stream"
            className="hidden"
            aria-label="Backup file to restore"
            onChange={(event) => void restoreFile(event.target.files?.[0])}
          />
          {list && <p className="min-w-0 truncate text-xs text-zinc-500 dark:text-zinc-400">Folder: {list.folder}</p>}
        </div>
      </div>
      <ConfirmDialog
        open={restoring !== null}
        title="Restore this backup?"
        confirmLabel="Restore"
        busy={restoreBusy}
        onConfirm={() => void restoreListed()}
        onCancel={() => setRestoring(null)}
      >
        <p>
          WhatsFlow goes back to the data of {restoring ? new Date(restoring.createdAt).toLocaleString() : ''} when it restarts (the desktop app
          restarts by itself). What changed since
          is kept as a backup, so you can come back to it.
        </p>
      </ConfirmDialog>
    </Card>
  );
}

export function ExportCard() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      saveBlob(await exportEverything(), exportFileName(new Date()));
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card>
      <CardHeader
        title="Export everything"
        description="One zip with your profile, contacts, tags, messages and campaigns as JSON, every photo and file, and a README saying what each file is."
        aside={
          <Button variant="secondary" onClick={() => void run()} busy={busy} icon={<Archive className="size-4" aria-hidden />}>
            Export everything
          </Button>
        }
      />
      {error && (
        <div className="px-6 pb-5">
          <Alert title="Could not export">{error}</Alert>
        </div>
      )}
    </Card>
  );
}

export function EraseCard() {
  const businessName = useAppStore((s) => s.profile?.businessName ?? null);
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const confirmed = confirmsErase(typed, businessName);

  const erase = async () => {
    setBusy(true);
    setError(null);
    try {
      setDone((await eraseEverything(typed)).message);
      setOpen(false);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (done) {
    return (
      <Card>
        <CardHeader title="Everything was erased" />
        <div className="px-6 py-5">
          <Alert tone="success">{done}</Alert>
        </div>
      </Card>
    );
  }
  return (
    <Card>
      <CardHeader
        title="Erase everything"
        description="Logs WhatsApp out and deletes the saved session and its key, the database, every photo and file, and every backup from this computer. It cannot be undone: export first if you may need anything."
        aside={
          <Button variant="danger" icon={<Trash2 className="size-4" aria-hidden />} onClick={() => setOpen(true)}>
            Erase everything…
          </Button>
        }
      />
      <Modal
        open={open}
        busy={busy}
        title="Erase everything?"
        description="Nothing of your business stays on this computer."
        onClose={() => {
          setOpen(false);
          setTyped('');
          setError(null);
        }}
        footer={
          <>
            <Button variant="secondary" onClick={() => setOpen(false)} disabled={busy}>
              Cancel
            </Button>
            <button
              type="button"
              disabled={!confirmed || busy}
              onClick={() => void erase()}
              className="inline-flex h-9 items-center justify-center gap-2 rounded-lg bg-red-600 px-3.5 text-sm font-medium text-white shadow-sm transition-colors hover:bg-red-700 disabled:cursor-not-allowed disabled:opacity-60"
            >
              Erase everything
            </button>
          </>
        }
      >
        <div className="space-y-4">
          {error && <Alert>{error}</Alert>}
          <Field
            label={businessName ? `Type ${ERASE_WORD} or “${businessName}” to confirm` : `Type ${ERASE_WORD} to confirm`}
            hint="WhatsFlow then stops; the next start is a new setup."
          >
            {(props) => <Input {...props} value={typed} autoComplete="off" onChange={(e) => setTyped(e.target.value)} />}
          </Field>
        </div>
      </Modal>
    </Card>
  );
}

/** Settings → About: where the log files are, with a copy button. */
export function LogFolderRow() {
  const [path, setPath] = useState<string | null>(null);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    getLogFolder().then(
      (f) => setPath(f.path),
      () => setFailed(true),
    );
  }, []);
  const copy = async () => {
    if (!path) return;
    try {
      await navigator.clipboard.writeText(path);
      toast('Log folder copied');
    } catch {
      toast('Could not copy; select the path instead');
    }
  };
  if (failed) return <span>—</span>;
  if (!path) return <Spinner label="Loading…" />;
  return (
    <span className="inline-flex min-w-0 items-center gap-2">
      <code data-testid="about-log-folder" className="min-w-0 select-all truncate text-xs font-normal">
        {path}
      </code>
      <Button variant="ghost" size="sm" aria-label="Copy the log folder's path" icon={<Copy className="size-3.5" aria-hidden />} onClick={() => void copy()} />
    </span>
  );
}
