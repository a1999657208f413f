// Pure helpers of the campaigns screen: the wizard's draft and what it submits, where a server error
// belongs, the pacing presets, inserting variables, progress and funnel figures, times in the business's
// zone, and which actions a status allows. Kept apart from components so they are tested without a DOM.

import { ApiError } from '../../api/errors';
import type { Campaign, CampaignInput, CampaignStatus, ErrorDetail, PacingPolicy, Recipient, RecipientStatus, TagMode, TargetType } from '../../api/types';

// ---------------------------------------------------------------------------------------------------------
// The wizard

export const STEPS = ['audience', 'message', 'pacing', 'schedule', 'review'] as const;
export type Step = (typeof STEPS)[number];

export const STEP_LABELS: Record<Step, string> = {
  audience: 'Audience',
  message: 'Message',
  pacing: 'Pacing',
  schedule: 'Schedule',
  review: 'Review',
};

/** A hand-picked recipient, with the name to show on its chip. */
export interface PickedContact {
  id: number;
  name: string;
}

/** Everything the wizard edits; turned into the API's input by `inputOf`. */
export interface Draft {
  name: string;
  targetType: TargetType;
  targetTags: number[];
  tagMode: TagMode;
  excludeTags: number[];
  contacts: PickedContact[];
  messageContent: string;
  /** The media file the campaign already has (editing), unless removed. */
  keptMedia: { mimetype: string; filename?: string | null } | null;
  pacing: PacingPolicy;
  schedule: 'now' | 'later';
  /** `YYYY-MM-DDTHH:MM` in the business's time zone. */
  scheduledLocal: string;
}

export type PresetName = 'careful' | 'normal';

/**
 * "Normal" is the server's default (safe for an established number); "Careful" halves the pace for a
 * number that is new or was warned before. Both keep quiet hours, bursts, typing and the warm-up.
 */
export const PRESETS: Record<PresetName, PacingPolicy> = {
  normal: {
    minGapMs: 30_000,
    maxGapMs: 60_000,
    hourlyCap: 80,
    dailyCap: 500,
    quietHours: { start: '21:00', end: '09:00' },
    burstSize: 20,
    burstPauseMs: 300_000,
    typing: true,
    warmUp: true,
  },
  careful: {
    minGapMs: 60_000,
    maxGapMs: 120_000,
    hourlyCap: 40,
    dailyCap: 200,
    quietHours: { start: '20:00', end: '09:00' },
    burstSize: 10,
    burstPauseMs: 600_000,
    typing: true,
    warmUp: true,
  },
};

/** The preset a policy equals, or null for a custom one. */
export function presetOf(pacing: PacingPolicy): PresetName | null {
  const same = (a: PacingPolicy, b: PacingPolicy) => JSON.stringify(a) === JSON.stringify(b);
  return (Object.keys(PRESETS) as PresetName[]).find((name) => same(PRESETS[name], pacing)) ?? null;
}

export function emptyDraft(): Draft {
  return {
    name: '',
    targetType: 'tags',
    targetTags: [],
    tagMode: 'any',
    excludeTags: [],
    contacts: [],
    messageContent: '',
    keptMedia: null,
    pacing: { ...PRESETS.normal, quietHours: { ...PRESETS.normal.quietHours! } },
    schedule: 'now',
    scheduledLocal: '',
  };
}

/** A saved campaign back in the wizard (editing a draft or a scheduled one). */
export function draftOf(campaign: Campaign, contacts: PickedContact[]): Draft {
  return {
    name: campaign.name,
    targetType: campaign.targetType,
    targetTags: campaign.targetTags,
    tagMode: campaign.tagMode,
    excludeTags: campaign.excludeTags,
    contacts,
    messageContent: campaign.messageContent,
    keptMedia: campaign.media,
    pacing: campaign.pacing,
    schedule: campaign.scheduledLocal ? 'later' : 'now',
    scheduledLocal: campaign.scheduledLocal ?? '',
  };
}

