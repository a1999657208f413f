// The dashboard's pure rules: range queries and checks, numbers for people, changes against the previous
// period, chart sizes and file names, and which events reload it.
import { describe, expect, it } from 'vitest';
import type { AnalyticsFigures, AppEvent } from '../../api/types';
import {
  affectsAnalytics,
  CARD_GROUPS,
  change,
  chartWidth,
  CHARTS,
  customRangeErrors,
  downloadName,
  formatDuration,
  formatFigure,
  formatRate,
  rangeKey,
  rangeLabel,
  rangeQuery,
  sourceBreakdown,
} from './logic';

function figures(patch: Partial<AnalyticsFigures> = {}): AnalyticsFigures {
  return {
    messagesSent: 0,
    messagesDelivered: 0,
    messagesRead: 0,
    messagesReceived: 0,
    messagesReplied: 0,
    deliveryRate: null,
    readRate: null,
    conversationsByCustomers: 0,
    conversationsByBusiness: 0,
    newContacts: 0,
    newContactsBySource: { conversation: 0, import: 0, manual: 0, api: 0 },
    activeContacts: 0,
    optedOut: 0,
    contactsWrittenTo: 0,
    contactsReplied: 0,
    replyRate: null,
    firstResponses: 0,
    medianFirstResponseSeconds: null,
    p90FirstResponseSeconds: null,
    campaignsRun: 0,
    ...patch,
  };
}

describe('ranges', () => {
  it('asks for a named period or for two dates, never both', () => {
    expect(rangeQuery({ kind: 'period', period: '30d' })).toEqual({ period: '30d' });
    expect(rangeQuery({ kind: 'custom', from: '2026-03-01', to: '2026-03-31' })).toEqual({ from: '2026-03-01', to: '2026-03-31' });
    expect(rangeKey({ kind: 'period', period: 'today' })).not.toBe(rangeKey({ kind: 'period', period: 'yesterday' }));
    expect(rangeKey({ kind: 'custom', from: '2026-03-01', to: '2026-03-02' })).toBe('2026-03-01..2026-03-02');
  });

  it('checks a custom range as the server does', () => {
    expect(customRangeErrors('2026-03-01', '2026-03-01')).toEqual({});
    expect(customRangeErrors('', '2026-03-01')).toEqual({ from: 'Pick the first day' });
    expect(customRangeErrors('2026-02-30', '2026-03-01').from).toBe('Pick the first day');
    expect(customRangeErrors('2026-03-02', '2026-03-01')).toEqual({ from: 'The first day must not be after the last day' });
    // Five years and a leap day is the most the server computes; a day more is refused.
    expect(customRangeErrors('2021-01-01', '2025-12-31')).toEqual({});
    expect(customRangeErrors('2021-01-01', '2026-01-01')).toEqual({ to: 'A range can span at most 5 years' });
  });

  it('labels the days a range stands for', () => {
    expect(rangeLabel('2026-03-29', '2026-03-29')).toBe('Mar 29, 2026');
    expect(rangeLabel('2026-03-23', '2026-03-29')).toBe('Mar 23 – Mar 29, 2026');
    expect(rangeLabel('2025-12-30', '2026-01-05')).toBe('Dec 30, 2025 – Jan 5, 2026');
  });
});

describe('numbers for people', () => {
  it('shows shares as percentages, with a decimal only for small ones', () => {
    expect(formatRate(null)).toBe('–');
    expect(formatRate(0)).toBe('0%');
    expect(formatRate(1)).toBe('100%');
    expect(formatRate(2 / 3)).toBe('67%');
    expect(formatRate(0.045)).toBe('4.5%');
    expect(formatRate(0.05)).toBe('5%');
  });

  it('says durations the way people do', () => {
    expect(formatDuration(null)).toBe('–');
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(45)).toBe('45 s');
    expect(formatDuration(240)).toBe('4 min');
    expect(formatDuration(269)).toBe('4 min');
    expect(formatDuration(3599)).toBe('1 h');
    expect(formatDuration(2 * 3600 + 5 * 60)).toBe('2 h 5 min');
    expect(formatDuration(27 * 3600)).toBe('1 d 3 h');
    expect(formatDuration(48 * 3600)).toBe('2 d');
  });

  it('formats each kind of figure', () => {
    expect(formatFigure(12345, 'count')).toBe('12,345');
    expect(formatFigure(0.5, 'rate')).toBe('50%');
    expect(formatFigure(600, 'duration')).toBe('10 min');
    expect(formatFigure(null, 'count')).toBe('–');
  });

  it('names where new contacts came from, leaving out the empty sources', () => {
    expect(sourceBreakdown({ conversation: 3, import: 1, manual: 0, api: 0 })).toBe('3 from chats · 1 imported');
    expect(sourceBreakdown({ conversation: 0, import: 0, manual: 2, api: 1200 })).toBe('2 added by hand · 1,200 via the API');
    expect(sourceBreakdown({ conversation: 0, import: 0, manual: 0, api: 0 })).toBe('none in this period');
  });
});

