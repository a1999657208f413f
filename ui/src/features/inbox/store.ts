// The inbox's state: the chat list (paged, filtered, kept in activity order), the open thread (paged back
// through history, or a window around a search result) and the live events that change both. Components
// read it; only the actions here change it.

import { create } from 'zustand';
import type { AppEvent, Chat, HistorySync, Message, Tag } from '../../api/types';
import { ApiError } from '../../api/client';
import {
  getChat,
  getChats,
  getConversation,
  getMessage,
  getMessageContext,
  getTags,
  markChatRead,
} from './api';
import { chatMatches, mergeMessages, upsertChat, type ChatFilters } from './format';
import { notifyInbound } from './notifications';

/** Chats fetched per page of the list. */
const CHAT_PAGE = 100;
/** Messages fetched per page of a thread. */
const THREAD_PAGE = 50;

export interface Thread {
  contactId: number;
  /** Oldest first. */
  messages: Message[];
  /** Where older history continues; null once the first message is loaded. */
  olderCursor: string | null;
  /** Set while showing a window around a search result that does not reach the newest message. */
  newerCursor: string | null;
  loading: boolean;
  loadingOlder: boolean;
  loadingNewer: boolean;
  error: string | null;
  /** The message to scroll to and highlight (a search result). */
  highlightId: number | null;
  /** Grows each time the thread should scroll to its end or to the highlight. */
  scrollRequest: number;
}

interface InboxStore {
  chats: Chat[];
  nextCursor: string | null;
  /** True once the first page answered (so "no chats" means none, not "not loaded yet"). */
  listLoaded: boolean;
  listLoading: boolean;
  listError: string | null;
  filters: ChatFilters;
  /** Every tag (from the tags route), or null when the server has none: then the tags seen on chats. */
  tags: Tag[] | null;
  selectedId: number | null;
  /** The open chat's row, also when it is not in the (filtered) list. */
  selected: Chat | null;
  thread: Thread | null;

