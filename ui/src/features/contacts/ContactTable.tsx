// The contacts table, virtualised: only the rows in view (plus a margin) are in the DOM, absolutely
// placed inside a spacer as tall as all loaded rows, so 100 000 contacts scroll like 100. Nearing the
// end of the loaded rows asks the store for the next page.

import { ArrowDown, ArrowUp, Loader2 } from 'lucide-react';
import { useCallback, useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';
import type { Contact, ContactSortField } from '../../api/types';
import { Avatar } from '../../components/Avatar';
import { cn } from '../../lib/cn';
import { ROW_HEIGHT, shortDate, windowRange } from './logic';
import { useContacts } from './store';
import { TagChip } from './TagChip';

/** Rows from the end of the loaded ones at which the next page is fetched. */
const PREFETCH_ROWS = 60;

const COLUMNS = 'grid-cols-[2rem_minmax(10rem,1.4fr)_minmax(8.5rem,1fr)_minmax(6rem,1.2fr)_6.5rem_6.5rem]';

function SortHeader({ field, label }: { field: ContactSortField; label: string }) {
  const sort = useContacts((s) => s.sort);
  const order = useContacts((s) => s.order);
  const sortBy = useContacts((s) => s.sortBy);
  const active = sort === field;
  return (
    <div role="columnheader" aria-sort={active ? (order === 'asc' ? 'ascending' : 'descending') : 'none'}>
      <button
        type="button"
        onClick={() => sortBy(field)}
        className={cn('inline-flex items-center gap-1 rounded px-1 -mx-1 hover:text-zinc-900 dark:hover:text-zinc-100', active && 'text-zinc-900 dark:text-zinc-100')}
      >
        {label}
        {active && (order === 'asc' ? <ArrowUp className="size-3.5" aria-hidden /> : <ArrowDown className="size-3.5" aria-hidden />)}
      </button>
    </div>
  );
}

function Row({ contact, index, top }: { contact: Contact; index: number; top: number }) {
  const selected = useContacts((s) => s.selected.has(contact.id));
  const isOpen = useContacts((s) => s.openId === contact.id);
  const toggle = useContacts((s) => s.toggle);
  const open = useContacts((s) => s.open);
  const name = contact.displayName;
  const onKey = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.target !== event.currentTarget) return;
    if (event.key === 'Enter') open(contact.id);
    if (event.key === ' ') {
      event.preventDefault();
      toggle(contact.id);
    }
  };
  return (
    <div
      role="row"
      aria-rowindex={index + 2}
      aria-selected={selected}
      tabIndex={0}
      data-testid="contact-row"
      onClick={() => open(contact.id)}
      onKeyDown={onKey}
      className={cn(
        'absolute inset-x-0 grid cursor-pointer items-center gap-3 border-b border-zinc-100 px-4 text-sm outline-none focus-visible:bg-brand-50 dark:border-zinc-800/70 dark:focus-visible:bg-zinc-800',
        COLUMNS,
        isOpen ? 'bg-brand-50/70 dark:bg-brand-900/20' : selected ? 'bg-zinc-50 dark:bg-zinc-800/40' : 'hover:bg-zinc-50 dark:hover:bg-zinc-800/40',
      )}
      style={{ top, height: ROW_HEIGHT }}
    >
      <div role="cell" onClick={(e) => e.stopPropagation()}>
        <input
          type="checkbox"
          checked={selected}
          onChange={() => toggle(contact.id)}
          aria-label={`Select ${name}`}
          className="size-4 rounded border-zinc-300 accent-brand-600"
        />
      </div>
      <div role="cell" className="flex min-w-0 items-center gap-2.5">
        <Avatar name={name} size="sm" />
        <span className="truncate font-medium text-zinc-900 dark:text-zinc-100">{name}</span>
        {contact.optedOut && (
          <span className="shrink-0 rounded bg-amber-100 px-1.5 py-0.5 text-[10px] font-semibold uppercase text-amber-800 dark:bg-amber-900/40 dark:text-amber-300">
            Opted out
          </span>
        )}
      </div>
      <div role="cell" className="truncate tabular-nums text-zinc-600 dark:text-zinc-400">
        {contact.phoneDisplay ?? contact.waId ?? '—'}
      </div>
      <div role="cell" className="flex min-w-0 gap-1 overflow-hidden">
        {contact.tags.slice(0, 3).map((tag) => (
          <TagChip key={tag.id} tag={tag} small />
        ))}
        {contact.tags.length > 3 && <span className="text-xs text-zinc-500">+{contact.tags.length - 3}</span>}
      </div>
      <div role="cell" className="truncate text-zinc-500 dark:text-zinc-400">
        {shortDate(contact.lastMessageAt)}
      </div>
      <div role="cell" className="truncate text-zinc-500 dark:text-zinc-400">
        {shortDate(contact.createdAt)}
      </div>
    </div>
  );
}

