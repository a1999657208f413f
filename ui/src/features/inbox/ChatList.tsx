// The chat list: one fixed-height row per chat, virtualised (only the rows in view, plus a margin, are in
// the DOM), so 10 000 chats scroll as smoothly as 10. The next page is fetched as the end comes into view.

import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Chat } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { cn } from '../../lib/cn';
import { chatTime } from './format';
import { TickIcon } from './Ticks';
import { tickOf } from './format';

export const CHAT_ROW_HEIGHT = 72;
/** Rows rendered beyond the visible ones, so fast scrolling does not show blanks. */
const OVERSCAN = 8;
/** Start fetching the next page this many rows before the end. */
const PREFETCH_ROWS = 30;

export function TagChip({ name, color }: { name: string; color: string }) {
  return (
    <span
      className="inline-flex h-[18px] max-w-28 items-center truncate rounded px-1.5 text-[11px] font-medium"
      style={{ backgroundColor: `${color}22`, color, boxShadow: `inset 0 0 0 1px ${color}55` }}
      title={name}
    >
      {name}
    </span>
  );
}

function ChatRow({ chat, selected, onOpen }: { chat: Chat; selected: boolean; onOpen: (id: number) => void }) {
  const last = chat.lastMessage;
  const tick = last ? tickOf(last.status, last.direction) : null;
  const unread = chat.unreadCount > 0;
  return (
    <button
      type="button"
      role="option"
      aria-selected={selected}
      data-testid="chat-row"
      data-contact-id={chat.contact.id}
      onClick={() => onOpen(chat.contact.id)}
      className={cn(
        'flex w-full items-center gap-3 px-3 text-left transition-colors focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-inset focus-visible:ring-brand-500',
        selected ? 'bg-brand-50 dark:bg-brand-900/25' : 'hover:bg-zinc-100/80 dark:hover:bg-zinc-800/50',
      )}
      style={{ height: CHAT_ROW_HEIGHT }}
    >
      <Avatar name={chat.contact.displayName} size="lg" />
      <div className="min-w-0 flex-1 border-b border-zinc-100 py-2.5 dark:border-zinc-800/70">
        <div className="flex items-baseline gap-2">
          <p className={cn('min-w-0 flex-1 truncate text-[14px]', unread ? 'font-semibold' : 'font-medium')} data-testid="chat-name">
            {chat.contact.displayName}
          </p>
          {last && (
            <time
              dateTime={last.timestamp}
              className={cn('shrink-0 text-xs tabular-nums', unread ? 'font-medium text-brand-600 dark:text-brand-400' : 'text-zinc-500 dark:text-zinc-400')}
            >
              {chatTime(last.timestamp)}
            </time>
          )}
        </div>
        <div className="mt-0.5 flex items-center gap-1.5">
          {tick && <TickIcon tick={tick} error={last?.error} className="size-3.5 shrink-0" />}
          <p className="min-w-0 flex-1 truncate text-[13px] text-zinc-500 dark:text-zinc-400" data-testid="chat-preview">
            {last ? last.preview : 'No messages yet'}
          </p>
          {chat.contact.tags.slice(0, 2).map((t) => (
            <TagChip key={t.id} name={t.name} color={t.color} />
          ))}
          {chat.contact.tags.length > 2 && <span className="text-[11px] text-zinc-400">+{chat.contact.tags.length - 2}</span>}
          {unread && (
            <span
              className="ml-0.5 inline-flex h-5 min-w-5 shrink-0 items-center justify-center rounded-full bg-brand-600 px-1.5 text-[11px] font-semibold text-white tabular-nums"
              data-testid="unread-badge"
              aria-label={`${chat.unreadCount} unread`}
            >
              {chat.unreadCount > 999 ? '999+' : chat.unreadCount}
            </span>
          )}
        </div>
      </div>
    </button>
  );
}

export function ChatList({
  chats,
  selectedId,
  hasMore,
  loading,
  onOpen,
  onEndReached,
}: {
  chats: Chat[];
  selectedId: number | null;
  hasMore: boolean;
  loading: boolean;
  onOpen: (contactId: number) => void;
  onEndReached: () => void;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(600);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setHeight(el.clientHeight);
    const observer = new ResizeObserver(() => setHeight(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / CHAT_ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(chats.length, Math.ceil((scrollTop + height) / CHAT_ROW_HEIGHT) + OVERSCAN);

  useEffect(() => {
    if (hasMore && !loading && last >= chats.length - PREFETCH_ROWS) onEndReached();
  }, [last, chats.length, hasMore, loading, onEndReached]);

  // Arrow keys move through chats like a list box; the focused row opens on Enter (a button's default).
  const onKeyDown = useCallback(
    (event: React.KeyboardEvent) => {
      if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
      event.preventDefault();
      const index = chats.findIndex((c) => c.contact.id === selectedId);
      const next = Math.min(chats.length - 1, Math.max(0, index + (event.key === 'ArrowDown' ? 1 : -1)));
      const chat = chats[next];
      if (!chat) return;
      onOpen(chat.contact.id);
      const el = scroller.current;
      if (el) {
        const top = next * CHAT_ROW_HEIGHT;
        if (top < el.scrollTop) el.scrollTop = top;
        else if (top + CHAT_ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + CHAT_ROW_HEIGHT - el.clientHeight;
      }
    },
    [chats, selectedId, onOpen],
  );

  return (
    <div
      ref={scroller}
      role="listbox"
      aria-label="Chats"
      tabIndex={-1}
      onKeyDown={onKeyDown}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      className="min-h-0 flex-1 overflow-y-auto"
      data-testid="chat-list"
    >
      <div style={{ height: chats.length * CHAT_ROW_HEIGHT, position: 'relative' }}>
        <div style={{ position: 'absolute', top: first * CHAT_ROW_HEIGHT, left: 0, right: 0 }}>
          {chats.slice(first, last).map((chat) => (
            <ChatRow key={chat.contact.id} chat={chat} selected={chat.contact.id === selectedId} onOpen={onOpen} />
          ))}
        </div>
      </div>
      {loading && chats.length > 0 && <p className="py-3 text-center text-xs text-zinc-500">Loading more chats…</p>}
    </div>
  );
}
