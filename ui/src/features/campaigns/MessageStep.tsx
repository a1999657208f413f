// The wizard's message step: the text with a variables picker (name, first name, phone, the contacts'
// custom fields, each with an optional fallback) and the spintax hint, an optional file with the text as
// its caption, and the preview: several rendered variants and the exact message one chosen recipient gets.
// Template mistakes (an unknown variable, an unbalanced brace) come back from the preview route and show
// on the field while typing, as they would when saving.

import { Braces, FileText, Paperclip, Shuffle } from 'lucide-react';
import { useRef, useState } from 'react';
import type { CampaignPreview } from '../../api/types';
import { Alert, Button, Field, Input, Select, Spinner, Textarea } from '../../components/ui';
import { attachmentOf, type Attachment } from '../inbox/Composer';
import { BUILT_IN_VARIABLES, insertAt, variableSnippet, type Draft, type PickedContact } from './logic';

/** The server's limit on a message's length, in characters. */
const MAX_MESSAGE_CHARS = 65_536;

function VariablesPicker({ fieldKeys, onInsert }: { fieldKeys: string[]; onInsert: (snippet: string) => void }) {
  const [fallback, setFallback] = useState('');
  const variables = [...BUILT_IN_VARIABLES.map((v) => ({ key: v.key, label: v.label })), ...fieldKeys.map((key) => ({ key, label: key }))];
  return (
    <div className="space-y-2 rounded-lg bg-zinc-50 p-3 ring-1 ring-zinc-200 dark:bg-zinc-900/60 dark:ring-zinc-800">
      <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Insert a variable">
        <Braces className="mr-1 size-4 text-zinc-400" aria-hidden />
        {variables.map((v) => (
          <button
            key={v.key}
            type="button"
            onClick={() => onInsert(variableSnippet(v.key, fallback))}
            title={`Insert ${variableSnippet(v.key, fallback)}`}
            className="rounded-md bg-white px-2 py-1 font-mono text-xs text-zinc-700 ring-1 ring-zinc-200 hover:bg-brand-50 hover:ring-brand-300 dark:bg-zinc-800 dark:text-zinc-200 dark:ring-zinc-700 dark:hover:bg-brand-900/30"
          >
            {`{{${v.key}}}`}
          </button>
        ))}
      </div>
      <div className="flex flex-wrap items-center gap-2 text-[13px] text-zinc-600 dark:text-zinc-400">
        <label htmlFor="variable-fallback">When a contact has none, use</label>
        <div className="w-36">
          <Input id="variable-fallback" value={fallback} onChange={(e) => setFallback(e.target.value)} placeholder="there" className="h-8 text-[13px]" />
        </div>
        <span className="text-xs text-zinc-400">
          e.g. <code className="font-mono">{'{{first_name|there}}'}</code>
        </span>
      </div>
      <p className="flex items-start gap-1.5 text-xs leading-relaxed text-zinc-500 dark:text-zinc-400">
        <Shuffle className="mt-0.5 size-3.5 shrink-0" aria-hidden />
        <span>
          Vary the wording with spintax: <code className="font-mono">{'{Hi|Hello|Hey}'}</code> picks one at random for each customer, so no two
          messages look copied. Choices may nest.
        </span>
      </p>
    </div>
  );
}

function MediaPicker({
  media,
  keptMedia,
  onChoose,
  onRemove,
}: {
  media: Attachment | null;
  keptMedia: Draft['keptMedia'];
  onChoose: (file: File) => void;
  onRemove: () => void;
}) {
  const input = useRef<HTMLInputElement>(null);
  const name = media?.file.name ?? keptMedia?.filename ?? keptMedia?.mimetype ?? null;
  return (
    <div className="flex flex-wrap items-center gap-3">
      <input
        ref={input}
        type="file"
        aria-label="Attach a file"
        className="sr-only"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onChoose(file);
          e.target.value = '';
        }}
      />
      {name ? (
        <div className="flex items-center gap-3 rounded-lg p-2 ring-1 ring-zinc-200 dark:ring-zinc-800" data-testid="campaign-media">
          {media?.preview ? (
            <img src={media.preview} alt="" className="size-12 rounded object-cover" />
          ) : (
            <div className="flex size-12 items-center justify-center rounded bg-zinc-100 dark:bg-zinc-800">
              <FileText className="size-5 text-zinc-500" aria-hidden />
            </div>
          )}
          <div className="min-w-0">
            <p className="max-w-56 truncate text-sm font-medium">{name}</p>
            <p className="text-xs text-zinc-500">The message above is sent as its caption.</p>
          </div>
          <Button variant="ghost" size="sm" onClick={onRemove}>
            Remove
          </Button>
        </div>
      ) : (
        <Button variant="secondary" size="sm" icon={<Paperclip className="size-4" aria-hidden />} onClick={() => input.current?.click()}>
          Attach an image or file
        </Button>
      )}
    </div>
  );
}

