// The wizard's first step: the campaign's name and who receives it — every contact, contacts with tags
// (any or all of them), or hand-picked contacts — minus excluded tags, with the live recipient count the
// preview route answers.

import { Search, Users, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { CampaignPreview, Contact, TagSummary, TargetType } from '../../api/types';
import { Alert, Field, Input, Spinner } from '../../components/ui';
import { listContacts } from '../contacts/api';
import { plural } from '../contacts/logic';
import { TagModeSwitch, TagToggle } from '../contacts/TagChip';
import type { Draft, PickedContact } from './logic';
import { ChoiceCard } from './parts';

/** Typing pauses this long before the contact search asks. */
const SEARCH_DELAY_MS = 250;

const TARGETS: Array<{ value: TargetType; title: string; text: string }> = [
  { value: 'tags', title: 'Contacts with tags', text: 'Everyone with the tags you choose' },
  { value: 'all', title: 'All contacts', text: 'Everyone in your contacts' },
  { value: 'custom', title: 'Hand-picked', text: 'Contacts you choose one by one' },
];

function TagToggles({ label, tags, chosen, onToggle }: { label: string; tags: TagSummary[]; chosen: number[]; onToggle: (id: number) => void }) {
  return (
    <div className="flex flex-wrap gap-1.5" role="group" aria-label={label}>
      {tags.map((tag) => (
        <TagToggle key={tag.id} tag={tag} on={chosen.includes(tag.id)} onToggle={() => onToggle(tag.id)}>
          <span className="ml-1 opacity-70">{tag.contactCount.toLocaleString('en-US')}</span>
        </TagToggle>
      ))}
    </div>
  );
}

function toggled(list: number[], id: number): number[] {
  return list.includes(id) ? list.filter((x) => x !== id) : [...list, id];
}

function ContactPicker({ picked, onChange }: { picked: PickedContact[]; onChange: (contacts: PickedContact[]) => void }) {
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Contact[] | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => {
    if (timer.current) clearTimeout(timer.current);
    let live = true;
    timer.current = setTimeout(() => {
      listContacts({ q: query, optedOut: false }, { sort: 'name', order: 'asc', limit: 20 }).then(
        (page) => live && setResults(page.data),
        () => live && setResults([]),
      );
    }, SEARCH_DELAY_MS);
    return () => {
      live = false;
    };
  }, [query]);

  const ids = new Set(picked.map((c) => c.id));
  return (
    <div className="grid gap-4 md:grid-cols-2">
      <div className="space-y-2">
        <div className="relative">
          <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
          <Input type="search" aria-label="Find contacts" placeholder="Find by name or number" value={query} onChange={(e) => setQuery(e.target.value)} className="pl-8" />
        </div>
        <ul className="max-h-64 divide-y divide-zinc-100 overflow-y-auto rounded-lg ring-1 ring-zinc-200 dark:divide-zinc-800 dark:ring-zinc-800" aria-label="Matching contacts">
          {results === null && (
            <li className="p-3">
              <Spinner label="Searching…" />
            </li>
          )}
          {results?.length === 0 && <li className="p-3 text-sm text-zinc-500">No contact matches.</li>}
          {results?.map((contact) => (
            <li key={contact.id}>
              <label className="flex cursor-pointer items-center gap-3 px-3 py-2 text-sm hover:bg-zinc-50 dark:hover:bg-zinc-800/60">
                <input
                  type="checkbox"
                  checked={ids.has(contact.id)}
                  onChange={() =>
                    onChange(ids.has(contact.id) ? picked.filter((c) => c.id !== contact.id) : [...picked, { id: contact.id, name: contact.displayName }])
                  }
                  className="size-4 accent-brand-600"
                />
                <span className="min-w-0 flex-1 truncate">{contact.displayName}</span>
                <span className="shrink-0 text-xs text-zinc-500 tabular-nums">{contact.phoneDisplay ?? ''}</span>
              </label>
            </li>
          ))}
        </ul>
      </div>
      <div>
        <p className="mb-2 text-[13px] font-medium text-zinc-700 dark:text-zinc-300">{plural(picked.length, 'contact')} chosen</p>
        <div className="flex flex-wrap gap-1.5" aria-label="Chosen contacts">
          {picked.map((c) => (
            <span key={c.id} className="inline-flex items-center gap-1 rounded-full bg-zinc-100 py-0.5 pr-1 pl-2.5 text-xs font-medium dark:bg-zinc-800">
              {c.name}
              <button type="button" aria-label={`Remove ${c.name}`} onClick={() => onChange(picked.filter((p) => p.id !== c.id))} className="rounded-full p-0.5 hover:bg-black/10">
                <X className="size-3" aria-hidden />
              </button>
            </span>
          ))}
        </div>
      </div>
    </div>
  );
}