/** What the wizard submits for a draft; the media file, when a new one is chosen, is added by the caller. */
export function inputOf(draft: Draft): CampaignInput {
  return {
    name: draft.name.trim(),
    messageContent: draft.messageContent,
    targetType: draft.targetType,
    // Only what the chosen audience uses is sent, so a stale tag of another choice cannot fail the save.
    targetTags: draft.targetType === 'tags' ? draft.targetTags : [],
    tagMode: draft.tagMode,
    excludeTags: draft.excludeTags,
    contactIds: draft.targetType === 'custom' ? draft.contacts.map((c) => c.id) : [],
    scheduledAt: draft.schedule === 'later' ? draft.scheduledLocal : undefined,
    pacing: draft.pacing,
  };
}

/** The wizard step that shows a field the server named (`pacing.quietHours.end` → pacing). */
export function stepOfField(field: string): Step {
  if (field === 'messageContent' || field.startsWith('media')) return 'message';
  if (field.startsWith('pacing')) return 'pacing';
  if (field === 'scheduledAt') return 'schedule';
  if (['name', 'targetType', 'targetTags', 'tagMode', 'excludeTags', 'contactIds'].includes(field)) return 'audience';
  return 'review';
}

/** The server's per-field problems by field, several for one field joined into one line. */
export function fieldErrors(details: ErrorDetail[]): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const { field, message } of details) errors[field] = errors[field] ? `${errors[field]} ${message}` : message;
  return errors;
}

/** What went wrong, for people: the server's sentence and, for a refused campaign, what each field lacks. */
export function problemText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = error instanceof ApiError ? error.details.map((d) => d.message).filter((m) => m !== error.message) : [];
  return details.length > 0 ? `${error.message}: ${details.join(' ')}` : error.message;
}

/** The first step (in wizard order) with a problem, or null. */
export function firstStepWithError(errors: Record<string, string>): Step | null {
  const steps = new Set(Object.keys(errors).map(stepOfField));
  return STEPS.find((step) => steps.has(step)) ?? null;
}

// ---------------------------------------------------------------------------------------------------------
// Message: variables and spintax

/** Variables every contact has. */
export const BUILT_IN_VARIABLES = [
  { key: 'name', label: 'Name' },
  { key: 'first_name', label: 'First name' },
  { key: 'phone', label: 'Phone' },
] as const;

/** `{{key}}`, or `{{key|fallback}}` when the contact may not have it. */
export function variableSnippet(key: string, fallback = ''): string {
  const text = fallback.trim().replace(/[{}|]/g, '');
  return text ? `{{${key}|${text}}}` : `{{${key}}}`;
}

/** `snippet` put in place of the selection of `text`; the caret goes after it. */
export function insertAt(text: string, start: number, end: number, snippet: string): { text: string; caret: number } {
  const from = Math.max(0, Math.min(start, text.length));
  const to = Math.max(from, Math.min(end, text.length));
  return { text: text.slice(0, from) + snippet + text.slice(to), caret: from + snippet.length };
}

// ---------------------------------------------------------------------------------------------------------
// Pacing form: the API speaks milliseconds, people seconds and minutes

export function secondsOf(ms: number): number {
  return Math.round(ms / 100) / 10;
}

export function msOfSeconds(seconds: number): number {
  return Math.round(seconds * 1000);
}

// ---------------------------------------------------------------------------------------------------------
// Progress, funnel, times

export interface Progress {
  /** Recipients dealt with: sent, failed or skipped. */
  done: number;
  total: number;
  /** Shares of the total in percent, for the bar's segments. */
  sentPercent: number;
  failedPercent: number;
  skippedPercent: number;
  percent: number;
}