export function MessagePreview({
  preview,
  previewContactId,
  recipients,
  onPickRecipient,
}: {
  preview: CampaignPreview | null;
  previewContactId: number | null;
  recipients: PickedContact[];
  onPickRecipient: (id: number | null) => void;
}) {
  if (!preview) return <Spinner label="Rendering the preview…" />;
  const chosen = preview.recipient;
  return (
    <div className="space-y-5" data-testid="message-preview">
      <div>
        <div className="mb-2 flex items-baseline justify-between gap-2">
          <h3 className="text-[13px] font-semibold">Variants</h3>
          <span className="text-xs text-zinc-500" data-testid="variant-count">
            {preview.variantCount === 1 ? 'One version' : `${preview.variantCount.toLocaleString('en-US')} possible versions`}
          </span>
        </div>
        <ul className="space-y-2">
          {preview.variants.map((text, i) => (
            <li key={i} data-testid="preview-variant" className="rounded-lg rounded-tl-none bg-brand-50 px-3 py-2 text-sm whitespace-pre-wrap text-zinc-900 dark:bg-brand-900/30 dark:text-zinc-100">
              {text || <span className="text-zinc-400">Write a message to see it here.</span>}
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h3 className="mb-2 text-[13px] font-semibold">Exactly as one recipient gets it</h3>
        {recipients.length > 0 && (
          <Select
            aria-label="Preview for recipient"
            value={previewContactId ?? chosen?.contactId ?? ''}
            onChange={(e) => onPickRecipient(e.target.value ? Number(e.target.value) : null)}
            className="mb-2"
          >
            {recipients.map((r) => (
              <option key={r.id} value={r.id}>
                {r.name}
              </option>
            ))}
          </Select>
        )}
        {chosen ? (
          chosen.message !== null ? (
            <div data-testid="preview-recipient" className="rounded-lg rounded-tl-none bg-white px-3 py-2 text-sm whitespace-pre-wrap shadow-xs ring-1 ring-zinc-200 dark:bg-zinc-800 dark:ring-zinc-700">
              {chosen.message}
            </div>
          ) : (
            <Alert tone="info">
              {chosen.name} is skipped: {chosen.skippedReason}.
            </Alert>
          )
        ) : (
          <p className="text-sm text-zinc-500">The audience has nobody to preview for yet.</p>
        )}
        {chosen && (
          <p className="mt-1 text-xs text-zinc-500">
            For {chosen.name}
            {chosen.phoneNumber ? ` · ${chosen.phoneNumber}` : ''} (one of the variants, chosen at random when sent)
          </p>
        )}
      </div>
    </div>
  );
}

export function MessageStep({
  draft,
  update,
  errors,
  fieldKeys,
  media,
  onMedia,
  onRemoveMedia,
  preview,
  previewContactId,
  recipients,
  onPickRecipient,
}: {
  draft: Draft;
  update: (patch: Partial<Draft>) => void;
  errors: Record<string, string>;
  fieldKeys: string[];
  media: Attachment | null;
  onMedia: (media: Attachment) => void;
  onRemoveMedia: () => void;
  preview: CampaignPreview | null;
  previewContactId: number | null;
  recipients: PickedContact[];
  onPickRecipient: (id: number | null) => void;
}) {
  const box = useRef<HTMLTextAreaElement>(null);
  const [mediaError, setMediaError] = useState<string | null>(null);

  const insert = (snippet: string) => {
    const el = box.current;
    const { text, caret } = insertAt(draft.messageContent, el?.selectionStart ?? draft.messageContent.length, el?.selectionEnd ?? draft.messageContent.length, snippet);
    update({ messageContent: text });
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(caret, caret);
    });
  };

  return (
    <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <div className="space-y-4">
        <Field
          label={media || draft.keptMedia ? 'Caption' : 'Message'}
          error={errors.messageContent}
          counter={{ length: draft.messageContent.length, max: MAX_MESSAGE_CHARS }}
        >
          {(props) => (
            <Textarea
              {...props}
              ref={box}
              rows={7}
              value={draft.messageContent}
              onChange={(e) => update({ messageContent: e.target.value })}
              placeholder={'{Hi|Hello} {{first_name|there}}! Our spring sale starts today: 20% off every bouquet.'}
            />
          )}
        </Field>
        <VariablesPicker fieldKeys={fieldKeys} onInsert={insert} />
        <div className="space-y-1.5">
          <p className="text-[13px] font-medium text-zinc-700 dark:text-zinc-300">
            Image or file <span className="font-normal text-zinc-400">(optional)</span>
          </p>
          <MediaPicker
            media={media}
            keptMedia={draft.keptMedia}
            onChoose={(file) => {
              const chosen = attachmentOf(file);
              if (typeof chosen === 'string') setMediaError(chosen);
              else {
                setMediaError(null);
                onMedia(chosen);
              }
            }}
            onRemove={onRemoveMedia}
          />
          {(mediaError || errors.media) && <p role="alert" className="text-[13px] text-red-600 dark:text-red-400" data-field-error>{mediaError ?? errors.media}</p>}
        </div>
      </div>
      <aside className="h-fit rounded-xl bg-zinc-50 p-4 ring-1 ring-zinc-200 dark:bg-zinc-900/60 dark:ring-zinc-800" aria-label="Preview">
        <p className="mb-3 text-xs font-medium tracking-wide text-zinc-500 uppercase">Preview</p>
        {errors.messageContent ? (
          <p className="text-sm text-zinc-500">Fix the message to see the preview.</p>
        ) : (
          <MessagePreview preview={preview} previewContactId={previewContactId} recipients={recipients} onPickRecipient={onPickRecipient} />
        )}
      </aside>
    </div>
  );
}
