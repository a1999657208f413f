// The campaigns screen's pure helpers: what the wizard submits, where server errors go, presets, inserting
// variables, progress and funnel figures, times in the business's zone, and live list updates.
import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/errors';
import type { Campaign, Recipient } from '../../api/types';
import {
  applyRecipient,
  defaultScheduleValue,
  draftOf,
  durationText,
  emptyDraft,
  fieldErrors,
  firstStepWithError,
  funnelOf,
  insertAt,
  inputOf,
  listActionsFor,
  liveActionsFor,
  localInputValue,
  msOfSeconds,
  presetOf,
  problemText,
  PRESETS,
  progressOf,
  secondsOf,
  stepOfField,
  upsertCampaign,
  variableSnippet,
  waitingText,
  whenText,
} from './logic';

function campaign(patch: Partial<Campaign> = {}): Campaign {
  return {
    id: 1,
    name: 'Spring sale',
    messageContent: 'Hi {{first_name|there}}',
    media: null,
    targetType: 'tags',
    targetTags: [3],
    tagMode: 'any',
    excludeTags: [],
    contactIds: [],
    scheduledAt: null,
    scheduledLocal: null,
    pacing: PRESETS.normal,
    status: 'draft',
    statusReason: null,
    startedAt: null,
    completedAt: null,
    totalRecipients: 0,
    sentCount: 0,
    deliveredCount: 0,
    readCount: 0,
    failedCount: 0,
    skippedCount: 0,
    repliedCount: 0,
    pendingCount: 0,
    nextSendAt: null,
    waitingFor: null,
    estimatedFinishAt: null,
    createdAt: '2026-05-01T10:00:00Z',
    updatedAt: '2026-05-01T10:00:00Z',
    ...patch,
  };
}

function recipient(id: number, position: number, status: Recipient['status']): Recipient {
  return {
    id,
    campaignId: 1,
    contactId: id,
    phoneNumber: `+1415555010${id}`,
    name: `R${id}`,
    position,
    status,
    reason: null,
    messageId: null,
    sentAt: null,
    deliveredAt: null,
    readAt: null,
    repliedAt: null,
  };
}

describe('the wizard input', () => {
  it('sends only what the chosen audience uses, and the schedule only when "later"', () => {
    const draft = { ...emptyDraft(), name: '  Spring  ', targetType: 'custom' as const, targetTags: [9], contacts: [{ id: 4, name: 'Ana' }], messageContent: 'Hi' };
    const input = inputOf(draft);
    expect(input).toMatchObject({ name: 'Spring', targetType: 'custom', targetTags: [], contactIds: [4], scheduledAt: undefined });
    expect(inputOf({ ...draft, targetType: 'tags' })).toMatchObject({ targetTags: [9], contactIds: [] });
    expect(inputOf({ ...draft, schedule: 'later', scheduledLocal: '2026-03-08T02:30' }).scheduledAt).toBe('2026-03-08T02:30');
  });

  it('reads a saved campaign back, schedule included', () => {
    const draft = draftOf(campaign({ scheduledLocal: '2026-06-01T09:00', scheduledAt: '2026-06-01T13:00:00Z' }), []);
    expect(draft).toMatchObject({ schedule: 'later', scheduledLocal: '2026-06-01T09:00', targetTags: [3] });
    expect(draftOf(campaign(), []).schedule).toBe('now');
  });

  it('puts each server field on its step, and finds the first step with a problem', () => {
    expect(stepOfField('name')).toBe('audience');
    expect(stepOfField('targetTags')).toBe('audience');
    expect(stepOfField('messageContent')).toBe('message');
    expect(stepOfField('pacing.quietHours.end')).toBe('pacing');
    expect(stepOfField('scheduledAt')).toBe('schedule');
    const errors = fieldErrors([
      { field: 'scheduledAt', message: '2026-03-08 02:30 does not exist in America/New_York' },
      { field: 'pacing.maxGapMs', message: 'Too short.' },
      { field: 'pacing.maxGapMs', message: 'Under a day.' },
    ]);
    expect(errors['pacing.maxGapMs']).toBe('Too short. Under a day.');
    expect(firstStepWithError(errors)).toBe('pacing');
    expect(firstStepWithError({})).toBeNull();
  });

  it('says what went wrong with every field the server named', () => {
    const refused = new ApiError(400, 'validation_failed', 'The campaign has problems', [
      { field: 'targetType', message: 'The audience has no contacts' },
      { field: 'scheduledAt', message: 'The scheduled time is in the past' },
    ]);
    expect(problemText(refused)).toBe('The campaign has problems: The audience has no contacts The scheduled time is in the past');
    expect(problemText(new ApiError(409, 'conflict', 'The campaign is sending'))).toBe('The campaign is sending');
    expect(problemText('offline')).toBe('offline');
  });

  it('knows the presets and calls anything else custom', () => {
    expect(presetOf(structuredClone(PRESETS.careful))).toBe('careful');
    expect(presetOf(emptyDraft().pacing)).toBe('normal');
    expect(presetOf({ ...PRESETS.normal, minGapMs: 0 })).toBeNull();
    expect(PRESETS.careful.hourlyCap).toBeLessThan(PRESETS.normal.hourlyCap);
  });

  it('converts between seconds and milliseconds without float noise', () => {
    expect(msOfSeconds(1.5)).toBe(1500);
    expect(secondsOf(30_000)).toBe(30);
    expect(secondsOf(msOfSeconds(0.1))).toBe(0.1);
  });
});

