// Pure helpers of the analytics dashboard: the range picker's choices and their query, the check of a custom
// range, the cards (which figure, how it reads, whether up is good), numbers for people (counts,
// percentages, durations like "4 min"), the change against the previous period, the charts and their CSV
// series, and which live events make the dashboard reload. No React here, so all of it is unit-tested.

import type { AnalyticsChart, AnalyticsFigures, AnalyticsPeriod, AnalyticsSeries, AppEvent } from '../../api/types';

/** What the range picker holds: a named period ending today, or two dates in the business's time zone. */
export type RangeChoice = { kind: 'period'; period: AnalyticsPeriod } | { kind: 'custom'; from: string; to: string };

export const PERIODS: Array<{ period: AnalyticsPeriod; label: string }> = [
  { period: 'today', label: 'Today' },
  { period: 'yesterday', label: 'Yesterday' },
  { period: '7d', label: '7 days' },
  { period: '30d', label: '30 days' },
  { period: '90d', label: '90 days' },
];

export const DEFAULT_RANGE: RangeChoice = { kind: 'period', period: '7d' };

/** The analytics routes' range parameters for a choice. */
export function rangeQuery(choice: RangeChoice): { period?: AnalyticsPeriod; from?: string; to?: string } {
  return choice.kind === 'period' ? { period: choice.period } : { from: choice.from, to: choice.to };
}

/** A key that changes exactly when the range does (for effects and stale answers). */
export function rangeKey(choice: RangeChoice): string {
  return choice.kind === 'period' ? choice.period : `${choice.from}..${choice.to}`;
}

/** The longest range the server computes: five years (and a leap day). */
export const MAX_RANGE_DAYS = 5 * 365 + 1;

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Days since 1970-01-01 of a YYYY-MM-DD calendar date, or null when it is no real date. */
function dayNumber(text: string): number | null {
  const match = DATE.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const ms = Date.UTC(year, month - 1, day);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day) return null;
  return ms / 86_400_000;
}

/** What is wrong with a custom range, per field, as the server would say it; empty when it is fine. */
export function customRangeErrors(from: string, to: string): { from?: string; to?: string } {
  const start = dayNumber(from);
  const end = dayNumber(to);
  const errors: { from?: string; to?: string } = {};
  if (start === null) errors.from = 'Pick the first day';
  if (end === null) errors.to = 'Pick the last day';
  if (start !== null && end !== null) {
    if (start > end) errors.from = 'The first day must not be after the last day';
    else if (end - start + 1 > MAX_RANGE_DAYS) errors.to = 'A range can span at most 5 years';
  }
  return errors;
}

// ---------------------------------------------------------------------------------------------------------
// Numbers for people

const counts = new Intl.NumberFormat('en-US');

export function formatCount(value: number): string {
  return counts.format(value);
}

/** A 0…1 share as a percentage ("87%", "4.5%"); a dash when there was nothing to divide by. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '–';
  const percent = rate * 100;
  // Whole percents read best; small shares keep one decimal so 0.4% does not show as 0%.
  const digits = percent !== 0 && Math.abs(percent) < 10 ? 1 : 0;
  return `${trimZero(percent.toFixed(digits))}%`;
}

function trimZero(text: string): string {
  return text.replace(/\.0$/, '');
}

/** A duration in seconds as people say it: "45 s", "4 min", "2 h 5 min", "3 d 4 h"; a dash for none. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const minutes = Math.round(s / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return joinUnits(hours, 'h', minutes % 60, 'min');
  const days = Math.floor(hours / 24);
  return joinUnits(days, 'd', hours % 24, 'h');
}

function joinUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
}

// ---------------------------------------------------------------------------------------------------------
// The cards

export type FigureFormat = 'count' | 'rate' | 'duration';

export interface CardSpec {
  id: string;
  label: string;
  format: FigureFormat;
  /** Which way is good news: an opt-out or a slower answer going up is not. */
  better: 'higher' | 'lower';
  value: (figures: AnalyticsFigures) => number | null;
  /** A line of context under the number. */
  detail?: (figures: AnalyticsFigures) => string;
}

export interface CardGroup {
  title: string;
  cards: CardSpec[];
}

const plural = (n: number, one: string, many = `${one}s`) => `${formatCount(n)} ${n === 1 ? one : many}`;