export function progressOf(c: Pick<Campaign, 'totalRecipients' | 'sentCount' | 'failedCount' | 'skippedCount'>): Progress {
  const total = c.totalRecipients;
  const share = (n: number) => (total > 0 ? Math.min(100, (n / total) * 100) : 0);
  const done = Math.min(total, c.sentCount + c.failedCount + c.skippedCount);
  return {
    done,
    total,
    sentPercent: share(c.sentCount),
    failedPercent: share(c.failedCount),
    skippedPercent: share(c.skippedCount),
    percent: share(done),
  };
}

export interface FunnelStep {
  label: string;
  count: number;
  /** Share of the step before (the first: of the recipients sent to). */
  percent: number;
}

/** Recipients to send to → sent → delivered → read → replied; each a share of the step before it. */
export function funnelOf(c: Pick<Campaign, 'totalRecipients' | 'skippedCount' | 'sentCount' | 'deliveredCount' | 'readCount' | 'repliedCount'>): FunnelStep[] {
  const steps: Array<[string, number]> = [
    ['To send', c.totalRecipients - c.skippedCount],
    ['Sent', c.sentCount],
    ['Delivered', c.deliveredCount],
    ['Read', c.readCount],
    ['Replied', c.repliedCount],
  ];
  return steps.map(([label, count], i) => {
    const before = i === 0 ? count : steps[i - 1]![1];
    return { label, count, percent: before > 0 ? Math.round((count / before) * 100) : 0 };
  });
}

/** "45 s", "12 min", "2 h 5 min", "3 d 4 h". */
export function durationText(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return minutes % 60 ? `${hours} h ${minutes % 60} min` : `${hours} h`;
  const days = Math.floor(hours / 24);
  return hours % 24 ? `${days} d ${hours % 24} h` : `${days} d`;
}

function dayKey(date: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(date);
}

/**
 * A moment in the business's time zone: just the time when it is today there ("14:05"), else the date
 * too ("Tue, May 12, 14:05"). `timeZone` falls back to the device's when unknown.
 */
export function whenText(iso: string | null | undefined, timeZone: string | undefined, now = new Date(), locale?: string): string {
  if (!iso) return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '—';
  const zone = validZone(timeZone);
  const time = new Intl.DateTimeFormat(locale, { timeZone: zone, hour: 'numeric', minute: '2-digit' }).format(date);
  if (dayKey(date, zone ?? 'UTC') === dayKey(now, zone ?? 'UTC')) return time;
  const day = new Intl.DateTimeFormat(locale, {
    timeZone: zone,
    weekday: 'short',
    month: 'short',
    day: 'numeric',
    year: date.getFullYear() === now.getFullYear() ? undefined : 'numeric',
  }).format(date);
  return `${day}, ${time}`;
}

function validZone(timeZone: string | undefined): string | undefined {
  if (!timeZone) return undefined;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
    return timeZone;
  } catch {
    return undefined;
  }
}

