// One message in a thread: a bubble with its text or media, the quoted message it replies to, the time
// and (for the business's own messages) the ticks.

import { Download, FileText, Film, Loader2, MapPin, Mic, Music, Reply, UserRound } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { Message } from '../../api/types';
import { cn } from '../../lib/cn';
import { saveUrl } from '../../lib/download';
import { INLINE_IMAGE, mediaUrl } from './api';
import { bubbleTime, fileSize, tickOf } from './format';
import { TickIcon } from './Ticks';

/** A short text for a quoted message or a reply preview. */
export function quoteText(message: Message): string {
  const caption = message.caption?.trim();
  switch (message.type) {
    case 'chat':
      return message.body;
    case 'image':
      return caption ? `📷 ${caption}` : '📷 Photo';
    case 'video':
      return caption ? `🎥 ${caption}` : '🎥 Video';
    case 'audio':
      return '🎵 Audio';
    case 'ptt':
      return '🎤 Voice message';
    case 'document':
      return `📄 ${caption || message.media?.filename || 'Document'}`;
    case 'sticker':
      return 'Sticker';
    default:
      return message.body || caption || message.type;
  }
}

function MediaImage({ message }: { message: Message }) {
  const [url, setUrl] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    mediaUrl(message.id)
      .then((u) => live && setUrl(u))
      .catch((error: unknown) => live && setFailed(error instanceof Error ? error.message : String(error)));
    return () => {
      live = false;
    };
  }, [message.id]);
  if (failed) return <p className="px-1 py-6 text-center text-xs text-zinc-500">Image unavailable: {failed}</p>;
  if (!url)
    return (
      <div className="flex h-40 w-56 items-center justify-center rounded-md bg-zinc-200/60 dark:bg-zinc-700/40">
        <Loader2 className="size-5 animate-spin text-zinc-400" aria-label="Loading image" />
      </div>
    );
  return (
    <a href={url} target="_blank" rel="noreferrer" title="Open the image">
      <img
        src={url}
        alt={message.caption || message.media?.filename || 'Photo'}
        className={cn('max-h-72 max-w-full rounded-md object-contain', message.type === 'sticker' && 'max-h-32')}
        data-testid="message-image"
      />
    </a>
  );
}

const fileIcons = { video: Film, audio: Music, ptt: Mic, document: FileText } as const;
const fileLabels: Record<string, string> = { video: 'Video', audio: 'Audio', ptt: 'Voice message', document: 'Document', image: 'Image', sticker: 'Sticker' };

