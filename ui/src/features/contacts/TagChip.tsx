// A tag as a coloured chip, optionally with a remove button; a tag as a toggle (filled in its colour when
// on) and the any / all switch for several tags, as filters and audiences pick them.

import { X } from 'lucide-react';
import type { ReactNode } from 'react';
import type { Tag, TagMode } from '../../api/types';
import { cn } from '../../lib/cn';
import { textOn } from './logic';

export function TagChip({ tag, onRemove, small = false }: { tag: Tag; onRemove?: () => void; small?: boolean }) {
  return (
    <span
      className={`inline-flex max-w-40 items-center gap-1 rounded-full font-medium ${small ? 'px-2 py-0.5 text-[11px]' : 'px-2.5 py-0.5 text-xs'}`}
      style={{ backgroundColor: tag.color, color: textOn(tag.color) }}
      data-testid="tag-chip"
    >
      <span className="truncate">{tag.name}</span>
      {onRemove && (
        <button type="button" onClick={onRemove} aria-label={`Remove tag ${tag.name}`} className="-mr-1 rounded-full p-0.5 hover:bg-black/15">
          <X className="size-3" aria-hidden />
        </button>
      )}
    </span>
  );
}

export function TagToggle({ tag, on, onToggle, children }: { tag: Tag; on: boolean; onToggle: () => void; children?: ReactNode }) {
  return (
    <button
      type="button"
      aria-pressed={on}
      onClick={onToggle}
      className={cn(
        'rounded-full px-2.5 py-0.5 text-xs font-medium ring-1 transition-colors',
        on ? 'ring-transparent' : 'bg-transparent text-zinc-600 ring-zinc-300 hover:bg-zinc-100 dark:text-zinc-300 dark:ring-zinc-700 dark:hover:bg-zinc-800',
      )}
      style={on ? { backgroundColor: tag.color, color: textOn(tag.color) } : undefined}
    >
      {tag.name}
      {children}
    </button>
  );
}

/** Whether contacts need any or all of several tags. */
export function TagModeSwitch({ mode, onChange, className }: { mode: TagMode; onChange: (mode: TagMode) => void; className?: string }) {
  return (
    <div className={cn('inline-flex rounded-md ring-1 ring-zinc-300 dark:ring-zinc-700', className)} role="radiogroup" aria-label="Tag match">
      {(['any', 'all'] as TagMode[]).map((m) => (
        <button
          key={m}
          type="button"
          role="radio"
          aria-checked={mode === m}
          onClick={() => onChange(m)}
          className={cn('px-2 py-0.5 text-xs', mode === m ? 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900' : 'text-zinc-600 dark:text-zinc-300')}
        >
          {m === 'any' ? 'Any of them' : 'All of them'}
        </button>
      ))}
    </div>
  );
}
