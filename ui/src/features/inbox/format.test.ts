// The inbox's pure rules: times, ticks, snippets and the ordering kept while live events arrive.
import { describe, expect, it } from 'vitest';
import type { Chat, Message } from '../../api/types';
import { chatMatches, chatTime, dayLabel, mergeMessages, splitSnippet, tickOf, upsertChat } from './format';

const now = new Date(2026, 4, 20, 15, 30); // Wednesday 20 May 2026, local time

function message(id: number, timestamp: string, extra: Partial<Message> = {}): Message {
  return {
    id,
    waMessageId: `w${id}`,
    contactId: 1,
    direction: 'in',
    type: 'chat',
    body: `m${id}`,
    status: 'received',
    ack: 0,
    timestamp,
    createdAt: timestamp,
    ...extra,
  };
}

function chat(id: number, timestamp: string | null, extra: Partial<Chat> = {}): Chat {
  return {
    contact: { id, displayName: `C${id}`, optedOut: false, tags: [] },
    lastMessage: timestamp
      ? { id: id * 10, direction: 'in', type: 'chat', preview: 'x', status: 'received', timestamp }
      : null,
    unreadCount: 0,
    ...extra,
  };
}

const local = (y: number, m: number, d: number, h = 12) => new Date(y, m - 1, d, h).toISOString();

describe('times', () => {
  it('shows the hour today, then yesterday, the weekday and the date', () => {
    expect(chatTime(local(2026, 5, 20, 9), now)).toBe('09:00');
    expect(chatTime(local(2026, 5, 19), now)).toBe('Yesterday');
    expect(chatTime(local(2026, 5, 16), now)).toBe('Saturday');
    expect(chatTime(local(2026, 3, 2), now)).toBe('2 Mar');
    expect(chatTime(local(2025, 12, 31), now)).toBe('31 Dec 2025');
    expect(chatTime('not a date', now)).toBe('');
  });
  it('labels date separators', () => {
    expect(dayLabel(local(2026, 5, 20), now)).toBe('Today');
    expect(dayLabel(local(2026, 5, 19), now)).toBe('Yesterday');
    expect(dayLabel(local(2026, 1, 5), now)).toBe('Monday, 5 January');
    expect(dayLabel(local(2024, 1, 5), now)).toBe('5 January 2024');
  });
});

describe('ticks', () => {
  it('follow the status of outbound messages only', () => {
    expect(tickOf('queued', 'out')).toBe('clock');
    expect(tickOf('sending', 'out')).toBe('clock');
    expect(tickOf('sent', 'out')).toBe('sent');
    expect(tickOf('delivered', 'out')).toBe('delivered');
    expect(tickOf('read', 'out')).toBe('read');
    expect(tickOf('played', 'out')).toBe('read');
    expect(tickOf('failed', 'out')).toBe('failed');
    expect(tickOf('received', 'in')).toBeNull();
  });
});

describe('snippets', () => {
  it('split at the match markers', () => {
    expect(splitSnippet('Do you deliver \u0002roses\u0003 on \u0002Sun\u0003day?')).toEqual([
      { text: 'Do you deliver ', match: false },
      { text: 'roses', match: true },
      { text: ' on ', match: false },
      { text: 'Sun', match: true },
      { text: 'day?', match: false },
    ]);
    expect(splitSnippet('<b>plain</b>')).toEqual([{ text: '<b>plain</b>', match: false }]);
  });
});

describe('threads', () => {
  it('merge by id, newest copy wins, in time order', () => {
    const a = message(1, '2026-05-20T10:00:00Z');
    const b = message(2, '2026-05-20T11:00:00Z');
    const late = message(3, '2026-05-20T09:00:00Z'); // synced history: higher id, older time
    const bRead = { ...b, status: 'read' as const };
    const merged = mergeMessages([a, b], [late, bRead]);
    expect(merged.map((m) => m.id)).toEqual([3, 1, 2]);
    expect(merged[2]!.status).toBe('read');
  });
  it('never moves a message back to an earlier status', () => {
    const queued = message(5, '2026-05-20T10:00:00Z', { direction: 'out', status: 'queued' });
    const sent = { ...queued, status: 'sent' as const };
    expect(mergeMessages([sent], [queued])[0]!.status).toBe('sent');
    expect(mergeMessages([queued], [sent])[0]!.status).toBe('sent');
  });
});

describe('chat list', () => {
  it('keeps chats by last activity when one changes or arrives', () => {
    let list = [chat(1, '2026-05-20T12:00:00Z'), chat(2, '2026-05-20T11:00:00Z'), chat(3, '2026-05-20T10:00:00Z')];
    list = upsertChat(list, chat(3, '2026-05-20T13:00:00Z'));
    expect(list.map((c) => c.contact.id)).toEqual([3, 1, 2]);
    list = upsertChat(list, chat(4, '2026-05-20T11:30:00Z'));
    expect(list.map((c) => c.contact.id)).toEqual([3, 1, 4, 2]);
    list = upsertChat(list, chat(5, null));
    expect(list.at(-1)!.contact.id).toBe(5);
  });
  it('checks a changed chat against the filters', () => {
    const tagged = chat(1, '2026-05-20T12:00:00Z', {
      unreadCount: 2,
      contact: { id: 1, displayName: 'A', optedOut: false, tags: [{ id: 7, name: 'VIP', color: '#000000' }] },
    });
    expect(chatMatches(tagged, { unread: true, tag: 7 })).toBe(true);
    expect(chatMatches({ ...tagged, unreadCount: 0 }, { unread: true, tag: null })).toBe(false);
    expect(chatMatches(tagged, { unread: false, tag: 8 })).toBe(false);
  });
});
