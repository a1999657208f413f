// Pure helpers of the inbox: times and day separators, ticks, search snippets, and the ordering rules the
// chat list and threads keep while live events arrive. No React here, so they are unit-tested directly.

import { differenceInCalendarDays, format, isSameYear } from 'date-fns';
import type { Chat, Message, MessageStatus } from '../../api/types';

/** The time shown on a chat row: the hour today, "Yesterday", the weekday this week, else the date. */
export function chatTime(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const days = differenceInCalendarDays(now, at);
  if (days <= 0) return format(at, 'HH:mm');
  if (days === 1) return 'Yesterday';
  if (days < 7) return format(at, 'EEEE');
  return format(at, isSameYear(at, now) ? 'd MMM' : 'd MMM yyyy');
}

/** The label of a date separator in a thread. */
export function dayLabel(iso: string, now: Date = new Date()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return '';
  const days = differenceInCalendarDays(now, at);
  if (days <= 0) return 'Today';
  if (days === 1) return 'Yesterday';
  if (days < 7) return format(at, 'EEEE');
  return format(at, isSameYear(at, now) ? 'EEEE, d MMMM' : 'd MMMM yyyy');
}

/** The clock time on a bubble. */
export function bubbleTime(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '' : format(at, 'HH:mm');
}

/** Calendar day key (local time) used to place date separators. */
export function dayKey(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? '' : format(at, 'yyyy-MM-dd');
}

export type Tick = 'clock' | 'sent' | 'delivered' | 'read' | 'failed';

/** The tick an outbound message shows; inbound messages show none. */
export function tickOf(status: MessageStatus, direction: 'in' | 'out'): Tick | null {
  if (direction === 'in') return null;
  switch (status) {
    case 'queued':
    case 'sending':
      return 'clock';
    case 'sent':
      return 'sent';
    case 'delivered':
      return 'delivered';
    case 'read':
    case 'played':
      return 'read';
    case 'failed':
      return 'failed';
    default:
      return null;
  }
}

/** What a tick means, for tooltips and screen readers. */
export function tickLabel(tick: Tick, error?: string | null): string {
  switch (tick) {
    case 'clock':
      return 'Waiting to send';
    case 'sent':
      return 'Sent';
    case 'delivered':
      return 'Delivered';
    case 'read':
      return 'Read';
    case 'failed':
      return error ? `Not sent: ${error}` : 'Not sent';
  }
}

export interface SnippetPart {
  text: string;
  match: boolean;
}

/** Splits a search snippet at the U+0002 … U+0003 markers the server puts around matched words. */
export function splitSnippet(snippet: string): SnippetPart[] {
  const parts: SnippetPart[] = [];
  let match = false;
  let current = '';
  for (const ch of snippet) {
    if (ch === '\u0002' || ch === '\u0003') {
      if (current) parts.push({ text: current, match });
      current = '';
      match = ch === '\u0002';
    } else {
      current += ch;
    }
  }
  if (current) parts.push({ text: current, match });
  return parts;
}

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

function messageOrder(a: Message, b: Message): number {
  const t = Date.parse(a.timestamp) - Date.parse(b.timestamp);
  return t !== 0 ? t : a.id - b.id;
}

/** How far a message has come; statuses only move forward except for retries, which show the same clock. */
const STATUS_RANK: Record<MessageStatus, number> = {
  received: 0,
  queued: 1,
  sending: 2,
  sent: 3,
  delivered: 4,
  read: 5,
  played: 6,
  failed: 7,
};

/**
 * Merges messages into a thread kept oldest first: one entry per id, ordered by WhatsApp's time and then
 * id, like the server's own order. The incoming copy wins unless the one already shown is further along:
 * a page fetched before an ack arrived must not turn blue ticks back to grey.
 */
export function mergeMessages(existing: Message[], incoming: Message[]): Message[] {
  if (incoming.length === 0) return existing;
  const byId = new Map<number, Message>();
  for (const m of existing) byId.set(m.id, m);
  for (const m of incoming) {
    const shown = byId.get(m.id);
    if (!shown || STATUS_RANK[m.status] >= STATUS_RANK[shown.status]) byId.set(m.id, m);
  }
  return [...byId.values()].sort(messageOrder);
}

function chatOrder(a: Chat, b: Chat): number {
  const ta = a.lastMessage ? Date.parse(a.lastMessage.timestamp) : -Infinity;
  const tb = b.lastMessage ? Date.parse(b.lastMessage.timestamp) : -Infinity;
  if (ta !== tb) return tb - ta;
  return b.contact.id - a.contact.id;
}

/** Puts a chat (new or changed) into a list sorted by last activity, newest first. */
export function upsertChat(chats: Chat[], chat: Chat): Chat[] {
  const rest = chats.filter((c) => c.contact.id !== chat.contact.id);
  const index = rest.findIndex((c) => chatOrder(chat, c) < 0);
  if (index === -1) return [...rest, chat];
  return [...rest.slice(0, index), chat, ...rest.slice(index)];
}

export interface ChatFilters {
  unread: boolean;
  tag: number | null;
}

/** Whether a chat belongs in the list under the filters (used for chats that change while shown). */
export function chatMatches(chat: Chat, filters: ChatFilters): boolean {
  if (filters.unread && chat.unreadCount === 0) return false;
  if (filters.tag !== null && !chat.contact.tags.some((t) => t.id === filters.tag)) return false;
  return true;
}
