// The Inbox: the chat list (filters, search across chats and messages) beside the open conversation and
// its composer; in demo mode, the simulated phone on the right. Files dropped on the conversation become
// the attachment of the next message.

import { Bell, MessagesSquare, PenSquare, Search, Smartphone, Upload, X } from 'lucide-react';
import { useCallback, useEffect, useMemo, useState, type DragEvent } from 'react';
import type { Message, Tag } from '../../api/types';
import { EmptyState } from '../../components/Page';
import { Select } from '../../components/ui';
import { cn } from '../../lib/cn';
import { href, useRoute } from '../../lib/router';
import { modKey, navModifier, searchBox } from '../../lib/shortcuts';
import { openNewMessage } from '../../features/inbox/NewMessage';
import { useAppStore } from '../../store/app';
import { Avatar } from '../../components/Avatar';
import { ChatList, TagChip } from '../../features/inbox/ChatList';
import { attachmentOf, Composer, type Attachment } from '../../features/inbox/Composer';
import { notificationPermission, requestNotifications, type NotificationPermissionState } from '../../features/inbox/notifications';
import { SearchResults } from '../../features/inbox/SearchResults';
import { SimulatedPhone } from '../../features/inbox/SimulatedPhone';
import { Thread } from '../../features/inbox/Thread';
import { useInbox } from '../../features/inbox/store';

function useWhatsAppState(): string | null {
  const view = useAppStore((s) => s.whatsapp);
  return view.kind === 'status' ? view.status.state : null;
}

