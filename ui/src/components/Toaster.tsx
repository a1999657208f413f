// Renders the short confirmations from store/toast in the bottom-right corner.

import { CheckCircle2, Info, X } from 'lucide-react';
import { useToasts } from '../store/toast';

export function Toaster() {
  const toasts = useToasts((s) => s.toasts);
  const dismiss = useToasts((s) => s.dismiss);
  return (
    <div aria-live="polite" className="pointer-events-none fixed right-5 bottom-5 z-50 flex flex-col items-end gap-2">
      {toasts.map((t) => (
        <div
          key={t.id}
          role="status"
          className="pointer-events-auto flex items-center gap-2.5 rounded-lg bg-zinc-900 py-2.5 pr-2.5 pl-3.5 text-sm text-white shadow-lg ring-1 ring-black/5 dark:bg-zinc-800 dark:ring-white/10"
        >
          {t.tone === 'success' ? <CheckCircle2 className="size-4 text-brand-400" aria-hidden /> : <Info className="size-4 text-zinc-400" aria-hidden />}
          <span>{t.message}</span>
          <button type="button" onClick={() => dismiss(t.id)} className="rounded p-0.5 text-zinc-400 hover:text-white" aria-label="Dismiss">
            <X className="size-3.5" />
          </button>
        </div>
      ))}
    </div>
  );
}
