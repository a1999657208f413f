// Message ticks as WhatsApp shows them: a clock while waiting, one grey tick sent, two grey delivered,
// two blue read, and a red mark for a failed send whose reason shows on hover.

import { AlertCircle, Check, CheckCheck, Clock3 } from 'lucide-react';
import { cn } from '../../lib/cn';
import { tickLabel, type Tick } from './format';

const ICONS: Record<Tick, { Icon: typeof Check; color: string }> = {
  clock: { Icon: Clock3, color: 'text-zinc-400' },
  sent: { Icon: Check, color: 'text-zinc-400' },
  delivered: { Icon: CheckCheck, color: 'text-zinc-400' },
  read: { Icon: CheckCheck, color: 'text-sky-500' },
  failed: { Icon: AlertCircle, color: 'text-red-500' },
};

export function TickIcon({ tick, error, className }: { tick: Tick; error?: string | null; className?: string }) {
  const label = tickLabel(tick, error);
  const { Icon, color } = ICONS[tick];
  return (
    <span title={label} aria-label={label} role="img" data-tick={tick} className="inline-flex">
      <Icon className={cn(color, className)} aria-hidden />
    </span>
  );
}
