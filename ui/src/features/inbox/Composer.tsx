// The message composer: multi-line text (Enter sends, Shift+Enter starts a new line), a small emoji
// picker, one attachment with its caption (file picker, or dropped on the thread), and replying to a
// message. While WhatsApp is not connected the engine queues what is sent; the thread shows it with a clock.

import { FileText, Paperclip, Send, Smile, X } from 'lucide-react';
import { useEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Chat, Message } from '../../api/types';
import { cn } from '../../lib/cn';
import { blobToBase64 } from '../../lib/base64';
import { sendMessage } from './api';
import { quoteText } from './Bubble';
import { fileSize } from './format';
import { confirmSent } from './store';

/** The engine's limit on one file. */
export const MAX_FILE_BYTES = 64 * 1024 * 1024;
const MAX_TEXT = 65_536;

const EMOJI = [
  '😀', '😊', '😂', '🥰', '😍', '😉', '😎', '🤔', '😅', '😢', '😮', '🙏',
  '👍', '👎', '👏', '🙌', '👋', '🤝', '💪', '✌️', '👌', '❤️', '💚', '💙',
  '🔥', '✨', '🎉', '🎁', '🌹', '🌷', '💐', '🌻', '☕', '🍰', '🛍️', '📦',
  '🚚', '⏰', '📅', '✅', '❌', '⚠️', '💬', '📞', '📍', '💳', '💶', '⭐',
];

export interface Attachment {
  file: File;
  /** An object URL for image previews. */
  preview: string | null;
}

export function attachmentOf(file: File): Attachment | string {
  if (file.size === 0) return `${file.name} is empty.`;
  if (file.size > MAX_FILE_BYTES) return `${file.name} is larger than 64 MB, WhatsFlow's limit for one file.`;
  return { file, preview: file.type.startsWith('image/') ? URL.createObjectURL(file) : null };
}

/** The small × that drops what is staged above the text box (the quoted reply, the attachment). */
function PreviewDismissButton({ label, onClick }: { label: string; onClick: () => void }) {
  return (
    <button type="button" onClick={onClick} aria-label={label} className="rounded p-1 text-zinc-400 hover:text-zinc-700 dark:hover:text-zinc-200">
      <X className="size-4" aria-hidden />
    </button>
  );
}