/** The live count of who will receive the campaign, from the preview route. */
export function AudienceCount({ preview, incomplete }: { preview: CampaignPreview | null; incomplete: string | null }) {
  if (incomplete) return <p className="text-sm text-zinc-500 dark:text-zinc-400">{incomplete}</p>;
  if (!preview) return <Spinner label="Counting recipients…" />;
  const { eligible, optedOut, noPhone } = preview.audience;
  return (
    <div className="flex items-center gap-3">
        <div className="flex size-10 items-center justify-center rounded-xl bg-brand-50 text-brand-700 dark:bg-brand-900/30 dark:text-brand-300">
          <Users className="size-5" aria-hidden />
        </div>
        <div>
          <p className="text-lg font-semibold tabular-nums" data-testid="recipient-count">
            {plural(eligible, 'recipient')}
          </p>
          <p className="text-[13px] text-zinc-500 dark:text-zinc-400">
            {optedOut + noPhone === 0
              ? 'Everyone selected can receive it.'
              : [optedOut > 0 && `${plural(optedOut, 'opted-out contact')} skipped`, noPhone > 0 && `${plural(noPhone, 'contact')} without a number skipped`]
                  .filter(Boolean)
                  .join(' · ')}
          </p>
        </div>
    </div>
  );
}

/** Why the audience cannot be counted yet, or null. */
export function audienceIncomplete(draft: Draft): string | null {
  if (draft.targetType === 'tags' && draft.targetTags.length === 0) return 'Choose at least one tag to see how many contacts receive it.';
  if (draft.targetType === 'custom' && draft.contacts.length === 0) return 'Choose at least one contact.';
  return null;
}

export function AudienceStep({
  draft,
  update,
  tags,
  errors,
  preview,
}: {
  draft: Draft;
  update: (patch: Partial<Draft>) => void;
  tags: TagSummary[];
  errors: Record<string, string>;
  preview: CampaignPreview | null;
}) {
  const excludable = tags.filter((t) => !(draft.targetType === 'tags' && draft.targetTags.includes(t.id)));
  return (
    <div className="grid gap-8 lg:grid-cols-[minmax(0,1fr)_18rem]">
      <div className="space-y-6">
        <Field label="Campaign name" error={errors.name} hint="Only you see it.">
          {(props) => <Input {...props} value={draft.name} onChange={(e) => update({ name: e.target.value })} placeholder="Spring sale" maxLength={200} />}
        </Field>

        <fieldset className="space-y-2">
          <legend className="mb-2 text-[13px] font-medium text-zinc-700 dark:text-zinc-300">Who receives it</legend>
          <div className="grid gap-2 sm:grid-cols-3" role="radiogroup" aria-label="Who receives it">
            {TARGETS.map((t) => (
              <ChoiceCard key={t.value} name="targetType" checked={draft.targetType === t.value} onChoose={() => update({ targetType: t.value })} title={t.title} text={t.text} />
            ))}
          </div>
          {errors.targetType && <Alert>{errors.targetType}</Alert>}
        </fieldset>

        {draft.targetType === 'tags' && (
          <div className="space-y-2">
            <p className="text-[13px] font-medium text-zinc-700 dark:text-zinc-300">Tags</p>
            {tags.length === 0 ? (
              <p className="text-sm text-zinc-500">No tags yet: tag contacts on the Contacts screen first.</p>
            ) : (
              <TagToggles label="Tags" tags={tags} chosen={draft.targetTags} onToggle={(id) => update({ targetTags: toggled(draft.targetTags, id) })} />
            )}
            {draft.targetTags.length > 1 && <TagModeSwitch mode={draft.tagMode} onChange={(tagMode) => update({ tagMode })} />}
            {errors.targetTags && <p role="alert" className="text-[13px] text-red-600 dark:text-red-400" data-field-error>{errors.targetTags}</p>}
          </div>
        )}

        {draft.targetType === 'custom' && (
          <div className="space-y-2">
            <ContactPicker picked={draft.contacts} onChange={(contacts) => update({ contacts })} />
            {errors.contactIds && <p role="alert" className="text-[13px] text-red-600 dark:text-red-400" data-field-error>{errors.contactIds}</p>}
          </div>
        )}

        {excludable.length > 0 && (
          <div className="space-y-2">
            <p className="text-[13px] font-medium text-zinc-700 dark:text-zinc-300">
              Leave out contacts tagged <span className="font-normal text-zinc-400">(optional)</span>
            </p>
            <TagToggles label="Excluded tags" tags={excludable} chosen={draft.excludeTags} onToggle={(id) => update({ excludeTags: toggled(draft.excludeTags, id) })} />
            {errors.excludeTags && <p role="alert" className="text-[13px] text-red-600 dark:text-red-400" data-field-error>{errors.excludeTags}</p>}
          </div>
        )}
      </div>
      <aside className="h-fit rounded-xl bg-zinc-50 p-4 ring-1 ring-zinc-200 dark:bg-zinc-900/60 dark:ring-zinc-800" aria-live="polite">
        <p className="mb-3 text-xs font-medium tracking-wide text-zinc-500 uppercase">Recipients</p>
        <AudienceCount preview={preview} incomplete={audienceIncomplete(draft)} />
        <p className="mt-3 text-xs leading-relaxed text-zinc-500 dark:text-zinc-400">
          Contacts who opted out (replied STOP) never receive campaigns. The list is frozen when sending starts.
        </p>
      </aside>
    </div>
  );
}