  loadChats: () => Promise<void>;
  loadMoreChats: () => Promise<void>;
  loadTags: () => Promise<void>;
  setFilters: (filters: Partial<ChatFilters>) => void;
  openChat: (contactId: number, highlightId?: number | null) => Promise<void>;
  closeChat: () => void;
  loadOlder: () => Promise<void>;
  loadNewer: () => Promise<void>;
  jumpToLatest: () => Promise<void>;
  /** Adds a message the UI itself just sent (the live event may come first or later; both are merged). */
  addMessage: (message: Message) => void;
  applyEvent: (event: AppEvent) => void;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Chat rows re-read after events, batched per contact so a burst of acks costs one request. */
const pendingRefresh = new Map<number, { notify: Message | null }>();
let refreshTimer: ReturnType<typeof setTimeout> | null = null;

/**
 * A freshly loaded page replaces the thread, keeping only the copies already shown that live events moved
 * further along while the page was on its way.
 */
function mergeShown(shown: Message[], page: Message[], latest = false): Message[] {
  const ids = new Set(page.map((m) => m.id));
  const newest = Math.max(...page.map((m) => m.id), 0);
  // Loading the latest page: a message that arrived live after the page was read stays too.
  return mergeMessages(
    shown.filter((m) => ids.has(m.id) || (latest && m.id > newest)),
    page,
  );
}

function windowFocused(): boolean {
  return typeof document !== 'undefined' && !document.hidden && document.hasFocus();
}

export const useInbox = create<InboxStore>((set, get) => {
  /** Re-reads one chat row and puts it where it belongs (or out of a filtered list). */
  async function refreshChat(contactId: number, notify: Message | null) {
    let chat: Chat;
    try {
      chat = await getChat(contactId);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) {
        // The contact was deleted: drop its chat.
        set((s) => ({
          chats: s.chats.filter((c) => c.contact.id !== contactId),
          ...(s.selectedId === contactId ? { selectedId: null, selected: null, thread: null } : {}),
        }));
      }
      return;
    }
    set((s) => {
      const belongs = chat.lastMessage != null && chatMatches(chat, s.filters);
      const listed = s.chats.some((c) => c.contact.id === contactId);
      let chats = s.chats;
      if (belongs) chats = upsertChat(s.chats, chat);
      else if (listed) chats = s.chats.filter((c) => c.contact.id !== contactId);
      return { chats, ...(s.selectedId === contactId ? { selected: chat } : {}) };
    });
    if (notify) void notifyInbound(chat, notify);
  }

  function scheduleRefresh(contactId: number, notify: Message | null = null) {
    const entry = pendingRefresh.get(contactId);
    pendingRefresh.set(contactId, { notify: notify ?? entry?.notify ?? null });
    if (refreshTimer) return;
    refreshTimer = setTimeout(() => {
      refreshTimer = null;
      const batch = [...pendingRefresh.entries()];
      pendingRefresh.clear();
      for (const [id, { notify: n }] of batch) void refreshChat(id, n);
    }, 60);
  }

  function updateThread(contactId: number, change: (thread: Thread) => Partial<Thread>) {
    set((s) => (s.thread && s.thread.contactId === contactId ? { thread: { ...s.thread, ...change(s.thread) } } : {}));
  }

  async function loadLatest(contactId: number) {
    try {
      const page = await getConversation(contactId, { limit: THREAD_PAGE });
      updateThread(contactId, (t) => ({
        messages: mergeShown(t.messages, page.data, true),
        olderCursor: page.nextCursor,
        newerCursor: null,
        loading: false,
        error: null,
        highlightId: null,
        scrollRequest: t.scrollRequest + 1,
      }));
    } catch (error) {
      updateThread(contactId, () => ({ loading: false, error: messageOf(error) }));
    }
  }

  /** The next page of history, older or newer, past the cursor the thread keeps for that side. */
  async function loadMore(side: 'older' | 'newer') {
    const [cursorKey, loadingKey] = side === 'older' ? (['olderCursor', 'loadingOlder'] as const) : (['newerCursor', 'loadingNewer'] as const);
    const thread = get().thread;
    const cursor = thread?.[cursorKey];
    if (!thread || !cursor || thread[loadingKey] || thread.loading) return;
    const { contactId } = thread;
    updateThread(contactId, () => ({ [loadingKey]: true }));
    try {
      const page = await getConversation(contactId, side === 'older' ? { cursor, limit: THREAD_PAGE } : { after: cursor, limit: THREAD_PAGE });
      updateThread(contactId, (t) => ({
        messages: mergeMessages(t.messages, page.data),
        [cursorKey]: page.nextCursor,
        [loadingKey]: false,
      }));
    } catch (error) {
      updateThread(contactId, () => ({ [loadingKey]: false, error: messageOf(error) }));
    }
  }

  async function loadAround(contactId: number, messageId: number) {
    try {
      const window = await getMessageContext(messageId, THREAD_PAGE);
      updateThread(contactId, (t) => ({
        messages: mergeShown(t.messages, window.messages),
        olderCursor: window.olderCursor ?? null,
        newerCursor: window.newerCursor ?? null,
        loading: false,
        error: null,
        highlightId: messageId,
        scrollRequest: t.scrollRequest + 1,
      }));
    } catch (error) {
      updateThread(contactId, () => ({ loading: false, error: messageOf(error) }));
    }
  }

  /**
   * After lost events: the newest page merged into the open thread, leaving the reader where they are. When
   * more arrived than a page holds, the shown part no longer joins the present and the newest page replaces it.
   */
  async function catchUp(contactId: number) {
    let page: Awaited<ReturnType<typeof getConversation>>;
    try {
      page = await getConversation(contactId, { limit: THREAD_PAGE });
    } catch {
      return; // The thread keeps what it shows; the next event or reopening brings the rest.
    }
    updateThread(contactId, (t) => {
      // A window around a search result reaches the present by loading newer pages itself.
      if (t.newerCursor) return {};
      const newestShown = Math.max(0, ...t.messages.map((m) => m.id));
      const gap = page.nextCursor !== null && page.data.every((m) => m.id > newestShown);
      return gap ? { messages: mergeMessages([], page.data), olderCursor: page.nextCursor } : { messages: mergeMessages(t.messages, page.data) };
    });
  }

  function markRead(contactId: number) {
    // The engine answers quickly and emits contact.updated, which brings the new count to the list.
    markChatRead(contactId).catch(() => undefined);
    set((s) => ({
      chats: s.chats.map((c) => (c.contact.id === contactId ? { ...c, unreadCount: 0 } : c)),
      selected: s.selected && s.selected.contact.id === contactId ? { ...s.selected, unreadCount: 0 } : s.selected,
    }));
  }

  return {
    chats: [],
    nextCursor: null,
    listLoaded: false,
    listLoading: false,
    listError: null,
    filters: { unread: false, tag: null },
    tags: null,
    selectedId: null,
    selected: null,
    thread: null,

    async loadChats() {
      const filters = get().filters;
      set({ listLoading: true, listError: null });
      try {
        const page = await getChats({ unread: filters.unread, tag: filters.tag, limit: CHAT_PAGE });
        // Filters changed while this page was on its way: a newer load owns the list.
        if (get().filters !== filters) return;
        set({ chats: page.data, nextCursor: page.nextCursor, listLoaded: true, listLoading: false });
      } catch (error) {
        if (get().filters !== filters) return;
        set({ listLoading: false, listError: messageOf(error) });
      }
    },

    async loadMoreChats() {
      const { nextCursor, listLoading, filters } = get();
      if (!nextCursor || listLoading) return;
      set({ listLoading: true });
      try {
        const page = await getChats({ unread: filters.unread, tag: filters.tag, cursor: nextCursor, limit: CHAT_PAGE });
        if (get().filters !== filters) return;
        set((s) => {
          const known = new Set(s.chats.map((c) => c.contact.id));
          // A chat that moved up meanwhile is already listed; keep that fresher copy.
          return {
            chats: [...s.chats, ...page.data.filter((c) => !known.has(c.contact.id))],
            nextCursor: page.nextCursor,
            listLoading: false,
          };
        });
      } catch (error) {
        set({ listLoading: false, listError: messageOf(error) });
      }
    },

    async loadTags() {
      try {
        set({ tags: await getTags() });
      } catch {
        set({ tags: null });
      }
    },

    setFilters(change) {
      set((s) => ({ filters: { ...s.filters, ...change }, chats: [], nextCursor: null, listLoaded: false }));
      void get().loadChats();
    },

    async openChat(contactId, highlightId = null) {
      const listed = get().chats.find((c) => c.contact.id === contactId) ?? null;
      const same = get().thread?.contactId === contactId;
      set((s) => ({
        selectedId: contactId,
        selected: listed ?? (s.selected?.contact.id === contactId ? s.selected : null),
        thread: {
          contactId,
          messages: same && s.thread ? s.thread.messages : [],
          olderCursor: null,
          newerCursor: null,
          loading: true,
          loadingOlder: false,
          loadingNewer: false,
          error: null,
          highlightId,
          scrollRequest: (s.thread?.scrollRequest ?? 0) + 1,
        },
      }));
      if (!listed) {
        getChat(contactId)
          .then((chat) => set((s) => (s.selectedId === contactId ? { selected: chat } : {})))
          .catch((error) => updateThread(contactId, () => ({ loading: false, error: messageOf(error) })));
      }
      markRead(contactId);
      if (highlightId != null) await loadAround(contactId, highlightId);
      else await loadLatest(contactId);
    },

    closeChat() {
      set({ selectedId: null, selected: null, thread: null });
    },

    loadOlder: () => loadMore('older'),

    loadNewer: () => loadMore('newer'),

    async jumpToLatest() {
      const thread = get().thread;
      if (!thread) return;
      updateThread(thread.contactId, () => ({ loading: true }));
      await loadLatest(thread.contactId);
    },

    addMessage(message) {
      updateThread(message.contactId, (t) =>
        t.newerCursor ? {} : { messages: mergeMessages(t.messages, [message]), scrollRequest: t.scrollRequest + 1 },
      );
      scheduleRefresh(message.contactId);
    },

    applyEvent(event) {
      switch (event.type) {
        case 'message.received':
        case 'message.created':
        case 'message.updated':
        case 'message.revoked':
        case 'message.edited': {
          const message = event.data as Message;
          const thread = get().thread;
          if (thread && thread.contactId === message.contactId) {
            const known = thread.messages.some((m) => m.id === message.id);
            // A window around a search result shows new messages only once it reaches the present.
            if (known || !thread.newerCursor) {
              updateThread(message.contactId, (t) => ({ messages: mergeMessages(t.messages, [message]) }));
            }
          }
          const inbound = event.type === 'message.received' && message.direction === 'in';
          const open = get().selectedId === message.contactId;
          if (inbound && open && windowFocused()) markRead(message.contactId);
          scheduleRefresh(message.contactId, inbound && !windowFocused() ? message : null);
          break;
        }
        case 'contact.created':
        case 'contact.updated':
        case 'contact.deleted': {
          const id = (event.data as { id?: number } | null)?.id;
          if (typeof id !== 'number') break;
          const { chats, selectedId } = get();
          if (selectedId === id || chats.some((c) => c.contact.id === id)) scheduleRefresh(id);
          break;
        }
        case 'history.sync': {
          // The recent chats were read in without a message event each: show them once all are in.
          if (!(event.data as HistorySync).done || (event.data as HistorySync).messagesAdded === 0) break;
          const { listLoaded, selectedId, thread } = get();
          if (listLoaded) void get().loadChats();
          if (selectedId !== null) scheduleRefresh(selectedId);
          if (thread) void catchUp(thread.contactId);
          break;
        }
        case 'resync': {
          // Events were lost: patching cannot be trusted, so what is shown is read again.
          const { listLoaded, selectedId, thread } = get();
          if (listLoaded) {
            void get().loadChats();
            void get().loadTags();
          }
          if (selectedId !== null) scheduleRefresh(selectedId);
          if (thread) void catchUp(thread.contactId);
          break;
        }
        default:
          break;
      }
    },
  };
});

/** Loads a message the UI sent itself, in case its live event is slow or the stream is down. */
export async function confirmSent(messageId: number): Promise<void> {
  try {
    useInbox.getState().addMessage(await getMessage(messageId));
  } catch {
    // The event stream will bring it; nothing to tell the user.
  }
}