/** `YYYY-MM-DDTHH:MM` of a moment in a time zone: what a `datetime-local` input shows for it. */
export function localInputValue(date: Date, timeZone: string | undefined): string {
  const parts = new Intl.DateTimeFormat('en-CA', {
    timeZone: validZone(timeZone),
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(date);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '00';
  return `${part('year')}-${part('month')}-${part('day')}T${part('hour')}:${part('minute')}`;
}

/** A default start for "later": the next whole hour at least 30 minutes away, in the business's zone. */
export function defaultScheduleValue(now: Date, timeZone: string | undefined): string {
  const start = new Date(now.getTime() + 30 * 60_000);
  start.setUTCMinutes(0, 0, 0);
  start.setTime(start.getTime() + 60 * 60_000);
  return localInputValue(start, timeZone);
}

/** What a sending campaign waits for, for people. */
export function waitingText(waitingFor: string | null | undefined): string | null {
  switch (waitingFor) {
    case 'gap':
      return 'Pausing between messages';
    case 'hourly_cap':
      return 'Hourly limit reached';
    case 'daily_cap':
      return 'Daily limit reached';
    case 'quiet_hours':
      return 'Quiet hours';
    case 'whatsapp':
      return 'Waiting for WhatsApp to connect';
    case 'typing':
      return 'Typing…';
    case 'sending':
      return 'Sending a message';
    case null:
    case undefined:
      return null;
    default:
      return waitingFor.replace(/_/g, ' ');
  }
}

// ---------------------------------------------------------------------------------------------------------
// Statuses and the actions they allow

export const CAMPAIGN_STATUS_LABEL: Record<CampaignStatus, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  sending: 'Sending',
  paused: 'Paused',
  completed: 'Completed',
  cancelled: 'Cancelled',
  failed: 'Failed',
};

export const RECIPIENT_STATUSES: RecipientStatus[] = ['pending', 'skipped', 'sent', 'delivered', 'read', 'replied', 'failed'];

export const RECIPIENT_STATUS_LABEL: Record<RecipientStatus, string> = {
  pending: 'Pending',
  skipped: 'Skipped',
  sent: 'Sent',
  delivered: 'Delivered',
  read: 'Read',
  replied: 'Replied',
  failed: 'Failed',
};

export type ListAction = 'open' | 'edit' | 'duplicate' | 'delete';
export type LiveAction = 'send' | 'pause' | 'resume' | 'cancel';

/** What the list offers for a campaign in this status (the server refuses the rest with 409). */
export function listActionsFor(status: CampaignStatus): ListAction[] {
  const actions: ListAction[] = ['open'];
  if (status === 'draft' || status === 'scheduled') actions.push('edit');
  actions.push('duplicate');
  if (status !== 'sending') actions.push('delete');
  return actions;
}

/** The lifecycle buttons of the live page for a campaign in this status. */
export function liveActionsFor(status: CampaignStatus): LiveAction[] {
  switch (status) {
    case 'draft':
      return ['send', 'cancel'];
    case 'scheduled':
      return ['cancel'];
    case 'sending':
      return ['pause', 'cancel'];
    case 'paused':
      return ['resume', 'cancel'];
    default:
      return [];
  }
}

/** A status that will still change by itself (the live page keeps its ETA ticking). */
export function isRunning(status: CampaignStatus): boolean {
  return status === 'sending' || status === 'scheduled';
}

// ---------------------------------------------------------------------------------------------------------
// Live updates of lists

/** A campaign put into a list newest first: replaced in place when present, else added at the top. */
export function upsertCampaign(list: Campaign[], campaign: Campaign): Campaign[] {
  const at = list.findIndex((c) => c.id === campaign.id);
  if (at < 0) return [campaign, ...list].sort((a, b) => b.id - a.id);
  const next = list.slice();
  next[at] = campaign;
  return next;
}

/**
 * A recipient's new state applied to the rows shown (in send order): patched in place, dropped when it no
 * longer matches the status filter, added in its place when it now matches one and its position falls
 * within the rows loaded so far.
 */
export function applyRecipient(rows: Recipient[], recipient: Recipient, filter: RecipientStatus | null, complete: boolean): Recipient[] {
  const matches = filter === null || recipient.status === filter;
  const at = rows.findIndex((r) => r.id === recipient.id);
  if (at >= 0) {
    if (!matches) return rows.filter((r) => r.id !== recipient.id);
    const next = rows.slice();
    next[at] = recipient;
    return next;
  }
  if (!matches) return rows;
  const last = rows[rows.length - 1];
  // Beyond the loaded rows it arrives with the next page instead, unless every row is loaded already.
  if (!complete && last && recipient.position > last.position) return rows;
  return [...rows, recipient].sort((a, b) => a.position - b.position);
}

/** Rows with live updates applied over them, in order (each as `applyRecipient`). */
export function withLiveUpdates(rows: Recipient[], updates: Iterable<Recipient>, filter: RecipientStatus | null, complete: boolean): Recipient[] {
  let out = rows;
  for (const update of updates) out = applyRecipient(out, update, filter, complete);
  return out;
}
