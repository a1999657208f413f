// A tag as a coloured chip, optionally with a remove button.

import { X } from 'lucide-react';
import type { Tag } from '../../api/types';
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
