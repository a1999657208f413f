// Small pieces the campaign list, wizard and live page share: status badges, the progress bar, the wizard's
// choice cards, table headers, a ticking clock for countdowns, and the business's time zone.

import type { LucideIcon } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { Campaign, CampaignStatus, RecipientStatus } from '../../api/types';
import { cn } from '../../lib/cn';
import { useAppStore } from '../../store/app';
import { CAMPAIGN_STATUS_LABEL, progressOf, RECIPIENT_STATUS_LABEL } from './logic';

const CAMPAIGN_TONE: Record<CampaignStatus, string> = {
  draft: 'bg-zinc-100 text-zinc-700 ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-700',
  scheduled: 'bg-sky-50 text-sky-800 ring-sky-200 dark:bg-sky-950/50 dark:text-sky-300 dark:ring-sky-900',
  sending: 'bg-brand-50 text-brand-800 ring-brand-200 dark:bg-brand-900/30 dark:text-brand-200 dark:ring-brand-800/60',
  paused: 'bg-amber-50 text-amber-800 ring-amber-200 dark:bg-amber-950/40 dark:text-amber-300 dark:ring-amber-900',
  completed: 'bg-brand-600 text-white ring-brand-600 dark:bg-brand-700 dark:ring-brand-700',
  cancelled: 'bg-zinc-100 text-zinc-500 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-400 dark:ring-zinc-800',
  failed: 'bg-red-50 text-red-700 ring-red-200 dark:bg-red-950/40 dark:text-red-300 dark:ring-red-900',
};

export function CampaignStatusBadge({ status }: { status: CampaignStatus }) {
  return (
    <span
      data-testid="campaign-status"
      data-status={status}
      className={cn('inline-flex items-center gap-1.5 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset', CAMPAIGN_TONE[status])}
    >
      {status === 'sending' && <span className="size-1.5 animate-pulse rounded-full bg-brand-500" aria-hidden />}
      {CAMPAIGN_STATUS_LABEL[status]}
    </span>
  );
}

const RECIPIENT_TONE: Record<RecipientStatus, string> = {
  pending: 'text-zinc-500 dark:text-zinc-400',
  skipped: 'text-zinc-500 dark:text-zinc-400',
  sent: 'text-zinc-700 dark:text-zinc-200',
  delivered: 'text-zinc-700 dark:text-zinc-200',
  read: 'text-sky-600 dark:text-sky-400',
  replied: 'text-brand-700 dark:text-brand-300',
  failed: 'text-red-600 dark:text-red-400',
};

const RECIPIENT_DOT: Record<RecipientStatus, string> = {
  pending: 'bg-zinc-300 dark:bg-zinc-600',
  skipped: 'bg-zinc-300 dark:bg-zinc-600',
  sent: 'bg-zinc-500',
  delivered: 'bg-zinc-700 dark:bg-zinc-300',
  read: 'bg-sky-500',
  replied: 'bg-brand-500',
  failed: 'bg-red-500',
};

export function RecipientStatusBadge({ status }: { status: RecipientStatus }) {
  return (
    <span data-testid="recipient-status" data-status={status} className={cn('inline-flex items-center gap-1.5 text-[13px] font-medium', RECIPIENT_TONE[status])}>
      <span className={cn('size-2 rounded-full', RECIPIENT_DOT[status])} aria-hidden />
      {RECIPIENT_STATUS_LABEL[status]}
    </span>
  );
}

/** Sent (green), failed (red) and skipped (grey) as segments of one bar over all recipients. */
export function ProgressBar({ campaign, large = false }: { campaign: Pick<Campaign, 'totalRecipients' | 'sentCount' | 'failedCount' | 'skippedCount'>; large?: boolean }) {
  const p = progressOf(campaign);
  return (
    <div
      role="progressbar"
      aria-label="Progress"
      aria-valuemin={0}
      aria-valuemax={p.total}
      aria-valuenow={p.done}
      aria-valuetext={`${p.done} of ${p.total} recipients done`}
      className={cn('flex w-full overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800', large ? 'h-3' : 'h-1.5')}
    >
      <div className="bg-brand-500 transition-[width] duration-500" style={{ width: `${p.sentPercent}%` }} />
      <div className="bg-red-500 transition-[width] duration-500" style={{ width: `${p.failedPercent}%` }} />
      <div className="bg-zinc-300 transition-[width] duration-500 dark:bg-zinc-600" style={{ width: `${p.skippedPercent}%` }} />
    </div>
  );
}

/** The current time, moving every `everyMs` while `active` (for "next send in 12 s"). */
export function useNow(active: boolean, everyMs = 1000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(() => setNow(new Date()), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs]);
  return now;
}

/** The business's IANA time zone (the profile's), in which schedules and times are shown. */
export function useBusinessZone(): string | undefined {
  return useAppStore((s) => s.profile?.timezone);
}

/** One option of a choice the wizard offers as cards (who receives it, the pace, when): a radio button. */
export function ChoiceCard({
  name,
  checked,
  onChoose,
  title,
  text,
  icon: Icon,
}: {
  name: string;
  checked: boolean;
  onChoose: () => void;
  title: string;
  text: string;
  icon?: LucideIcon;
}) {
  return (
    <label
      className={cn(
        'flex cursor-pointer gap-3 rounded-xl p-4 ring-1 transition-colors has-focus-visible:outline-2 has-focus-visible:outline-offset-2 has-focus-visible:outline-brand-600',
        checked ? 'bg-brand-50/60 ring-2 ring-brand-600 dark:bg-brand-900/20 dark:ring-brand-500' : 'ring-zinc-200 hover:bg-zinc-50 dark:ring-zinc-800 dark:hover:bg-zinc-900',
      )}
    >
      <input type="radio" name={name} className="sr-only" checked={checked} onChange={onChoose} />
      {Icon && <Icon className={cn('mt-0.5 size-5 shrink-0', checked ? 'text-brand-700 dark:text-brand-300' : 'text-zinc-400')} aria-hidden />}
      <span>
        <span className="block text-sm font-semibold">{title}</span>
        <span className="mt-0.5 block text-[13px] leading-relaxed text-zinc-500 dark:text-zinc-400">{text}</span>
      </span>
    </label>
  );
}

/** The header row of a grid table: `columns` is its grid template class, `labels` its column names (an empty one is the actions column). */
export function HeaderRow({ columns, labels, className }: { columns: string; labels: string[]; className: string }) {
  return (
    <div role="row" className={cn('grid text-xs font-medium text-zinc-500 dark:text-zinc-400', columns, className)}>
      {labels.map((label) => (
        <div key={label} role="columnheader" className={label ? undefined : 'sr-only'}>
          {label || 'Actions'}
        </div>
      ))}
    </div>
  );
}
