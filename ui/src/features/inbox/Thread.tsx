// The open conversation: history with date separators, loaded backwards as the user scrolls up (the
// scroll position stays put while older messages are inserted above), and forwards from a search result.

import { ArrowDown, Loader2 } from 'lucide-react';
import { Fragment, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import type { Message } from '../../api/types';
import { Alert } from '../../components/ui';
import { Bubble } from './Bubble';
import { dayKey, dayLabel } from './format';
import { useInbox } from './store';

/** Load more when the scroll position is this close to either end (px). */
const EDGE = 240;

export function Thread({ onReply }: { onReply: (message: Message) => void }) {
  const thread = useInbox((s) => s.thread);
  const loadOlder = useInbox((s) => s.loadOlder);
  const loadNewer = useInbox((s) => s.loadNewer);
  const jumpToLatest = useInbox((s) => s.jumpToLatest);
  const scroller = useRef<HTMLDivElement>(null);
  const [nearBottom, setNearBottom] = useState(true);
  const [flashId, setFlashId] = useState<number | null>(null);
  // What the list looked like before the last change, to keep the view steady when older messages load.
  const before = useRef<{ firstId: number | null; lastId: number | null; height: number; top: number }>({
    firstId: null,
    lastId: null,
    height: 0,
    top: 0,
  });

  const messages = useMemo(() => thread?.messages ?? [], [thread?.messages]);
  const byWaId = useMemo(() => new Map(messages.map((m) => [m.waMessageId, m])), [messages]);

  // Keeps the reader's place: older messages prepended push the content down by exactly their height;
  // a new message at the end scrolls into view only when the reader was already at the end.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const firstId = messages[0]?.id ?? null;
    const lastId = messages.at(-1)?.id ?? null;
    const prev = before.current;
    if (prev.firstId !== null && firstId !== prev.firstId && lastId === prev.lastId) {
      el.scrollTop = prev.top + (el.scrollHeight - prev.height);
    } else if (lastId !== prev.lastId && nearBottom && !thread?.highlightId) {
      el.scrollTop = el.scrollHeight;
    }
    before.current = { firstId, lastId, height: el.scrollHeight, top: el.scrollTop };
  }, [messages, nearBottom, thread?.highlightId]);

  const scrollToMessage = useCallback((id: number) => {
    const node = scroller.current?.querySelector<HTMLElement>(`[data-message-id="${id}"]`);
    if (!node) return false;
    node.scrollIntoView({ block: 'center' });
    setFlashId(id);
    return true;
  }, []);

  // A new chat, a jump to a search result, or "latest": scroll once the messages are there.
  const scrollRequest = thread?.scrollRequest ?? 0;
  const loading = thread?.loading ?? false;
  const highlightId = thread?.highlightId ?? null;
  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el || loading) return;
    if (highlightId !== null && scrollToMessage(highlightId)) return;
    el.scrollTop = el.scrollHeight;
    setNearBottom(true);
    before.current = { ...before.current, height: el.scrollHeight, top: el.scrollTop };
  }, [scrollRequest, loading, highlightId, scrollToMessage]);

  useEffect(() => {
    if (flashId === null) return;
    const timer = setTimeout(() => setFlashId((id) => (id === flashId && id !== highlightId ? null : id)), 2500);
    return () => clearTimeout(timer);
  }, [flashId, highlightId]);

  const onScroll = () => {
    const el = scroller.current;
    if (!el) return;
    before.current.top = el.scrollTop;
    before.current.height = el.scrollHeight;
    const distance = el.scrollHeight - el.scrollTop - el.clientHeight;
    setNearBottom(distance < 80);
    if (el.scrollTop < EDGE) void loadOlder();
    if (distance < EDGE) void loadNewer();
  };

  // A short thread does not scroll, so there is no scroll event: fetch older pages until it does.
  useEffect(() => {
    const el = scroller.current;
    if (!el || !thread || thread.loading || thread.loadingOlder || !thread.olderCursor) return;
    if (el.scrollHeight <= el.clientHeight + EDGE) void loadOlder();
  }, [thread, loadOlder]);

  if (!thread) return null;
  if (thread.loading && messages.length === 0) {
    return (
      <div className="flex flex-1 items-center justify-center">
        <Loader2 className="size-5 animate-spin text-zinc-400" aria-label="Loading messages" />
      </div>
    );
  }

  return (
    <div className="relative flex min-h-0 flex-1 flex-col">
      <div
        ref={scroller}
        onScroll={onScroll}
        className="min-h-0 flex-1 overflow-y-auto bg-zinc-50 py-3 dark:bg-zinc-950/40"
        data-testid="thread"
        aria-label="Messages"
        role="log"
      >
        {thread.error && (
          <div className="mx-4 mb-2">
            <Alert title="Could not load messages">{thread.error}</Alert>
          </div>
        )}
        {thread.loadingOlder && (
          <p className="flex items-center justify-center gap-2 py-2 text-xs text-zinc-500">
            <Loader2 className="size-3.5 animate-spin" aria-hidden /> Loading earlier messages…
          </p>
        )}
        {!thread.olderCursor && !thread.loading && messages.length > 0 && (
          <p className="py-2 text-center text-xs text-zinc-400">This is the start of the conversation</p>
        )}
        {messages.length === 0 && !thread.loading && !thread.error && (
          <p className="py-16 text-center text-sm text-zinc-500">No messages yet. Write the first one below.</p>
        )}
        {messages.map((message, i) => {
          const day = dayKey(message.timestamp);
          const newDay = i === 0 || dayKey(messages[i - 1]!.timestamp) !== day;
          const quoted = message.quotedWaId ? (byWaId.get(message.quotedWaId) ?? null) : undefined;
          return (
            <Fragment key={message.id}>
              {newDay && (
                <div className="sticky top-0 z-10 flex justify-center py-2" data-testid="date-separator">
                  <span className="rounded-md bg-white/90 px-2.5 py-0.5 text-xs font-medium text-zinc-600 shadow-xs ring-1 ring-zinc-200 backdrop-blur dark:bg-zinc-800/90 dark:text-zinc-300 dark:ring-zinc-700">
                    {dayLabel(message.timestamp)}
                  </span>
                </div>
              )}
              <Bubble
                message={message}
                quoted={quoted}
                highlighted={message.id === highlightId || message.id === flashId}
                onReply={onReply}
                onQuoteClick={(m) => scrollToMessage(m.id)}
              />
            </Fragment>
          );
        })}
        {thread.loadingNewer && (
          <p className="flex items-center justify-center gap-2 py-2 text-xs text-zinc-500">
            <Loader2 className="size-3.5 animate-spin" aria-hidden /> Loading newer messages…
          </p>
        )}
      </div>
      {(thread.newerCursor || !nearBottom) && (
        <button
          type="button"
          onClick={() => {
            if (thread.newerCursor) void jumpToLatest();
            else if (scroller.current) scroller.current.scrollTop = scroller.current.scrollHeight;
          }}
          className="absolute right-5 bottom-4 flex items-center gap-1.5 rounded-full bg-white px-3 py-1.5 text-xs font-medium text-zinc-700 shadow-md ring-1 ring-zinc-200 hover:bg-zinc-50 dark:bg-zinc-800 dark:text-zinc-200 dark:ring-zinc-700"
        >
          <ArrowDown className="size-3.5" aria-hidden /> Latest messages
        </button>
      )}
    </div>
  );
}