describe('variables', () => {
  it('writes a variable with an optional fallback, dropping characters that would break it', () => {
    expect(variableSnippet('first_name')).toBe('{{first_name}}');
    expect(variableSnippet('first_name', ' there ')).toBe('{{first_name|there}}');
    expect(variableSnippet('city', 'a {b}|c')).toBe('{{city|a bc}}');
  });

  it('inserts at the caret or over the selection', () => {
    expect(insertAt('Hi !', 3, 3, '{{name}}')).toEqual({ text: 'Hi {{name}}!', caret: 11 });
    expect(insertAt('Hi you!', 3, 6, '{{name}}')).toEqual({ text: 'Hi {{name}}!', caret: 11 });
    expect(insertAt('Hi', 99, 99, '!')).toEqual({ text: 'Hi!', caret: 3 });
  });
});

describe('figures', () => {
  it('counts sent, failed and skipped as done', () => {
    const p = progressOf(campaign({ totalRecipients: 10, sentCount: 4, failedCount: 1, skippedCount: 2 }));
    expect(p).toMatchObject({ done: 7, total: 10, sentPercent: 40, failedPercent: 10, skippedPercent: 20, percent: 70 });
    expect(progressOf(campaign()).percent).toBe(0);
  });

  it('builds the funnel as shares of the step before', () => {
    const steps = funnelOf(campaign({ totalRecipients: 12, skippedCount: 2, sentCount: 10, deliveredCount: 8, readCount: 4, repliedCount: 1 }));
    expect(steps.map((s) => [s.label, s.count, s.percent])).toEqual([
      ['To send', 10, 100],
      ['Sent', 10, 100],
      ['Delivered', 8, 80],
      ['Read', 4, 50],
      ['Replied', 1, 25],
    ]);
    expect(funnelOf(campaign()).every((s) => s.percent === 0)).toBe(true);
  });

  it('says durations the way people do', () => {
    expect(durationText(45_000)).toBe('45 s');
    expect(durationText(12 * 60_000)).toBe('12 min');
    expect(durationText(125 * 60_000)).toBe('2 h 5 min');
    expect(durationText(2 * 3_600_000)).toBe('2 h');
    expect(durationText(76 * 3_600_000)).toBe('3 d 4 h');
    expect(durationText(-5)).toBe('0 s');
  });

  it('shows times in the business zone: the time alone today, the date otherwise', () => {
    const now = new Date('2026-06-10T15:00:00Z');
    expect(whenText('2026-06-10T18:30:00Z', 'America/New_York', now, 'en-GB')).toBe('14:30');
    // 03:30 UTC on the 11th is still the 10th in New York.
    expect(whenText('2026-06-11T03:30:00Z', 'America/New_York', now, 'en-GB')).toBe('23:30');
    expect(whenText('2026-06-12T13:00:00Z', 'America/New_York', now, 'en-GB')).toBe('Fri 12 Jun, 9:00');
    expect(whenText('2026-06-10T18:30:00Z', 'America/New_York', now, 'en-US')).toBe('2:30 PM');
    expect(whenText(null, 'America/New_York', now)).toBe('—');
    expect(whenText('2026-06-10T18:30:00Z', 'Not/AZone', now, 'en-GB')).not.toBe('—');
  });

  it('gives a datetime-local value in the business zone, and a default start on a whole hour', () => {
    expect(localInputValue(new Date('2026-06-10T18:30:00Z'), 'America/New_York')).toBe('2026-06-10T14:30');
    expect(localInputValue(new Date('2026-06-10T23:05:00Z'), 'Asia/Tokyo')).toBe('2026-06-11T08:05');
    expect(defaultScheduleValue(new Date('2026-06-10T18:10:00Z'), 'America/New_York')).toBe('2026-06-10T15:00');
    expect(defaultScheduleValue(new Date('2026-06-10T18:40:00Z'), 'America/New_York')).toBe('2026-06-10T16:00');
  });

  it('names what a sending campaign waits for', () => {
    expect(waitingText('quiet_hours')).toBe('Quiet hours');
    expect(waitingText('whatsapp')).toBe('Waiting for WhatsApp to connect');
    expect(waitingText('something_new')).toBe('something new');
    expect(waitingText(null)).toBeNull();
  });
});

