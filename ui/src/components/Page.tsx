// The frame of a main screen (title bar + body) and the empty state shown while a screen has nothing yet.

import type { LucideIcon } from 'lucide-react';
import { useEffect, type ReactNode } from 'react';

export function Page({ title, actions, children }: { title: string; actions?: ReactNode; children: ReactNode }) {
  // The window title names the screen, for the task switcher and screen readers.
  useEffect(() => {
    document.title = `${title} · WhatsFlow`;
  }, [title]);
  return (
    <div className="flex min-w-0 flex-1 flex-col">
      <header className="flex h-14 shrink-0 items-center justify-between gap-4 border-b border-zinc-200 px-6 dark:border-zinc-800/80">
        <h1 className="text-[15px] font-semibold tracking-tight">{title}</h1>
        {actions}
      </header>
      <div className="min-h-0 flex-1 overflow-y-auto">{children}</div>
    </div>
  );
}

export function EmptyState({
  icon: Icon,
  title,
  children,
  action,
}: {
  icon: LucideIcon;
  title: string;
  children: ReactNode;
  action?: ReactNode;
}) {
  return (
    <div className="flex h-full min-h-80 items-center justify-center p-8">
      <div className="max-w-sm text-center">
        <div className="mx-auto mb-5 flex size-14 items-center justify-center rounded-2xl bg-zinc-100 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
          <Icon className="size-6 text-zinc-500 dark:text-zinc-400" aria-hidden />
        </div>
        <h2 className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-100">{title}</h2>
        <div className="mt-1.5 text-sm leading-relaxed text-zinc-500 dark:text-zinc-400">{children}</div>
        {action && <div className="mt-5 flex justify-center">{action}</div>}
      </div>
    </div>
  );
}