/** A rate of the messages sent, explained by the count behind it. */
function shareOfSent(
  id: string,
  label: string,
  rate: (f: AnalyticsFigures) => number | null,
  part: (f: AnalyticsFigures) => number,
): CardSpec {
  return {
    id,
    label,
    format: 'rate',
    better: 'higher',
    value: rate,
    detail: (f) => `${formatCount(part(f))} of ${plural(f.messagesSent, 'message')} sent`,
  };
}

export const CARD_GROUPS: CardGroup[] = [
  {
    title: 'Messages',
    cards: [
      { id: 'sent', label: 'Sent', format: 'count', better: 'higher', value: (f) => f.messagesSent },
      { id: 'delivered', label: 'Delivered', format: 'count', better: 'higher', value: (f) => f.messagesDelivered },
      { id: 'read', label: 'Read', format: 'count', better: 'higher', value: (f) => f.messagesRead },
      { id: 'received', label: 'Received', format: 'count', better: 'higher', value: (f) => f.messagesReceived },
      shareOfSent('delivery-rate', 'Delivery rate', (f) => f.deliveryRate, (f) => f.messagesDelivered),
      shareOfSent('read-rate', 'Read rate', (f) => f.readRate, (f) => f.messagesRead),
    ],
  },
  {
    title: 'Customers',
    cards: [
      {
        id: 'conversations-customers',
        label: 'Conversations started by customers',
        format: 'count',
        better: 'higher',
        value: (f) => f.conversationsByCustomers,
      },
      {
        id: 'conversations-business',
        label: 'Conversations started by you',
        format: 'count',
        better: 'higher',
        value: (f) => f.conversationsByBusiness,
      },
      {
        id: 'new-contacts',
        label: 'New contacts',
        format: 'count',
        better: 'higher',
        value: (f) => f.newContacts,
        detail: (f) => sourceBreakdown(f.newContactsBySource),
      },
      { id: 'active-contacts', label: 'Active contacts', format: 'count', better: 'higher', value: (f) => f.activeContacts },
      { id: 'opted-out', label: 'Opted out', format: 'count', better: 'lower', value: (f) => f.optedOut },
      {
        id: 'reply-rate',
        label: 'Reply rate',
        format: 'rate',
        better: 'higher',
        value: (f) => f.replyRate,
        detail: (f) => `${formatCount(f.contactsReplied)} of ${plural(f.contactsWrittenTo, 'contact')} answered within 24 h`,
      },
    ],
  },
  {
    title: 'Response time and campaigns',
    cards: [
      {
        id: 'median-response',
        label: 'Median first response',
        format: 'duration',
        better: 'lower',
        value: (f) => f.medianFirstResponseSeconds,
        detail: (f) => `over ${plural(f.firstResponses, 'answered message')}`,
      },
      {
        id: 'p90-response',
        label: '90% answered within',
        format: 'duration',
        better: 'lower',
        value: (f) => f.p90FirstResponseSeconds,
      },
      { id: 'campaigns-run', label: 'Campaigns run', format: 'count', better: 'higher', value: (f) => f.campaignsRun },
    ],
  },
];

/** "3 from chats · 1 imported": the sources that brought anyone, in the order people think of them. */
export function sourceBreakdown(by: AnalyticsFigures['newContactsBySource']): string {
  const parts = [
    [by.conversation, 'from chats'],
    [by.import, 'imported'],
    [by.manual, 'added by hand'],
    [by.api, 'via the API'],
  ] as const;
  const shown = parts.filter(([n]) => n > 0).map(([n, what]) => `${formatCount(n)} ${what}`);
  return shown.length > 0 ? shown.join(' · ') : 'none in this period';
}

export function formatFigure(value: number | null, format: FigureFormat): string {
  if (format === 'rate') return formatRate(value);
  if (format === 'duration') return formatDuration(value);
  return value === null ? '–' : formatCount(value);
}

export interface Change {
  /** "+25%", "−3 pts", "+2 min", "new", or "no change". */
  text: string;
  direction: 'up' | 'down' | 'same';
  /** Whether the change is good news, bad news, or neither (no change, nothing to compare). */
  tone: 'good' | 'bad' | 'neutral';
}

const MINUS = '−';

