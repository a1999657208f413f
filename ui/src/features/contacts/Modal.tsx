// A modal panel for the contacts screen's forms and wizards, built on <dialog>: focus stays inside,
// Escape closes (unless busy), the page behind is inert.

import { X } from 'lucide-react';
import { useId, type ReactNode } from 'react';
import { Button } from '../../components/ui';
import { cn } from '../../lib/cn';
import { useModalDialog } from '../../lib/useModalDialog';

export function Modal({
  open,
  title,
  description,
  onClose,
  busy = false,
  wide = false,
  children,
  footer,
}: {
  open: boolean;
  title: string;
  description?: ReactNode;
  onClose: () => void;
  busy?: boolean;
  wide?: boolean;
  children: ReactNode;
  footer?: ReactNode;
}) {
  const ref = useModalDialog(open);
  const titleId = useId();

  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        if (!busy) onClose();
      }}
      className={cn(
        'm-auto max-h-[90vh] w-full rounded-2xl bg-white p-0 text-zinc-900 shadow-2xl ring-1 ring-zinc-200 backdrop:bg-zinc-950/40 backdrop:backdrop-blur-[2px] dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700',
        wide ? 'max-w-4xl' : 'max-w-lg',
      )}
    >
      {open && (
        <div className="flex max-h-[90vh] flex-col">
          <div className="flex items-start justify-between gap-4 border-b border-zinc-200 px-6 py-4 dark:border-zinc-800">
            <div>
              <h2 id={titleId} className="text-base font-semibold">
                {title}
              </h2>
              {description && <p className="mt-0.5 text-sm text-zinc-500 dark:text-zinc-400">{description}</p>}
            </div>
            <button
              type="button"
              onClick={onClose}
              disabled={busy}
              aria-label="Close"
              className="rounded-md p-1 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-900 disabled:opacity-50 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
            >
              <X className="size-4" aria-hidden />
            </button>
          </div>
          <div className="min-h-0 flex-1 overflow-y-auto px-6 py-5">{children}</div>
          {footer && <div className="flex justify-end gap-2 border-t border-zinc-200 px-6 py-3 dark:border-zinc-800">{footer}</div>}
        </div>
      )}
    </dialog>
  );
}

/** A form dialog's footer: Cancel, then the button that submits the form with id `form`. */
export function FormFooter({ form, submitLabel, busy, onCancel }: { form: string; submitLabel: string; busy: boolean; onCancel: () => void }) {
  return (
    <>
      <Button variant="secondary" onClick={onCancel} disabled={busy}>
        Cancel
      </Button>
      <Button type="submit" form={form} busy={busy}>
        {submitLabel}
      </Button>
    </>
  );
}
