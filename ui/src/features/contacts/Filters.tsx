// The filter bar above the table: search (debounced), tags (any / all), opted out, source, and the count
// of contacts matching.

import { Search, X } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { ContactSource, TagMode } from '../../api/types';
import { Input, Select } from '../../components/ui';
import { searchBox } from '../../lib/shortcuts';
import { plural } from './logic';
import { TagModeSwitch, TagToggle } from './TagChip';
import { useContacts } from './store';

/** Typing pauses this long before the table asks again. */
const SEARCH_DELAY_MS = 250;

export function Filters() {
  const filter = useContacts((s) => s.filter);
  const setFilter = useContacts((s) => s.setFilter);
  const tags = useContacts((s) => s.tags);
  const total = useContacts((s) => s.total);
  const [text, setText] = useState(filter.q ?? '');
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  useEffect(() => () => {
    if (timer.current) clearTimeout(timer.current);
  }, []);

  const onText = (value: string) => {
    setText(value);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => setFilter({ q: value }), SEARCH_DELAY_MS);
  };

  const chosen = filter.tags ?? [];
  const toggleTag = (id: number) => setFilter({ tags: chosen.includes(id) ? chosen.filter((t) => t !== id) : [...chosen, id] });
  const mode: TagMode = filter.tagMode ?? 'any';

  return (
    <div className="space-y-2 border-b border-zinc-200 px-4 py-3 dark:border-zinc-800">
      <div className="flex flex-wrap items-center gap-2">
        <div className="relative min-w-64 flex-1">
          <Search className="pointer-events-none absolute top-1/2 left-2.5 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
          <Input
            type="search"
            {...searchBox}
            aria-label="Search contacts"
            placeholder="Search name, number, e-mail, notes"
            value={text}
            onChange={(e) => onText(e.target.value)}
            className="pl-8"
          />
        </div>
        <Select
          aria-label="Opted out"
          value={filter.optedOut === undefined ? '' : String(filter.optedOut)}
          onChange={(e) => setFilter({ optedOut: e.target.value === '' ? undefined : e.target.value === 'true' })}
          className="w-44"
        >
          <option value="">Opted in and out</option>
          <option value="false">Receive campaigns</option>
          <option value="true">Opted out</option>
        </Select>
        <Select
          aria-label="Source"
          value={filter.source ?? ''}
          onChange={(e) => setFilter({ source: (e.target.value || undefined) as ContactSource | undefined })}
          className="w-44"
        >
          <option value="">Every source</option>
          <option value="conversation">From conversations</option>
          <option value="manual">Added by hand</option>
          <option value="import">Imported</option>
          <option value="api">Through the API</option>
        </Select>
        <span className="ml-auto text-sm text-zinc-500 tabular-nums" data-testid="contacts-total" aria-live="polite">
          {total === null ? '' : plural(total, 'contact')}
        </span>
      </div>
      {tags.length > 0 && (
        <div className="flex flex-wrap items-center gap-1.5" role="group" aria-label="Filter by tags">
          <span className="mr-1 text-xs text-zinc-500">Tags</span>
          {tags.map((tag) => (
            <TagToggle key={tag.id} tag={tag} on={chosen.includes(tag.id)} onToggle={() => toggleTag(tag.id)} />
          ))}
          {chosen.length > 1 && <TagModeSwitch className="ml-2" mode={mode} onChange={(m) => setFilter({ tagMode: m })} />}
          {chosen.length > 0 && (
            <button type="button" onClick={() => setFilter({ tags: [] })} className="ml-1 inline-flex items-center gap-1 text-xs text-zinc-500 hover:text-zinc-900 dark:hover:text-zinc-100">
              <X className="size-3" aria-hidden /> Clear
            </button>
          )}
        </div>
      )}
    </div>
  );
}
