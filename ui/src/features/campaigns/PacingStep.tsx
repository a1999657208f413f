// The wizard's pacing step: the "Careful" and "Normal" presets, and an advanced panel for every field of
// the policy (random gap, hourly and daily caps, quiet hours, bursts, typing, warm-up), each with the
// server's error for it. The estimated finish at this pace is shown as it changes.

import { ChevronRight, Gauge, ShieldCheck } from 'lucide-react';
import type { CampaignPreview, PacingPolicy } from '../../api/types';
import { Field, Input } from '../../components/ui';
import { durationText, msOfSeconds, presetOf, PRESETS, secondsOf, whenText, type PresetName } from './logic';
import { ChoiceCard } from './parts';

const PRESET_TEXT: Record<PresetName, { title: string; text: string; icon: typeof Gauge }> = {
  careful: {
    title: 'Careful',
    text: 'For a new number or one WhatsApp warned: 1–2 min between messages, at most 40 an hour and 200 a day.',
    icon: ShieldCheck,
  },
  normal: {
    title: 'Normal',
    text: 'Safe for an established number: 30–60 s between messages, at most 80 an hour and 500 a day.',
    icon: Gauge,
  },
};

function NumberField({
  label,
  value,
  onChange,
  error,
  hint,
  unit,
  step = 1,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
  error?: string;
  hint?: string;
  unit?: string;
  step?: number;
}) {
  return (
    <Field label={label} error={error} hint={hint}>
      {(props) => (
        <div className="flex items-center gap-2">
          <div className="w-32">
            <Input {...props} type="number" min={0} step={step} value={Number.isFinite(value) ? value : ''} onChange={(e) => onChange(e.target.valueAsNumber)} />
          </div>
          {unit && <span className="text-sm text-zinc-500">{unit}</span>}
        </div>
      )}
    </Field>
  );
}

function TimeField({ label, value, onChange, error }: { label: string; value: string; onChange: (value: string) => void; error?: string }) {
  return (
    <Field label={label} error={error}>
      {(props) => (
        <div className="w-32">
          <Input {...props} type="time" value={value} onChange={(e) => onChange(e.target.value)} />
        </div>
      )}
    </Field>
  );
}

function Toggle({ label, text, checked, onChange }: { label: string; text: string; checked: boolean; onChange: (on: boolean) => void }) {
  return (
    <label className="flex cursor-pointer items-start gap-3">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} className="mt-0.5 size-4 accent-brand-600" />
      <span>
        <span className="block text-sm font-medium">{label}</span>
        <span className="block text-[13px] text-zinc-500 dark:text-zinc-400">{text}</span>
      </span>
    </label>
  );
}

