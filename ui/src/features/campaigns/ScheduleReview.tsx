// The wizard's last two steps: when to start (when sent, or a date and time in the business's time zone,
// whose errors — in the past, skipped by a clock change — the server names on the field) and the review
// of the saved draft with its recipients, message, pace and estimated finish.

import { CalendarClock, Send } from 'lucide-react';
import type { ReactNode } from 'react';
import type { CampaignPreview, PacingPolicy, TagSummary } from '../../api/types';
import { Field, Input } from '../../components/ui';
import { plural } from '../contacts/logic';
import { durationText, presetOf, secondsOf, whenText, type Draft } from './logic';
import { ChoiceCard } from './parts';

export function ScheduleStep({
  draft,
  update,
  errors,
  zone,
  defaultLocal,
}: {
  draft: Draft;
  update: (patch: Partial<Draft>) => void;
  errors: Record<string, string>;
  zone: string | undefined;
  /** What the date-time field starts with when "later" is chosen. */
  defaultLocal: string;
}) {
  const options = [
    { value: 'now' as const, title: 'When I start it', text: 'Sending begins as soon as you press Send on the next step.', icon: Send },
    { value: 'later' as const, title: 'At a date and time', text: 'It starts by itself, even if this window is closed.', icon: CalendarClock },
  ];
  return (
    <div className="max-w-2xl space-y-6">
      <div className="grid gap-3 sm:grid-cols-2" role="radiogroup" aria-label="When">
        {options.map(({ value, ...look }) => (
          <ChoiceCard
            key={value}
            name="schedule"
            checked={draft.schedule === value}
            onChoose={() => update(value === 'later' && !draft.scheduledLocal ? { schedule: value, scheduledLocal: defaultLocal } : { schedule: value })}
            {...look}
          />
        ))}
      </div>
      {draft.schedule === 'later' && (
        <Field label="Start at" error={errors.scheduledAt} hint={`In your business's time zone${zone ? ` (${zone.replace(/_/g, ' ')})` : ''}.`}>
          {(props) => (
            <div className="w-64">
              <Input {...props} type="datetime-local" value={draft.scheduledLocal} onChange={(e) => update({ scheduledLocal: e.target.value })} />
            </div>
          )}
        </Field>
      )}
      {draft.schedule === 'now' && errors.scheduledAt && <p role="alert" className="text-[13px] text-red-600" data-field-error>{errors.scheduledAt}</p>}
    </div>
  );
}

function paceSummary(pacing: PacingPolicy): string {
  const preset = presetOf(pacing);
  const gaps = `${secondsOf(pacing.minGapMs)}–${secondsOf(pacing.maxGapMs)} s apart`;
  const caps = `at most ${pacing.hourlyCap.toLocaleString('en-US')} an hour, ${pacing.dailyCap.toLocaleString('en-US')} a day`;
  const quiet = pacing.quietHours ? `quiet ${pacing.quietHours.start}–${pacing.quietHours.end}` : 'no quiet hours';
  const name = preset === 'careful' ? 'Careful' : preset === 'normal' ? 'Normal' : 'Custom';
  return `${name}: ${gaps}, ${caps}, ${quiet}`;
}

function Row({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid grid-cols-[9rem_minmax(0,1fr)] gap-4 border-b border-zinc-100 py-3 text-sm last:border-0 dark:border-zinc-800">
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0">{children}</dd>
    </div>
  );
}

export function ReviewStep({
  draft,
  preview,
  tags,
  zone,
  mediaName,
  scheduledAt,
}: {
  draft: Draft;
  preview: CampaignPreview | null;
  tags: TagSummary[];
  zone: string | undefined;
  mediaName: string | null;
  /** The saved draft's start (RFC 3339), null for "when sent". */
  scheduledAt: string | null;
}) {
  const tagNames = (ids: number[]) => ids.map((id) => tags.find((t) => t.id === id)?.name ?? `#${id}`).join(', ');
  const audience =
    draft.targetType === 'all'
      ? 'All contacts'
      : draft.targetType === 'tags'
        ? `Contacts tagged ${tagNames(draft.targetTags)}${draft.targetTags.length > 1 ? (draft.tagMode === 'all' ? ' (all of them)' : ' (any of them)') : ''}`
        : `${plural(draft.contacts.length, 'hand-picked contact')}`;
  const eta = preview?.estimatedFinishAt ?? null;
  return (
    <div className="max-w-3xl space-y-6">
      <dl className="rounded-xl px-4 ring-1 ring-zinc-200 dark:ring-zinc-800">
        <Row label="Name">{draft.name}</Row>
        <Row label="Audience">
          {audience}
          {draft.excludeTags.length > 0 && <span className="text-zinc-500">, leaving out {tagNames(draft.excludeTags)}</span>}
          <p className="font-medium" data-testid="review-recipients">
            {preview ? plural(preview.audience.eligible, 'recipient') : '…'}
            {preview && preview.audience.optedOut > 0 && <span className="font-normal text-zinc-500"> ({plural(preview.audience.optedOut, 'opted-out contact')} skipped)</span>}
          </p>
        </Row>
        <Row label="Message">
          <p className="whitespace-pre-wrap">{draft.messageContent}</p>
          {mediaName && <p className="mt-1 text-[13px] text-zinc-500">With the file {mediaName}</p>}
        </Row>
        <Row label="Pace">{paceSummary(draft.pacing)}</Row>
        <Row label="Starts">{scheduledAt ? `${whenText(scheduledAt, zone)}${zone ? ` (${zone.replace(/_/g, ' ')})` : ''}` : 'When you press Send'}</Row>
        <Row label="Estimated finish">
          <span data-testid="review-eta">
            {eta ? (
              <>
                {whenText(eta, zone)}
                {draft.schedule === 'now' && <span className="text-zinc-500"> · about {durationText(new Date(eta).getTime() - Date.now())}</span>}
              </>
            ) : (
              '—'
            )}
          </span>
        </Row>
      </dl>
    </div>
  );
}