export function ContactTable() {
  const rows = useContacts((s) => s.rows);
  const nextCursor = useContacts((s) => s.nextCursor);
  const loading = useContacts((s) => s.loading);
  const loadMore = useContacts((s) => s.loadMore);
  const filter = useContacts((s) => s.filter);
  const sort = useContacts((s) => s.sort);
  const order = useContacts((s) => s.order);
  const selectLoaded = useContacts((s) => s.selectLoaded);
  const clearSelection = useContacts((s) => s.clearSelection);
  const allSelected = useContacts((s) => s.rows.length > 0 && s.selected.size >= s.rows.length);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(600);

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const measure = () => setViewport(element.clientHeight);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // A new filter or sort starts at the top.
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = 0;
    setScrollTop(0);
  }, [filter, sort, order]);

  const { start, end } = windowRange(scrollTop, viewport, rows.length);

  useEffect(() => {
    if (nextCursor && !loading && end >= rows.length - PREFETCH_ROWS) void loadMore();
  }, [end, rows.length, nextCursor, loading, loadMore]);

  const onScroll = useCallback(() => {
    if (scroller.current) setScrollTop(scroller.current.scrollTop);
  }, []);

  const height = rows.length * ROW_HEIGHT + (nextCursor ? ROW_HEIGHT : 0);
  return (
    <div role="table" aria-label="Contacts" aria-rowcount={rows.length + 1} className="flex min-h-0 flex-1 flex-col">
      <div role="rowgroup">
        <div
          role="row"
          className={cn(
            'grid h-10 shrink-0 items-center gap-3 border-b border-zinc-200 bg-zinc-50/80 px-4 text-xs font-medium text-zinc-500 dark:border-zinc-800 dark:bg-zinc-900/60 dark:text-zinc-400',
            COLUMNS,
          )}
        >
          <div role="columnheader">
            <input
              type="checkbox"
              checked={allSelected}
              onChange={() => (allSelected ? clearSelection() : selectLoaded())}
              aria-label="Select all loaded contacts"
              className="size-4 rounded border-zinc-300 accent-brand-600"
            />
          </div>
          <SortHeader field="name" label="Name" />
          <div role="columnheader">Phone</div>
          <div role="columnheader">Tags</div>
          <SortHeader field="lastMessageAt" label="Last message" />
          <SortHeader field="createdAt" label="Added" />
        </div>
      </div>
      <div ref={scroller} onScroll={onScroll} className="min-h-0 flex-1 overflow-y-auto" data-testid="contacts-scroller">
        <div role="rowgroup" className="relative" style={{ height }}>
          {rows.slice(start, end).map((contact, i) => (
            <Row key={contact.id} contact={contact} index={start + i} top={(start + i) * ROW_HEIGHT} />
          ))}
          {nextCursor && (
            <div className="absolute inset-x-0 flex items-center justify-center gap-2 text-sm text-zinc-500" style={{ top: rows.length * ROW_HEIGHT, height: ROW_HEIGHT }}>
              <Loader2 className="size-4 animate-spin" aria-hidden /> Loading more…
            </div>
          )}
        </div>
      </div>
    </div>
  );
}
