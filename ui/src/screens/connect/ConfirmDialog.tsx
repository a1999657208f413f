// A modal question before something that cannot be undone (logging WhatsApp out). Built on <dialog>, so
// focus stays inside, Escape cancels and the page behind is inert.

import { AlertTriangle, Loader2 } from 'lucide-react';
import { useId, type ReactNode } from 'react';
import { Button, CircledIcon } from '../../components/ui';
import { useModalDialog } from '../../lib/useModalDialog';

export function ConfirmDialog({
  open,
  title,
  children,
  confirmLabel,
  busy = false,
  onConfirm,
  onCancel,
}: {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  const ref = useModalDialog(open);
  const titleId = useId();
  const bodyId = useId();

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-describedby={bodyId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onCancel();
      }}
      onClick={(event) => {
        // A click on the backdrop (the dialog element itself, outside its panel) cancels.
        if (event.target === ref.current && !busy) onCancel();
      }}
      className="m-auto w-full max-w-md rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl ring-1 ring-zinc-200 backdrop:bg-zinc-950/40 backdrop:backdrop-blur-[2px] dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700"
    >
      {open && (
        <div className="p-6">
          <div className="flex gap-4">
            <CircledIcon icon={AlertTriangle} className="flex size-10 shrink-0 items-center justify-center rounded-full bg-red-100 dark:bg-red-950/60" iconClassName="size-5 text-red-600 dark:text-red-400" />
            <div className="min-w-0">
              <h2 id={titleId} className="text-base font-semibold">
                {title}
              </h2>
              <div id={bodyId} className="mt-1.5 space-y-2 text-sm leading-relaxed text-zinc-600 dark:text-zinc-400">
                {children}
              </div>
            </div>
          </div>
          <div className="mt-6 flex justify-end gap-2">
            <Button variant="secondary" onClick={onCancel} disabled={busy} autoFocus>
              Cancel
            </Button>
            {/* Solid red: the shared danger variant is an outline, too quiet for the final click. */}
            <button
              type="button"
              onClick={onConfirm}
              disabled={busy}
              aria-busy={busy || undefined}
              className="inline-flex h-9 items-center justify-center gap-2 rounded-lg bg-red-600 px-3.5 text-sm font-medium text-white shadow-sm transition-colors hover:bg-red-700 active:bg-red-800 disabled:cursor-not-allowed disabled:opacity-60 dark:hover:bg-red-500"
            >
              {busy && <Loader2 className="size-4 animate-spin" aria-hidden />}
              {confirmLabel}
            </button>
          </div>
        </div>
      )}
    </dialog>
  );
}
