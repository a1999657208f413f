// The inbox's calls to REST v1, typed, so components never spell paths. Media files are read as blobs
// through the client (either transport) and handed out as object URLs.

import { api, ApiError, type Page } from '../../api/client';
import type { Chat, Message, MessageWindow, SearchHit, SendMessageInput, SendReceipt, Tag } from '../../api/types';

const V1 = '/api/v1';

export interface ChatQuery {
  unread?: boolean;
  tag?: number | null;
  q?: string;
  cursor?: string | null;
  limit?: number;
}

export const getChats = ({ unread, tag, q, cursor, limit }: ChatQuery) =>
  api.list<Chat>(`${V1}/chats`, {
    unread: unread ? 'true' : undefined,
    tag: tag ?? undefined,
    q: q?.trim() || undefined,
    cursor: cursor ?? undefined,
    limit,
  });

export const getChat = (contactId: number) => api.get<Chat>(`${V1}/chats/${contactId}`);
export const markChatRead = (contactId: number) => api.post<boolean>(`${V1}/chats/${contactId}/read`);

/** Older pages with `cursor`, or newer ones with `after`; always newest first. */
export const getConversation = (contactId: number, options: { cursor?: string | null; after?: string | null; limit?: number } = {}) =>
  api.list<Message>(`${V1}/messages/contact/${contactId}`, {
    cursor: options.cursor ?? undefined,
    after: options.after ?? undefined,
    limit: options.limit,
  });

export const getMessage = (id: number) => api.get<Message>(`${V1}/messages/${id}`);
export const getMessageContext = (id: number, limit = 50) => api.get<MessageWindow>(`${V1}/messages/${id}/context`, { limit });
export const searchMessages = (q: string, cursor?: string | null, limit = 30): Promise<Page<SearchHit>> =>
  api.list<SearchHit>(`${V1}/messages/search`, { q, cursor: cursor ?? undefined, limit });
export const sendMessage = (input: SendMessageInput) => api.post<SendReceipt>(`${V1}/messages/send`, input);

/** All tags, or null when this server has no tags route yet (the list then offers the tags it has seen). */
export async function getTags(): Promise<Tag[] | null> {
  try {
    return await api.get<Tag[]>(`${V1}/tags`);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return null;
    throw error;
  }
}

/**
 * Image types shown inline and opened in a tab. Anything else (SVG above all, which can carry scripts and
 * would run with the app's origin from a blob URL) is only ever downloaded.
 */
export const INLINE_IMAGE = /^image\/(jpeg|png|gif|webp|bmp|avif)$/;

/** A blob safe to point a link at: inline image types keep their type, the rest become opaque bytes. */
function defang(blob: Blob): Blob {
  return INLINE_IMAGE.test(blob.type) ? blob : new Blob([blob], { type: 'application/octet-stream' });
}

/** A message's media file as a Blob. */
export const fetchMedia = async (messageId: number): Promise<Blob> => defang(await api.blob(`${V1}/messages/${messageId}/media`));

/** Object URLs of media already fetched, so a bubble scrolled away and back does not fetch again. */
const mediaUrls = new Map<number, Promise<string>>();

export function mediaUrl(messageId: number): Promise<string> {
  let url = mediaUrls.get(messageId);
  if (!url) {
    url = fetchMedia(messageId).then((blob) => URL.createObjectURL(blob));
    // A failure is not cached: the next attempt (say, after reconnecting) tries again.
    url.catch(() => mediaUrls.delete(messageId));
    mediaUrls.set(messageId, url);
  }
  return url;
}
