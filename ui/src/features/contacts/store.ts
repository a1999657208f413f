// The contacts screen's state: the filter and sort, the rows loaded so far (page after page as the table
// scrolls), the total, the selection, the open contact and the tags. Live events patch it in place or
// schedule a reload, so several windows and the API stay in step.

import { create } from 'zustand';
import { ApiError } from '../../api/client';
import type { AppEvent, BulkOutcome, BulkRequest, Contact, ContactFilter, ContactSortField, SortOrder, TagSummary } from '../../api/types';
import { bulkContacts, countContacts, listContacts, listTags } from './api';

/** Rows asked for per page: a few screens' worth, so scrolling rarely waits. */
export const PAGE_SIZE = 200;

interface ContactsStore {
  filter: ContactFilter;
  sort: ContactSortField;
  order: SortOrder;
  rows: Contact[];
  nextCursor: string | null;
  total: number | null;
  loading: boolean;
  error: string | null;
  /** Ids picked with the checkboxes. */
  selected: Set<number>;
  /** The selection is "every contact matching the filter", not only the loaded rows. */
  allMatching: boolean;
  openId: number | null;
  tags: TagSummary[];
  /** Server-side progress of a running import, from `contacts.import.progress` events. */
  importProgress: { done: number; total: number } | null;

  setFilter: (patch: Partial<ContactFilter>) => void;
  sortBy: (field: ContactSortField) => void;
  reload: () => Promise<void>;
  loadMore: () => Promise<void>;
  loadTags: () => Promise<void>;
  toggle: (id: number) => void;
  selectLoaded: () => void;
  selectAllMatching: () => void;
  clearSelection: () => void;
  open: (id: number | null) => void;
  /** Puts a contact the user just saved into the rows (an event confirms it later). */
  upsert: (contact: Contact) => void;
  remove: (id: number) => void;
  bulk: (request: Omit<BulkRequest, 'ids' | 'filter'>) => Promise<BulkOutcome>;
  applyEvent: (event: AppEvent) => void;
}

/** Bumped by every reload, so an answer to an older request (a filter typed over) is dropped. */
let generation = 0;
let reloadTimer: ReturnType<typeof setTimeout> | null = null;

function message(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

export const useContacts = create<ContactsStore>((set, get) => {
  /** Many events in a burst (an import, a bulk action in another window) cause one reload. */
  const scheduleReload = (withTags = false) => {
    if (reloadTimer) clearTimeout(reloadTimer);
    reloadTimer = setTimeout(() => {
      reloadTimer = null;
      void get().reload();
      if (withTags) void get().loadTags();
    }, 250);
  };

  return {
    filter: {},
    sort: 'name',
    order: 'asc',
    rows: [],
    nextCursor: null,
    total: null,
    loading: false,
    error: null,
    selected: new Set(),
    allMatching: false,
    openId: null,
    tags: [],
    importProgress: null,

    setFilter(patch) {
      set((s) => ({ filter: { ...s.filter, ...patch }, selected: new Set(), allMatching: false }));
      void get().reload();
    },

    sortBy(field) {
      const { sort, order } = get();
      // A second click on the same column reverses it; times start with the newest.
      const next: SortOrder = sort === field ? (order === 'asc' ? 'desc' : 'asc') : field === 'name' ? 'asc' : 'desc';
      set({ sort: field, order: next });
      void get().reload();
    },

    async reload() {
      const mine = ++generation;
      const { filter, sort, order } = get();
      set({ loading: true, error: null });
      try {
        const [page, total] = await Promise.all([listContacts(filter, { sort, order, limit: PAGE_SIZE }), countContacts(filter)]);
        if (mine !== generation) return;
        set({ rows: page.data, nextCursor: page.nextCursor, total, loading: false });
      } catch (error) {
        if (mine === generation) set({ loading: false, error: message(error) });
      }
    },

    async loadMore() {
      const { nextCursor, loading, filter, sort, order } = get();
      if (!nextCursor || loading) return;
      const mine = generation;
      set({ loading: true });
      try {
        const page = await listContacts(filter, { sort, order, cursor: nextCursor, limit: PAGE_SIZE });
        if (mine !== generation) return;
        set((s) => ({ rows: [...s.rows, ...page.data], nextCursor: page.nextCursor, loading: false }));
      } catch (error) {
        if (mine === generation) set({ loading: false, error: message(error) });
      }
    },

    async loadTags() {
      try {
        set({ tags: await listTags() });
      } catch {
        // The tag list is a convenience of the filters; the table works without it.
      }
    },

    toggle(id) {
      set((s) => {
        const selected = new Set(s.selected);
        if (selected.has(id)) selected.delete(id);
        else selected.add(id);
        return { selected, allMatching: false };
      });
    },
    selectLoaded() {
      set((s) => ({ selected: new Set(s.rows.map((r) => r.id)), allMatching: false }));
    },
    selectAllMatching() {
      set((s) => ({ selected: new Set(s.rows.map((r) => r.id)), allMatching: true }));
    },
    clearSelection() {
      set({ selected: new Set(), allMatching: false });
    },

    open(id) {
      set({ openId: id });
    },

    upsert(contact) {
      set((s) => {
        const at = s.rows.findIndex((r) => r.id === contact.id);
        if (at >= 0) {
          const rows = s.rows.slice();
          rows[at] = contact;
          return { rows };
        }
        return { rows: [contact, ...s.rows], total: s.total === null ? null : s.total + 1 };
      });
    },

    remove(id) {
      set((s) => {
        if (!s.rows.some((r) => r.id === id)) return {};
        const selected = new Set(s.selected);
        selected.delete(id);
        return {
          rows: s.rows.filter((r) => r.id !== id),
          total: s.total === null ? null : Math.max(0, s.total - 1),
          selected,
          openId: s.openId === id ? null : s.openId,
        };
      });
    },

    async bulk(request) {
      const { allMatching, filter, selected } = get();
      const outcome = await bulkContacts(allMatching ? { ...request, filter } : { ...request, ids: [...selected] });
      if (request.action === 'delete') set({ selected: new Set(), allMatching: false, openId: null });
      await Promise.all([get().reload(), get().loadTags()]);
      return outcome;
    },

    applyEvent(event) {
      switch (event.type) {
        case 'contact.updated': {
          const contact = event.data as Contact;
          // Patched in place: a row does not jump away from under the pointer while it is being read.
          if (get().rows.some((r) => r.id === contact.id)) get().upsert(contact);
          break;
        }
        case 'contact.created':
          scheduleReload();
          break;
        case 'contact.deleted':
          get().remove((event.data as { id: number }).id);
          break;
        case 'contacts.changed':
        case 'contacts.imported':
          set({ importProgress: null });
          scheduleReload(true);
          break;
        case 'contacts.import.progress':
          set({ importProgress: event.data as { done: number; total: number } });
          break;
        case 'tags.changed':
        // Events were lost (the feed fell behind): patching cannot be trusted, so everything is read again.
        case 'resync':
          scheduleReload(true);
          break;
        default:
          break;
      }
    },
  };
});
