// What the search box finds: chats whose contact matches by name or number, and messages (full-text, with
// the matched words highlighted). Choosing a message opens its chat scrolled to it, highlighted.

import { Loader2 } from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import type { Chat, SearchHit } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { getChats, searchMessages } from './api';
import { chatTime, splitSnippet } from './format';

/** Wait this long after the last keystroke before asking the server. */
const DEBOUNCE_MS = 200;

function Snippet({ text }: { text: string }) {
  return (
    <>
      {splitSnippet(text).map((part, i) =>
        part.match ? (
          <mark key={i} className="rounded-sm bg-amber-200/80 px-0.5 text-inherit dark:bg-amber-500/40">
            {part.text}
          </mark>
        ) : (
          <span key={i}>{part.text}</span>
        ),
      )}
    </>
  );
}

/** One titled group of search results (the matching chats, the matching messages). */
function ResultsSection({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section>
      <h3 className="px-4 pt-3 pb-1 text-xs font-semibold tracking-wide text-zinc-500 uppercase">{title}</h3>
      {children}
    </section>
  );
}

export function SearchResults({
  query,
  onOpenChat,
  onOpenMessage,
}: {
  query: string;
  onOpenChat: (contactId: number) => void;
  onOpenMessage: (contactId: number, messageId: number) => void;
}) {
  const [chats, setChats] = useState<Chat[]>([]);
  const [hits, setHits] = useState<SearchHit[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    setLoading(true);
    setError(null);
    const timer = setTimeout(() => {
      Promise.all([getChats({ q: query, limit: 8 }), searchMessages(query)])
        .then(([chatPage, hitPage]) => {
          if (!live) return;
          setChats(chatPage.data);
          setHits(hitPage.data);
          setCursor(hitPage.nextCursor);
        })
        .catch((e: unknown) => live && setError(e instanceof Error ? e.message : String(e)))
        .finally(() => live && setLoading(false));
    }, DEBOUNCE_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [query]);

  const more = async () => {
    if (!cursor) return;
    setLoading(true);
    try {
      const page = await searchMessages(query, cursor);
      setHits((h) => [...h, ...page.data]);
      setCursor(page.nextCursor);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoading(false);
    }
  };

  return (
    <div className="min-h-0 flex-1 overflow-y-auto" data-testid="search-results">
      {error && <p className="px-4 py-3 text-sm text-red-600 dark:text-red-400">{error}</p>}
      {chats.length > 0 && (
        <ResultsSection title="Chats">
          {chats.map((chat) => (
            <button
              key={chat.contact.id}
              type="button"
              onClick={() => onOpenChat(chat.contact.id)}
              className="flex w-full items-center gap-3 px-4 py-2 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800/60"
            >
              <Avatar name={chat.contact.displayName} />
              <div className="min-w-0">
                <p className="truncate text-[14px] font-medium">{chat.contact.displayName}</p>
                <p className="truncate text-xs text-zinc-500">{chat.contact.phoneNumber}</p>
              </div>
            </button>
          ))}
        </ResultsSection>
      )}
      <ResultsSection title="Messages">
        {hits.map((hit) => (
          <button
            key={hit.message.id}
            type="button"
            onClick={() => onOpenMessage(hit.contact.id, hit.message.id)}
            className="block w-full px-4 py-2 text-left hover:bg-zinc-100 dark:hover:bg-zinc-800/60"
            data-testid="search-hit"
          >
            <span className="flex items-baseline gap-2">
              <span className="min-w-0 flex-1 truncate text-[13.5px] font-medium">{hit.contact.displayName}</span>
              <time className="shrink-0 text-xs text-zinc-500" dateTime={hit.message.timestamp}>
                {chatTime(hit.message.timestamp)}
              </time>
            </span>
            <span className="line-clamp-2 text-[13px] text-zinc-600 dark:text-zinc-400">
              {hit.message.direction === 'out' && <span className="text-zinc-400">You: </span>}
              <Snippet text={hit.snippet} />
            </span>
          </button>
        ))}
        {!loading && hits.length === 0 && !error && (
          <p className="px-4 py-3 text-sm text-zinc-500">No messages contain “{query}”.</p>
        )}
        {loading && (
          <p className="flex items-center gap-2 px-4 py-3 text-sm text-zinc-500">
            <Loader2 className="size-4 animate-spin" aria-hidden /> Searching…
          </p>
        )}
        {cursor && !loading && (
          <button type="button" onClick={() => void more()} className="w-full px-4 py-3 text-sm font-medium text-brand-700 hover:underline dark:text-brand-400">
            More results
          </button>
        )}
      </ResultsSection>
    </div>
  );
}