function MediaFile({ message }: { message: Message }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const Icon = fileIcons[message.type as keyof typeof fileIcons] ?? FileText;
  const name = message.media?.filename || fileLabels[message.type] || 'File';
  const download = async () => {
    setBusy(true);
    setError(null);
    try {
      saveUrl(await mediaUrl(message.id), message.media?.filename || `${fileLabels[message.type] ?? 'file'}-${message.id}`);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="flex min-w-56 items-center gap-3 rounded-md bg-black/5 p-2 dark:bg-white/5" data-testid="message-file">
      <span className="flex size-9 shrink-0 items-center justify-center rounded-md bg-white/70 dark:bg-zinc-900/60">
        <Icon className="size-4.5 text-zinc-500" aria-hidden />
      </span>
      <div className="min-w-0 flex-1">
        <p className="truncate text-[13px] font-medium">{name}</p>
        <p className="text-xs text-zinc-500 dark:text-zinc-400">
          {fileLabels[message.type] ?? 'File'}
          {message.media ? ` · ${fileSize(message.media.size)}` : ''}
        </p>
        {error && <p className="text-xs text-red-600 dark:text-red-400">{error}</p>}
      </div>
      {message.media && (
        <button
          type="button"
          onClick={() => void download()}
          disabled={busy}
          aria-label={`Download ${name}`}
          title="Download"
          className="rounded-md p-1.5 text-zinc-500 hover:bg-black/5 hover:text-zinc-800 disabled:opacity-50 dark:hover:bg-white/10 dark:hover:text-zinc-100"
        >
          {busy ? <Loader2 className="size-4 animate-spin" aria-hidden /> : <Download className="size-4" aria-hidden />}
        </button>
      )}
    </div>
  );
}

function Body({ message }: { message: Message }) {
  const caption = message.caption?.trim();
  switch (message.type) {
    case 'image':
    case 'sticker':
      return (
        <>
          {!message.media ? (
            <p className="text-zinc-500">📷 Photo</p>
          ) : INLINE_IMAGE.test(message.media.mimetype) ? (
            <MediaImage message={message} />
          ) : (
            <MediaFile message={message} />
          )}
          {caption && <p className="mt-1 whitespace-pre-wrap break-words">{caption}</p>}
        </>
      );
    case 'video':
    case 'audio':
    case 'ptt':
    case 'document':
      return (
        <>
          <MediaFile message={message} />
          {caption && <p className="mt-1 whitespace-pre-wrap break-words">{caption}</p>}
        </>
      );
    case 'location':
      return (
        <p className="flex items-center gap-1.5">
          <MapPin className="size-4 text-zinc-500" aria-hidden /> Location{message.body && !message.body.startsWith('/9j/') ? `: ${message.body}` : ''}
        </p>
      );
    case 'vcard':
    case 'multi_vcard':
      return (
        <p className="flex items-center gap-1.5">
          <UserRound className="size-4 text-zinc-500" aria-hidden /> Contact card
        </p>
      );
    case 'revoked':
      return <p className="italic text-zinc-500">This message was deleted</p>;
    default:
      return <p className="whitespace-pre-wrap break-words">{message.body || caption || `(${message.type})`}</p>;
  }
}

export function Bubble({
  message,
  quoted,
  highlighted,
  onReply,
  onQuoteClick,
}: {
  message: Message;
  /** The message this one replies to, when it is loaded; `undefined` when it replies to none. */
  quoted: Message | null | undefined;
  highlighted: boolean;
  onReply: (message: Message) => void;
  onQuoteClick: (message: Message) => void;
}) {
  const out = message.direction === 'out';
  const tick = tickOf(message.status, message.direction);
  return (
    <div
      className={cn('group flex px-4 py-0.5', out ? 'justify-end' : 'justify-start')}
      data-testid="message"
      data-message-id={message.id}
      data-direction={message.direction}
      data-status={message.status}
    >
      {out && <ReplyButton onClick={() => onReply(message)} />}
      <div
        className={cn(
          'relative max-w-[min(34rem,75%)] rounded-xl px-2.5 pt-1.5 pb-1 text-[14px] leading-snug shadow-xs transition-shadow',
          out
            ? 'rounded-tr-sm bg-brand-100 text-zinc-900 dark:bg-brand-900/50 dark:text-zinc-50'
            : 'rounded-tl-sm bg-white text-zinc-900 ring-1 ring-zinc-200/80 dark:bg-zinc-800 dark:text-zinc-100 dark:ring-zinc-700/60',
          highlighted && 'ring-2 ring-amber-400 dark:ring-amber-400',
        )}
      >
        {quoted !== undefined && (
          <button
            type="button"
            onClick={() => quoted && onQuoteClick(quoted)}
            className="mb-1 block w-full rounded-md border-l-4 border-brand-500 bg-black/5 px-2 py-1 text-left text-[12.5px] dark:bg-white/5"
            data-testid="quoted"
          >
            {quoted ? (
              <>
                <span className="block font-medium text-brand-700 dark:text-brand-300">{quoted.direction === 'out' ? 'You' : 'Customer'}</span>
                <span className="line-clamp-2 text-zinc-600 dark:text-zinc-300">{quoteText(quoted)}</span>
              </>
            ) : (
              <span className="text-zinc-500">Reply to an earlier message</span>
            )}
          </button>
        )}
        {message.revokedAt ? (
          <div data-testid="revoked">
            <p className="italic text-zinc-500">This message was deleted</p>
            <div className="mt-0.5 text-[12.5px] text-zinc-500 line-through decoration-zinc-400/60" title="Kept for you; the sender deleted it">
              <Body message={message} />
            </div>
          </div>
        ) : (
          <Body message={message} />
        )}
        <div className="mt-0.5 flex items-center justify-end gap-1 text-[11px] text-zinc-500 dark:text-zinc-400">
          {message.editedAt && (
            <span data-testid="edited" title={message.originalText ? `Before the edit: ${message.originalText}` : undefined}>
              Edited
            </span>
          )}
          <time dateTime={message.timestamp}>{bubbleTime(message.timestamp)}</time>
          {tick && <TickIcon tick={tick} error={message.error} className="size-3.5" />}
        </div>
        {message.status === 'failed' && (
          <p className="mt-0.5 text-[12px] text-red-600 dark:text-red-400" data-testid="failed-reason">
            Not sent{message.error ? `: ${message.error}` : ''}
          </p>
        )}
      </div>
      {!out && <ReplyButton onClick={() => onReply(message)} />}
    </div>
  );
}

function ReplyButton({ onClick }: { onClick: () => void }) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-label="Reply"
      title="Reply"
      className="mx-1 self-center rounded-full p-1.5 text-zinc-400 opacity-0 transition-opacity group-hover:opacity-100 hover:bg-zinc-200/70 hover:text-zinc-700 focus-visible:opacity-100 dark:hover:bg-zinc-800 dark:hover:text-zinc-200"
    >
      <Reply className="size-4" aria-hidden />
    </button>
  );
}
