// The inbox store after lost events: a `resync` reloads the chat list and catches the open thread up.
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { Chat, Message } from '../../api/types';

const calls = vi.hoisted(() => ({
  getChat: vi.fn(),
  getChats: vi.fn(),
  getConversation: vi.fn(),
  getMessage: vi.fn(),
  getMessageContext: vi.fn(),
  getTags: vi.fn(),
  markChatRead: vi.fn(),
}));
vi.mock('./api', () => calls);

import { useInbox } from './store';

function message(id: number, contactId = 5): Message {
  return {
    id,
    waMessageId: `wa${id}`,
    contactId,
    direction: 'in',
    type: 'chat',
    body: `m${id}`,
    status: 'received',
    ack: 0,
    timestamp: new Date(2026, 0, 1, 0, id).toISOString(),
    createdAt: new Date(2026, 0, 1, 0, id).toISOString(),
  };
}

/** A chat with a last message, as every listed chat has (one without it leaves the list on its next refresh). */
function chat(id: number): Chat {
  const at = new Date(2026, 0, 1, 0, id).toISOString();
  return {
    contact: { id, displayName: `C${id}`, optedOut: false, tags: [] },
    lastMessage: { id, direction: 'in', type: 'chat', preview: `m${id}`, status: 'received', timestamp: at },
    unreadCount: 1,
  };
}

function openThread(messages: Message[], newerCursor: string | null = null) {
  useInbox.setState({
    listLoaded: true,
    chats: [chat(5)],
    selectedId: 5,
    selected: chat(5),
    thread: { contactId: 5, messages, olderCursor: 'older', newerCursor, loading: false, loadingOlder: false, loadingNewer: false, error: null, highlightId: null, scrollRequest: 3 },
  });
}

describe('inbox store on resync', () => {
  beforeEach(() => {
    Object.values(calls).forEach((call) => call.mockReset());
    calls.getChats.mockResolvedValue({ data: [chat(9), chat(5)], nextCursor: null });
    calls.getTags.mockResolvedValue([]);
    calls.getChat.mockResolvedValue(chat(5));
  });

  it('reloads the chat list and merges the newest page into the open thread, keeping older pages and the scroll', async () => {
    openThread([message(1), message(2)]);
    calls.getConversation.mockResolvedValue({ data: [message(3), message(2)], nextCursor: 'c' });
    useInbox.getState().applyEvent({ type: 'resync' });
    await vi.waitFor(() => expect(useInbox.getState().thread?.messages.map((m) => m.id)).toEqual([1, 2, 3]));
    expect(calls.getConversation).toHaveBeenCalledWith(5, { limit: 50 });
    await vi.waitFor(() => expect(useInbox.getState().chats.map((c) => c.contact.id)).toEqual([9, 5]));
    expect(useInbox.getState().thread).toMatchObject({ olderCursor: 'older', scrollRequest: 3 });
  });

  it('starts the thread over from the newest page when more arrived than a page holds', async () => {
    openThread([message(1), message(2)]);
    calls.getConversation.mockResolvedValue({ data: [message(80), message(79)], nextCursor: 'c79' });
    useInbox.getState().applyEvent({ type: 'resync' });
    await vi.waitFor(() => expect(useInbox.getState().thread?.messages.map((m) => m.id)).toEqual([79, 80]));
    expect(useInbox.getState().thread?.olderCursor).toBe('c79');
  });

  it('leaves a window around a search result as it is', async () => {
    openThread([message(1), message(2)], 'newer');
    const page = Promise.resolve({ data: [message(3)], nextCursor: null });
    calls.getConversation.mockReturnValue(page);
    useInbox.getState().applyEvent({ type: 'resync' });
    expect(calls.getConversation).toHaveBeenCalled();
    // The store's own continuation on this page runs before ours.
    await page;
    expect(useInbox.getState().thread?.messages.map((m) => m.id)).toEqual([1, 2]);
  });
});

describe('inbox store on a deleted or edited message', () => {
  beforeEach(() => {
    Object.values(calls).forEach((call) => call.mockReset());
    calls.getChat.mockResolvedValue(chat(5));
  });

  it('puts the changed message in place in the open thread', () => {
    openThread([message(1), message(2)]);
    const revoked = { ...message(1), revokedAt: new Date(2026, 0, 2).toISOString() };
    const edited = { ...message(2), body: 'm2 fixed', editedAt: new Date(2026, 0, 2).toISOString(), originalText: 'm2' };
    useInbox.getState().applyEvent({ type: 'message.revoked', id: 10, data: revoked });
    useInbox.getState().applyEvent({ type: 'message.edited', id: 11, data: edited });
    const shown = useInbox.getState().thread?.messages ?? [];
    expect(shown.map((m) => m.id)).toEqual([1, 2]);
    expect(shown[0]).toMatchObject({ body: 'm1', revokedAt: revoked.revokedAt });
    expect(shown[1]).toMatchObject({ body: 'm2 fixed', originalText: 'm2' });
  });
});
