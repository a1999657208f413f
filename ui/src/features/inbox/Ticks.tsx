// Message ticks as WhatsApp shows them: a clock while waiting, one grey tick sent, two grey delivered,
// two blue read, and a red mark for a failed send whose reason shows on hover.

import { AlertCircle, Check, CheckCheck, Clock3 } from 'lucide-react';
import { cn } from '../../lib/cn';
import { tickLabel, type Tick } from './format';

export function TickIcon({ tick, error, className }: { tick: Tick; error?: string | null; className?: string }) {
  const label = tickLabel(tick, error);
  const common = { 'aria-label': label, role: 'img', 'data-tick': tick } as const;
  switch (tick) {
    case 'clock':
      return (
        <span title={label} {...common} className="inline-flex">
          <Clock3 className={cn('text-zinc-400', className)} aria-hidden />
        </span>
      );
    case 'sent':
      return (
        <span title={label} {...common} className="inline-flex">
          <Check className={cn('text-zinc-400', className)} aria-hidden />
        </span>
      );
    case 'delivered':
      return (
        <span title={label} {...common} className="inline-flex">
          <CheckCheck className={cn('text-zinc-400', className)} aria-hidden />
        </span>
      );
    case 'read':
      return (
        <span title={label} {...common} className="inline-flex">
          <CheckCheck className={cn('text-sky-500', className)} aria-hidden />
        </span>
      );
    case 'failed':
      return (
        <span title={label} {...common} className="inline-flex">
          <AlertCircle className={cn('text-red-500', className)} aria-hidden />
        </span>
      );
  }
}