describe('actions per status', () => {
  it('offers edit only before sending and delete except while sending', () => {
    expect(listActionsFor('draft')).toEqual(['open', 'edit', 'duplicate', 'delete']);
    expect(listActionsFor('sending')).toEqual(['open', 'duplicate']);
    expect(listActionsFor('completed')).toEqual(['open', 'duplicate', 'delete']);
  });

  it('offers pause while sending and resume while paused, nothing once finished', () => {
    expect(liveActionsFor('sending')).toEqual(['pause', 'cancel']);
    expect(liveActionsFor('paused')).toEqual(['resume', 'cancel']);
    expect(liveActionsFor('draft')).toEqual(['send', 'cancel']);
    expect(liveActionsFor('completed')).toEqual([]);
    expect(liveActionsFor('cancelled')).toEqual([]);
  });
});

describe('live updates', () => {
  it('replaces a campaign in place and adds a new one at the top', () => {
    const list = [campaign({ id: 3 }), campaign({ id: 1 })];
    expect(upsertCampaign(list, campaign({ id: 1, status: 'sending' })).map((c) => [c.id, c.status])).toEqual([
      [3, 'draft'],
      [1, 'sending'],
    ]);
    expect(upsertCampaign(list, campaign({ id: 4 })).map((c) => c.id)).toEqual([4, 3, 1]);
  });

  it('patches, drops and inserts recipients as their status moves under a filter', () => {
    const rows = [recipient(1, 1, 'pending'), recipient(2, 2, 'pending'), recipient(3, 3, 'pending')];
    expect(applyRecipient(rows, recipient(2, 2, 'sent'), null, true)[1]!.status).toBe('sent');
    // Filtering on pending: a recipient that was sent leaves the table.
    expect(applyRecipient(rows, recipient(2, 2, 'sent'), 'pending', true).map((r) => r.id)).toEqual([1, 3]);
    // Filtering on read: one that now is read joins, in send order.
    const read = [recipient(1, 1, 'read'), recipient(3, 3, 'read')];
    expect(applyRecipient(read, recipient(2, 2, 'read'), 'read', true).map((r) => r.id)).toEqual([1, 2, 3]);
    // Beyond the rows loaded so far it waits for its page.
    expect(applyRecipient(read, recipient(9, 9, 'read'), 'read', false).map((r) => r.id)).toEqual([1, 3]);
    expect(applyRecipient(read, recipient(9, 9, 'read'), 'read', true).map((r) => r.id)).toEqual([1, 3, 9]);
  });
});