export function Composer({
  chat,
  replyTo,
  onClearReply,
  attachment,
  onAttach,
  onClearAttachment,
  queuedNotice,
}: {
  chat: Chat;
  replyTo: Message | null;
  onClearReply: () => void;
  attachment: Attachment | null;
  onAttach: (file: File) => void;
  onClearAttachment: () => void;
  /** Shown above the composer: WhatsApp is not connected, so messages will wait in the queue. */
  queuedNotice: boolean;
}) {
  const [text, setText] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [emojiOpen, setEmojiOpen] = useState(false);
  const input = useRef<HTMLTextAreaElement>(null);
  const picker = useRef<HTMLInputElement>(null);
  const phone = chat.contact.phoneNumber;

  // A draft belongs to its chat: switching chats starts empty and puts the cursor in the box.
  useEffect(() => {
    setText('');
    setError(null);
    input.current?.focus();
  }, [chat.contact.id]);

  useEffect(() => {
    if (replyTo || attachment) input.current?.focus();
  }, [replyTo, attachment]);

  // Grows with its content up to about eight lines, then scrolls.
  useEffect(() => {
    const el = input.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, 180)}px`;
  }, [text]);

  const canSend = Boolean(phone) && !sending && (text.trim() !== '' || attachment !== null) && text.length <= MAX_TEXT;

  const send = async () => {
    if (!canSend || !phone) return;
    setSending(true);
    setError(null);
    try {
      const media = attachment
        ? {
            data: await blobToBase64(attachment.file),
            mimetype: attachment.file.type || 'application/octet-stream',
            filename: attachment.file.name,
          }
        : undefined;
      const receipt = await sendMessage({ phoneNumber: phone, message: text, media, quotedWaId: replyTo?.waMessageId ?? null });
      setText('');
      onClearReply();
      onClearAttachment();
      void confirmSent(receipt.messageId);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setSending(false);
      input.current?.focus();
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends; Shift+Enter is a new line; an IME composing text keeps Enter for itself.
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    } else if (event.key === 'Escape') {
      if (emojiOpen) setEmojiOpen(false);
      else if (replyTo) onClearReply();
    }
  };

  const insertEmoji = (emoji: string) => {
    const el = input.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    const next = text.slice(0, start) + emoji + text.slice(end);
    setText(next);
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(start + emoji.length, start + emoji.length);
    });
  };

  if (!phone) {
    return (
      <div className="border-t border-zinc-200 px-4 py-3 text-sm text-zinc-500 dark:border-zinc-800">
        This person's phone number is hidden by WhatsApp, so WhatsFlow cannot write to them first. Their messages still arrive here.
      </div>
    );
  }

  return (
    <div className="border-t border-zinc-200 bg-white dark:border-zinc-800 dark:bg-zinc-900/60">
      {queuedNotice && (
        <p className="border-b border-amber-200 bg-amber-50 px-4 py-1.5 text-xs text-amber-900 dark:border-amber-900/50 dark:bg-amber-950/40 dark:text-amber-200" data-testid="queued-notice">
          WhatsApp is not connected. Messages you send now wait in the queue (clock icon) and go out as soon as it reconnects.
        </p>
      )}
      {replyTo && (
        <div className="flex items-start gap-2 px-4 pt-2.5" data-testid="reply-preview">
          <div className="min-w-0 flex-1 rounded-md border-l-4 border-brand-500 bg-zinc-100 px-2.5 py-1.5 text-[13px] dark:bg-zinc-800">
            <p className="font-medium text-brand-700 dark:text-brand-300">Replying to {replyTo.direction === 'out' ? 'yourself' : chat.contact.displayName}</p>
            <p className="truncate text-zinc-600 dark:text-zinc-300">{quoteText(replyTo)}</p>
          </div>
          <PreviewDismissButton label="Cancel reply" onClick={onClearReply} />
        </div>
      )}
      {attachment && (
        <div className="flex items-center gap-3 px-4 pt-2.5" data-testid="attachment-preview">
          {attachment.preview ? (
            <img src={attachment.preview} alt="" className="size-14 rounded-md object-cover ring-1 ring-zinc-200 dark:ring-zinc-700" />
          ) : (
            <span className="flex size-14 items-center justify-center rounded-md bg-zinc-100 dark:bg-zinc-800">
              <FileText className="size-6 text-zinc-500" aria-hidden />
            </span>
          )}
          <div className="min-w-0 flex-1 text-[13px]">
            <p className="truncate font-medium">{attachment.file.name}</p>
            <p className="text-xs text-zinc-500">{fileSize(attachment.file.size)} · add a caption below</p>
          </div>
          <PreviewDismissButton label="Remove attachment" onClick={onClearAttachment} />
        </div>
      )}
      {error && (
        <p role="alert" className="px-4 pt-2 text-[13px] text-red-600 dark:text-red-400" data-testid="send-error">
          {error}
        </p>
      )}
      <div className="relative flex items-end gap-1.5 px-3 py-2.5">
        <button
          type="button"
          onClick={() => setEmojiOpen((o) => !o)}
          aria-label="Emoji"
          aria-expanded={emojiOpen}
          className="mb-0.5 rounded-full p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
        >
          <Smile className="size-5" aria-hidden />
        </button>
        <button
          type="button"
          onClick={() => picker.current?.click()}
          aria-label="Attach a file"
          title="Attach a file (or drop it on the conversation)"
          className="mb-0.5 rounded-full p-2 text-zinc-500 hover:bg-zinc-100 hover:text-zinc-800 dark:hover:bg-zinc-800 dark:hover:text-zinc-100"
        >
          <Paperclip className="size-5" aria-hidden />
        </button>
        <input
          ref={picker}
          type="file"
          className="hidden"
          data-testid="file-input"
          onChange={(e) => {
            const file = e.target.files?.[0];
            if (file) onAttach(file);
            e.target.value = '';
          }}
        />
        {emojiOpen && (
          <div
            role="dialog"
            aria-label="Pick an emoji"
            onKeyDown={(event) => {
              // Esc closes the picker from any of its buttons too, back to the text.
              if (event.key !== 'Escape') return;
              event.stopPropagation();
              setEmojiOpen(false);
              input.current?.focus();
            }}
            className="absolute bottom-full left-3 z-20 mb-1 grid w-72 grid-cols-8 gap-0.5 rounded-xl bg-white p-2 shadow-lg ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-700"
          >
            {EMOJI.map((emoji) => (
              <button
                key={emoji}
                type="button"
                onClick={() => insertEmoji(emoji)}
                className="flex size-8 items-center justify-center rounded-md text-lg hover:bg-zinc-100 dark:hover:bg-zinc-800"
                aria-label={`Insert ${emoji}`}
              >
                {emoji}
              </button>
            ))}
          </div>
        )}
        <textarea
          ref={input}
          rows={1}
          value={text}
          onChange={(e) => setText(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={attachment ? 'Add a caption…' : 'Type a message'}
          aria-label="Type a message"
          className={cn(
            'min-h-10 flex-1 resize-none rounded-2xl border-0 bg-zinc-100 px-4 py-2.5 text-[14px] leading-snug text-zinc-900 placeholder:text-zinc-500 focus:outline-none focus:ring-2 focus:ring-brand-600 dark:bg-zinc-800 dark:text-zinc-100',
            text.length > MAX_TEXT && 'ring-2 ring-red-500',
          )}
        />
        <button
          type="button"
          onClick={() => void send()}
          disabled={!canSend}
          aria-label="Send"
          title="Send (Enter)"
          className="mb-0.5 flex size-10 shrink-0 items-center justify-center rounded-full bg-brand-600 text-white shadow-sm transition-colors hover:bg-brand-700 disabled:opacity-40"
        >
          <Send className="size-4.5" aria-hidden />
        </button>
      </div>
    </div>
  );
}