describe('change against the previous period', () => {
  it('gives counts as a percentage, and "new" when there was nothing before', () => {
    expect(change(15, 12, 'count', 'higher')).toEqual({ text: '+25%', direction: 'up', tone: 'good' });
    expect(change(6, 12, 'count', 'higher')).toEqual({ text: '−50%', direction: 'down', tone: 'bad' });
    expect(change(4, 0, 'count', 'higher')).toEqual({ text: 'new', direction: 'up', tone: 'good' });
    expect(change(0, 0, 'count', 'higher')).toEqual({ text: 'no change', direction: 'same', tone: 'neutral' });
  });

  it('gives rates in points and durations in time', () => {
    expect(change(0.9, 0.8, 'rate', 'higher')).toEqual({ text: '+10 pts', direction: 'up', tone: 'good' });
    expect(change(0.75, 0.8, 'rate', 'higher')?.text).toBe('−5 pts');
    expect(change(0.801, 0.8, 'rate', 'higher')?.text).toBe('+0.1 pts');
    expect(change(0.8001, 0.8, 'rate', 'higher')?.direction).toBe('same');
    expect(change(300, 180, 'duration', 'lower')).toEqual({ text: '+2 min', direction: 'up', tone: 'bad' });
    expect(change(60, 180, 'duration', 'lower')).toEqual({ text: '−2 min', direction: 'down', tone: 'good' });
  });

  it('has nothing to say when a side has no value', () => {
    expect(change(null, 0.5, 'rate', 'higher')).toBeNull();
    expect(change(120, null, 'duration', 'lower')).toBeNull();
  });

  it('treats more opt-outs and slower answers as bad news', () => {
    const card = (id: string) => CARD_GROUPS.flatMap((g) => g.cards).find((c) => c.id === id)!;
    const optedOut = card('opted-out');
    expect(change(optedOut.value(figures({ optedOut: 3 })), optedOut.value(figures({ optedOut: 1 })), optedOut.format, optedOut.better)?.tone).toBe('bad');
    const median = card('median-response');
    expect(median.value(figures({ medianFirstResponseSeconds: 240 }))).toBe(240);
    expect(median.better).toBe('lower');
  });
});

describe('cards', () => {
  it('show every figure of the overview once', () => {
    const ids = CARD_GROUPS.flatMap((g) => g.cards.map((c) => c.id));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(
      expect.arrayContaining([
        'sent',
        'delivered',
        'read',
        'received',
        'delivery-rate',
        'read-rate',
        'conversations-customers',
        'conversations-business',
        'new-contacts',
        'active-contacts',
        'opted-out',
        'reply-rate',
        'median-response',
        'p90-response',
        'campaigns-run',
      ]),
    );
  });

  it('explain a rate with the counts behind it', () => {
    const reply = CARD_GROUPS.flatMap((g) => g.cards).find((c) => c.id === 'reply-rate')!;
    const f = figures({ contactsWrittenTo: 1, contactsReplied: 1, replyRate: 1 });
    expect(formatFigure(reply.value(f), reply.format)).toBe('100%');
    expect(reply.detail!(f)).toBe('1 of 1 contact answered within 24 h');
  });
});

describe('charts', () => {
  it('are the six the server draws, with a CSV where a series holds their numbers', () => {
    expect(CHARTS.map((c) => c.chart)).toEqual(['messages', 'contacts', 'funnel', 'heatmap', 'response-time', 'campaigns']);
    expect(CHARTS.find((c) => c.chart === 'heatmap')!.csv).toBeNull();
    expect(CHARTS.find((c) => c.chart === 'campaigns')!.csv).toBe('campaigns');
  });

  it('are asked for in 40-pixel steps within the server limits', () => {
    expect(chartWidth(0)).toBe(320);
    expect(chartWidth(519)).toBe(480);
    expect(chartWidth(520)).toBe(520);
    expect(chartWidth(10_000)).toBe(3200);
  });

  it('download under a name that says what and when', () => {
    expect(downloadName('funnel', '2026-03-23', '2026-03-29', 'png')).toBe('whatsflow-funnel-2026-03-23-to-2026-03-29.png');
    expect(downloadName('messages', '2026-03-29', '2026-03-29', 'csv')).toBe('whatsflow-messages-2026-03-29.csv');
  });
});

describe('live events', () => {
  it('reload the dashboard for messages, contacts, campaigns, the zone and a resync only', () => {
    const event = (type: string) => ({ id: 1, type, data: {} }) as AppEvent;
    for (const type of ['message.received', 'message.updated', 'contact.created', 'contacts.changed', 'contacts.imported', 'campaign.started', 'profile.updated']) {
      expect(affectsAnalytics(event(type)), type).toBe(true);
    }
    expect(affectsAnalytics({ type: 'resync' })).toBe(true);
    for (const type of ['whatsapp.status', 'lock.changed', 'tags.changed', 'contacts.import.progress']) {
      expect(affectsAnalytics(event(type)), type).toBe(false);
    }
  });
});
