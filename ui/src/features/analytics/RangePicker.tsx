// The dashboard's range picker: today, yesterday, 7, 30 or 90 days, or two days picked by hand (dates in the
// business's time zone, checked here as the server checks them before anything is asked for).

import { CalendarRange } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { Button, Input } from '../../components/ui';
import { cn } from '../../lib/cn';
import { customRangeErrors, PERIODS, type RangeChoice } from './logic';

const segment =
  'h-9 px-3 text-[13px] font-medium transition-colors first:rounded-l-lg last:rounded-r-lg focus-visible:z-10 ring-1 ring-inset ring-zinc-300 -ml-px first:ml-0 dark:ring-zinc-700';
const idle = 'bg-white text-zinc-700 hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-800';
const active = 'bg-zinc-900 text-white ring-zinc-900 dark:bg-zinc-100 dark:text-zinc-900 dark:ring-zinc-100 z-[1]';

export function RangePicker({
  value,
  onChange,
  resolved,
}: {
  value: RangeChoice;
  onChange: (choice: RangeChoice) => void;
  /** The days the current choice stands for, to start a custom range from. */
  resolved: { from: string; to: string; timezone: string } | null;
}) {
  const [custom, setCustom] = useState<{ from: string; to: string } | null>(null);
  const [errors, setErrors] = useState<{ from?: string; to?: string }>({});
  const customOpen = custom !== null || value.kind === 'custom';
  const draft = custom ?? (value.kind === 'custom' ? { from: value.from, to: value.to } : { from: '', to: '' });

  const openCustom = () => {
    setErrors({});
    setCustom(value.kind === 'custom' ? { from: value.from, to: value.to } : { from: resolved?.from ?? '', to: resolved?.to ?? '' });
  };

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const found = customRangeErrors(draft.from, draft.to);
    setErrors(found);
    if (found.from || found.to) return;
    onChange({ kind: 'custom', from: draft.from, to: draft.to });
    setCustom(null);
  };

  return (
    <div className="flex flex-wrap items-start gap-3">
      <div role="group" aria-label="Period" className="inline-flex">
        {PERIODS.map(({ period, label }) => {
          const pressed = value.kind === 'period' && value.period === period && custom === null;
          return (
            <button
              key={period}
              type="button"
              aria-pressed={pressed}
              className={cn(segment, pressed ? active : idle)}
              onClick={() => {
                setCustom(null);
                setErrors({});
                onChange({ kind: 'period', period });
              }}
            >
              {label}
            </button>
          );
        })}
        <button type="button" aria-pressed={customOpen} className={cn(segment, 'inline-flex items-center gap-1.5', customOpen ? active : idle)} onClick={openCustom}>
          <CalendarRange className="size-3.5" aria-hidden />
          Custom
        </button>
      </div>
      {customOpen && (
        <form onSubmit={apply} noValidate className="flex flex-wrap items-start gap-2" aria-label="Custom range">
          <DateField label="From" value={draft.from} error={errors.from} onChange={(from) => setCustom({ ...draft, from })} />
          <span className="mt-2 text-sm text-zinc-400" aria-hidden>
            –
          </span>
          <DateField label="To" value={draft.to} error={errors.to} onChange={(to) => setCustom({ ...draft, to })} />
          <Button type="submit" variant="secondary">
            Apply
          </Button>
          {resolved && <p className="mt-2.5 text-xs text-zinc-500 dark:text-zinc-400">Days in {resolved.timezone}</p>}
        </form>
      )}
    </div>
  );
}

function DateField({ label, value, error, onChange }: { label: string; value: string; error?: string; onChange: (value: string) => void }) {
  return (
    <label className="block">
      <span className="sr-only">{label}</span>
      <Input type="date" value={value} invalid={Boolean(error)} aria-label={label} className="w-40" onChange={(event) => onChange(event.target.value)} />
      {error && (
        <span role="alert" className="mt-1 block max-w-40 text-xs text-red-600 dark:text-red-400">
          {error}
        </span>
      )}
    </label>
  );
}