export function PacingStep({
  pacing,
  onChange,
  errors,
  preview,
  zone,
  scheduled,
}: {
  pacing: PacingPolicy;
  onChange: (pacing: PacingPolicy) => void;
  errors: Record<string, string>;
  preview: CampaignPreview | null;
  zone: string | undefined;
  /** The campaign starts at a chosen time rather than when sent. */
  scheduled: boolean;
}) {
  const preset = presetOf(pacing);
  const set = (patch: Partial<PacingPolicy>) => onChange({ ...pacing, ...patch });
  const advancedErrors = Object.keys(errors).some((f) => f.startsWith('pacing.'));
  const eta = preview?.estimatedFinishAt;
  return (
    <div className="max-w-3xl space-y-6">
      <div className="grid gap-3 sm:grid-cols-2" role="radiogroup" aria-label="Pace">
        {(Object.keys(PRESET_TEXT) as PresetName[]).map((name) => (
          <ChoiceCard key={name} name="pace" checked={preset === name} onChoose={() => onChange(structuredClone(PRESETS[name]))} {...PRESET_TEXT[name]} />
        ))}
      </div>
      {preset === null && <p className="text-[13px] text-zinc-500">Custom pace: set in the advanced settings below.</p>}

      <details open={advancedErrors || undefined} className="group rounded-xl ring-1 ring-zinc-200 dark:ring-zinc-800">
        <summary className="flex cursor-pointer list-none items-center gap-2 px-4 py-3 text-sm font-medium select-none">
          <ChevronRight className="size-4 text-zinc-400 transition-transform group-open:rotate-90" aria-hidden />
          Advanced settings
        </summary>
        <div className="grid gap-x-8 gap-y-5 border-t border-zinc-200 p-4 sm:grid-cols-2 dark:border-zinc-800">
          <NumberField
            label="Shortest gap"
            unit="seconds"
            step={0.5}
            value={secondsOf(pacing.minGapMs)}
            onChange={(v) => set({ minGapMs: msOfSeconds(v) })}
            error={errors['pacing.minGapMs']}
          />
          <NumberField
            label="Longest gap"
            unit="seconds"
            step={0.5}
            value={secondsOf(pacing.maxGapMs)}
            onChange={(v) => set({ maxGapMs: msOfSeconds(v) })}
            error={errors['pacing.maxGapMs']}
            hint="Each pause is drawn at random between the two."
          />
          <NumberField label="Messages per hour at most" value={pacing.hourlyCap} onChange={(v) => set({ hourlyCap: v })} error={errors['pacing.hourlyCap']} hint="Counts every message you send, not only this campaign's." />
          <NumberField label="Messages per day at most" value={pacing.dailyCap} onChange={(v) => set({ dailyCap: v })} error={errors['pacing.dailyCap']} />
          <NumberField label="Burst size" unit="messages" value={pacing.burstSize} onChange={(v) => set({ burstSize: v })} error={errors['pacing.burstSize']} hint="Messages in a row before a longer rest." />
          <NumberField
            label="Rest after a burst"
            unit="minutes"
            step={0.5}
            value={secondsOf(pacing.burstPauseMs) / 60}
            onChange={(v) => set({ burstPauseMs: msOfSeconds(v * 60) })}
            error={errors['pacing.burstPauseMs']}
          />
          <div className="space-y-3 sm:col-span-2">
            <Toggle
              label="Quiet hours"
              text="No messages between these times (business time zone)."
              checked={pacing.quietHours !== null}
              onChange={(on) => set({ quietHours: on ? { start: '21:00', end: '09:00' } : null })}
            />
            {pacing.quietHours && (
              <div className="ml-7 flex flex-wrap gap-4">
                <TimeField label="From" value={pacing.quietHours.start} onChange={(start) => set({ quietHours: { ...pacing.quietHours!, start } })} error={errors['pacing.quietHours.start']} />
                <TimeField label="Until" value={pacing.quietHours.end} onChange={(end) => set({ quietHours: { ...pacing.quietHours!, end } })} error={errors['pacing.quietHours.end']} />
              </div>
            )}
            {!pacing.quietHours && errors['pacing.quietHours'] && <p role="alert" className="text-[13px] text-red-600" data-field-error>{errors['pacing.quietHours']}</p>}
          </div>
          <div className="sm:col-span-2">
            <Toggle label="Show “typing…” before each message" text="For a time that fits the message's length, as a person would." checked={pacing.typing} onChange={(typing) => set({ typing })} />
          </div>
          <div className="sm:col-span-2">
            <Toggle
              label="Warm-up for a newly linked number"
              text="Lower limits in the first two weeks: 20 an hour and 50 a day, then 40 and 200."
              checked={pacing.warmUp}
              onChange={(warmUp) => set({ warmUp })}
            />
          </div>
        </div>
      </details>

      {preview && (
        <p className="text-sm text-zinc-600 dark:text-zinc-300" data-testid="pacing-eta">
          At this pace, {preview.audience.eligible.toLocaleString('en-US')} messages{' '}
          {eta && scheduled ? (
            <>
              finish around <strong>{whenText(eta, zone)}</strong>, starting at the scheduled time.
            </>
          ) : eta ? (
            <>
              take about <strong>{durationText(new Date(eta).getTime() - Date.now())}</strong> and finish around <strong>{whenText(eta, zone)}</strong> if
              sent now.
            </>
          ) : (
            'cannot be estimated.'
          )}
        </p>
      )}
    </div>
  );
}