export function InboxScreen() {
  const app = useAppStore((s) => s.app);
  const waState = useWhatsAppState();
  const connected = waState === 'connected';
  const chats = useInbox((s) => s.chats);
  const nextCursor = useInbox((s) => s.nextCursor);
  const listLoaded = useInbox((s) => s.listLoaded);
  const listLoading = useInbox((s) => s.listLoading);
  const listError = useInbox((s) => s.listError);
  const filters = useInbox((s) => s.filters);
  const tags = useInbox((s) => s.tags);
  const selectedId = useInbox((s) => s.selectedId);
  const selected = useInbox((s) => s.selected);
  const { loadChats, loadMoreChats, loadTags, setFilters, openChat } = useInbox.getState();

  const [query, setQuery] = useState('');
  const [replyTo, setReplyTo] = useState<Message | null>(null);
  const [attachment, setAttachment] = useState<Attachment | null>(null);
  const [dropError, setDropError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const [permission, setPermission] = useState<NotificationPermissionState>(notificationPermission);
  const demoUrl = app?.demo ? (app.simulatorUrl ?? null) : null;
  const [phoneOpen, setPhoneOpen] = useState(true);

  // `#/inbox/<contactId>` (a notification's click, a new message) opens that chat; the address then
  // goes back to `#/inbox`, so the same chat can be asked for again.
  const chatInRoute = Number(useRoute().path[0]);
  useEffect(() => {
    if (!Number.isInteger(chatInRoute) || chatInRoute <= 0) return;
    void openChat(chatInRoute);
    window.history.replaceState(null, '', href('inbox'));
  }, [chatInRoute, openChat]);

  useEffect(() => {
    document.title = 'Inbox · WhatsFlow';
    void loadChats();
    void loadTags();
  }, [loadChats, loadTags]);

  // A reply or attachment belongs to the chat it was started in.
  useEffect(() => {
    setReplyTo(null);
    setAttachment(null);
    setDropError(null);
  }, [selectedId]);

  // Tags to filter by: all of them when the server lists tags, else the ones seen on loaded chats.
  const tagOptions: Tag[] = useMemo(() => {
    if (tags) return tags;
    const seen = new Map<number, Tag>();
    for (const chat of chats) for (const t of chat.contact.tags) seen.set(t.id, t);
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  }, [tags, chats]);

  const onOpen = useCallback((id: number) => void openChat(id), [openChat]);
  const onEndReached = useCallback(() => void loadMoreChats(), [loadMoreChats]);

  const attach = (file: File) => {
    const result = attachmentOf(file);
    if (typeof result === 'string') setDropError(result);
    else {
      setDropError(null);
      setAttachment((old) => {
        if (old?.preview) URL.revokeObjectURL(old.preview);
        return result;
      });
    }
  };

  const onDrop = (event: DragEvent) => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer.files[0];
    if (file && selected) attach(file);
  };

  const searching = query.trim() !== '';
  const filtered = filters.unread || filters.tag !== null;

  let listBody;
  if (searching) {
    listBody = (
      <SearchResults
        query={query.trim()}
        onOpenChat={(id) => void openChat(id)}
        onOpenMessage={(contactId, messageId) => void openChat(contactId, messageId)}
      />
    );
  } else if (listError && chats.length === 0) {
    listBody = (
      <div className="p-4 text-sm text-red-600 dark:text-red-400" role="alert">
        Could not load chats: {listError}{' '}
        <button type="button" className="font-medium underline" onClick={() => void loadChats()}>
          Try again
        </button>
      </div>
    );
  } else if (listLoaded && chats.length === 0) {
    listBody = filtered ? (
      <p className="p-6 text-center text-sm text-zinc-500">No chats match these filters.</p>
    ) : connected ? (
      <EmptyState icon={MessagesSquare} title="No conversations yet">
        Messages from your customers appear here as soon as they write to your WhatsApp number.
      </EmptyState>
    ) : (
      <EmptyState
        icon={MessagesSquare}
        title="Connect WhatsApp to start"
        action={
          <a href={href('connect')} className="inline-flex h-9 items-center rounded-lg bg-brand-600 px-3.5 text-sm font-medium text-white shadow-sm hover:bg-brand-700">
            Connect WhatsApp
          </a>
        }
      >
        {demoUrl
          ? 'This is a demo: on the simulated phone at the right, press “Scan the QR code”, then send a message as a customer.'
          : 'Link your business number by scanning a QR code with WhatsApp on your phone (Settings → Linked devices). Your chats then appear here.'}
      </EmptyState>
    );
  } else {
    listBody = (
      <ChatList chats={chats} selectedId={selectedId} hasMore={nextCursor !== null} loading={listLoading} onOpen={onOpen} onEndReached={onEndReached} />
    );
  }

  return (
    <div className="flex min-h-0 min-w-0 flex-1">
      <section aria-label="Chat list" className="flex w-[22rem] shrink-0 flex-col border-r border-zinc-200 dark:border-zinc-800/80">
        <header className="flex h-14 shrink-0 items-center gap-2 border-b border-zinc-200 px-4 dark:border-zinc-800/80">
          <h1 className="flex-1 text-[15px] font-semibold tracking-tight">Inbox</h1>
          <button
            type="button"
            onClick={openNewMessage}
            title={`Write to any number (${navModifier}+N)`}
            className="flex items-center gap-1.5 rounded-md px-2 py-1 text-xs font-medium text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
          >
            <PenSquare className="size-3.5" aria-hidden /> New message
          </button>
          {permission === 'default' && (
            <button
              type="button"
              onClick={() => void requestNotifications().then(setPermission)}
              title="Get a desktop notification when a customer writes while WhatsFlow is in the background"
              className="flex items-center gap-1.5 rounded-md px-2 py-1 text-xs font-medium text-zinc-600 hover:bg-zinc-100 dark:text-zinc-400 dark:hover:bg-zinc-800"
            >
              <Bell className="size-3.5" aria-hidden /> Notify me
            </button>
          )}
          {demoUrl && !phoneOpen && (
            <button
              type="button"
              onClick={() => setPhoneOpen(true)}
              className="flex items-center gap-1.5 rounded-md bg-amber-100 px-2 py-1 text-xs font-medium text-amber-900 hover:bg-amber-200 dark:bg-amber-900/40 dark:text-amber-100"
            >
              <Smartphone className="size-3.5" aria-hidden /> Simulated phone
            </button>
          )}
        </header>
        <div className="space-y-2 border-b border-zinc-200 p-3 dark:border-zinc-800/80">
          <label className="relative block">
            <Search className="pointer-events-none absolute top-1/2 left-3 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
            <input
              type="search"
              {...searchBox}
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              onKeyDown={(e) => e.key === 'Escape' && setQuery('')}
              placeholder={`Search chats and messages (${modKey}+K)`}
              aria-label="Search chats and messages"
              className="h-9 w-full rounded-lg border-0 bg-zinc-100 pr-8 pl-9 text-sm text-zinc-900 placeholder:text-zinc-500 focus:ring-2 focus:ring-brand-600 focus:outline-none dark:bg-zinc-800 dark:text-zinc-100"
            />
            {searching && (
              <button type="button" onClick={() => setQuery('')} aria-label="Clear search" className="absolute top-1/2 right-2 -translate-y-1/2 rounded p-0.5 text-zinc-400 hover:text-zinc-700">
                <X className="size-4" aria-hidden />
              </button>
            )}
          </label>
          {!searching && (
            <div className="flex items-center gap-2">
              <div role="group" aria-label="Show" className="flex rounded-lg bg-zinc-100 p-0.5 text-[13px] dark:bg-zinc-800">
                {[
                  { label: 'All', unread: false },
                  { label: 'Unread', unread: true },
                ].map((option) => (
                  <button
                    key={option.label}
                    type="button"
                    aria-pressed={filters.unread === option.unread}
                    onClick={() => filters.unread !== option.unread && setFilters({ unread: option.unread })}
                    className={cn(
                      'rounded-md px-2.5 py-1 font-medium',
                      filters.unread === option.unread ? 'bg-white text-zinc-900 shadow-xs dark:bg-zinc-700 dark:text-zinc-50' : 'text-zinc-600 dark:text-zinc-400',
                    )}
                  >
                    {option.label}
                  </button>
                ))}
              </div>
              <Select
                aria-label="Filter by tag"
                className="min-w-0 flex-1"
                value={filters.tag === null ? '' : String(filters.tag)}
                onChange={(e) => setFilters({ tag: e.target.value === '' ? null : Number(e.target.value) })}
              >
                <option value="">All tags</option>
                {tagOptions.map((t) => (
                  <option key={t.id} value={t.id}>
                    {t.name}
                  </option>
                ))}
              </Select>
            </div>
          )}
        </div>
        {listBody}
      </section>

      <section
        aria-label="Conversation"
        className="relative flex min-w-0 flex-1 flex-col"
        onDragOver={(e) => {
          if (!selected || !e.dataTransfer.types.includes('Files')) return;
          e.preventDefault();
          setDragging(true);
        }}
        onDragLeave={(e) => {
          if (e.currentTarget === e.target) setDragging(false);
        }}
        onDrop={onDrop}
      >
        {selected ? (
          <>
            <header className="flex h-14 shrink-0 items-center gap-3 border-b border-zinc-200 px-4 dark:border-zinc-800/80">
              <Avatar name={selected.contact.displayName} />
              <div className="min-w-0 flex-1">
                <h2 className="truncate text-[14px] font-semibold" data-testid="thread-title">
                  {selected.contact.displayName}
                </h2>
                <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">
                  {selected.contact.phoneNumber ?? 'Number hidden by WhatsApp'}
                  {selected.contact.optedOut && ' · opted out of campaigns'}
                </p>
              </div>
              <div className="flex max-w-[40%] flex-wrap justify-end gap-1">
                {selected.contact.tags.map((t) => (
                  <TagChip key={t.id} name={t.name} color={t.color} />
                ))}
              </div>
            </header>
            <Thread onReply={setReplyTo} />
            {dropError && (
              <p role="alert" className="border-t border-zinc-200 px-4 py-1.5 text-[13px] text-red-600 dark:border-zinc-800 dark:text-red-400">
                {dropError}
              </p>
            )}
            <Composer
              chat={selected}
              replyTo={replyTo}
              onClearReply={() => setReplyTo(null)}
              attachment={attachment}
              onAttach={attach}
              onClearAttachment={() => setAttachment(null)}
              queuedNotice={waState !== null && !connected}
            />
            {dragging && (
              <div className="pointer-events-none absolute inset-0 z-30 flex items-center justify-center bg-brand-50/85 ring-4 ring-brand-400 ring-inset dark:bg-brand-950/70">
                <p className="flex items-center gap-2 text-[15px] font-semibold text-brand-800 dark:text-brand-200">
                  <Upload className="size-5" aria-hidden /> Drop the file to send it to {selected.contact.displayName}
                </p>
              </div>
            )}
          </>
        ) : (
          <EmptyState icon={MessagesSquare} title={chats.length > 0 ? 'Pick a chat' : 'Your conversations appear here'}>
            {chats.length > 0
              ? 'Choose a conversation on the left to read it and reply. Search finds any message, in any chat.'
              : 'When a customer writes to your WhatsApp number, the conversation opens here with replies, read ticks and search.'}
          </EmptyState>
        )}
      </section>

      {demoUrl && phoneOpen && <SimulatedPhone simulatorUrl={demoUrl} onClose={() => setPhoneOpen(false)} />}
    </div>
  );
}