function signed(value: number, text: string): string {
  return `${value > 0 ? '+' : MINUS}${text}`;
}

/** How a figure moved against the previous period; null when either side has no value. */
export function change(current: number | null, previous: number | null, format: FigureFormat, better: CardSpec['better']): Change | null {
  if (current === null || previous === null) return null;
  const delta = current - previous;
  if (delta === 0 || (format === 'rate' && Math.abs(delta) < 0.0005)) return { text: 'no change', direction: 'same', tone: 'neutral' };
  const direction = delta > 0 ? 'up' : 'down';
  const tone = (direction === 'up') === (better === 'higher') ? 'good' : 'bad';
  let text: string;
  if (format === 'rate') {
    // Points, not a percentage of a percentage.
    const points = Math.abs(delta * 100);
    text = signed(delta, `${trimZero(points.toFixed(points < 10 ? 1 : 0))} pts`);
  } else if (format === 'duration') {
    text = signed(delta, formatDuration(Math.abs(delta)));
  } else if (previous === 0) {
    text = 'new';
  } else {
    const percent = Math.round((Math.abs(delta) / previous) * 100);
    text = signed(delta, `${formatCount(percent)}%`);
  }
  return { text, direction, tone };
}

/** "Mar 29" or "Mar 23 – Mar 29, 2026" for the range a period resolved to. */
export function rangeLabel(from: string, to: string): string {
  const day = (text: string) => {
    const n = dayNumber(text);
    return n === null ? null : new Date(n * 86_400_000);
  };
  const start = day(from);
  const end = day(to);
  if (!start || !end) return `${from} – ${to}`;
  const short = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  const year = end.getUTCFullYear();
  if (from === to) return `${short.format(end)}, ${year}`;
  const sameYear = start.getUTCFullYear() === year;
  const first = sameYear ? short.format(start) : `${short.format(start)}, ${start.getUTCFullYear()}`;
  return `${first} – ${short.format(end)}, ${year}`;
}

// ---------------------------------------------------------------------------------------------------------
// The charts

export interface ChartSpec {
  chart: AnalyticsChart;
  /** The title the server draws on the chart, for the card's name and the image's text. */
  title: string;
  /** The CSV export holding the chart's numbers, where there is one. */
  csv: AnalyticsSeries | null;
  /** Spans both columns of the grid (wide series read better wide). */
  wide: boolean;
}

export const CHARTS: ChartSpec[] = [
  { chart: 'messages', title: 'Messages sent and received', csv: 'messages', wide: true },
  { chart: 'contacts', title: 'Contact growth', csv: 'contacts', wide: false },
  { chart: 'funnel', title: 'Delivery funnel', csv: 'messages', wide: false },
  { chart: 'heatmap', title: 'Inbound messages by hour and weekday', csv: null, wide: false },
  { chart: 'response-time', title: 'First-response time', csv: 'messages', wide: false },
  { chart: 'campaigns', title: 'Campaigns compared', csv: 'campaigns', wide: true },
];

/** The height the dashboard draws charts at, in pixels. */
export const CHART_HEIGHT = 320;
/** The size of a downloaded PNG: big enough for a report or a slide. */
export const PNG_SIZE = { width: 1600, height: 720 } as const;

/**
 * The width to ask the server for, given the width the chart has on screen: the server's limits, in steps of
 * 40 pixels so a window being resized does not fetch a chart per pixel.
 */
export function chartWidth(available: number): number {
  const stepped = Math.floor(available / 40) * 40;
  return Math.min(3200, Math.max(320, stepped));
}

/** The file name of a download: what, and which days. */
export function downloadName(what: string, from: string, to: string, extension: 'png' | 'csv'): string {
  return `whatsflow-${what}-${from}${from === to ? '' : `-to-${to}`}.${extension}`;
}

/** Whether a live event can change what the dashboard shows (messages, acks, contacts, campaigns, the zone). */
export function affectsAnalytics(event: AppEvent): boolean {
  const type = event.type;
  return (
    type === 'resync' ||
    type === 'profile.updated' ||
    type.startsWith('message.') ||
    type.startsWith('contact.') ||
    type === 'contacts.changed' ||
    type === 'contacts.imported' ||
    type.startsWith('campaign.')
  );
}
