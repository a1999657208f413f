// The campaigns screen's state: the list (paged, newest first) and the open campaign with its recipients
// (filtered by status, paged in send order). Live events keep both current: a campaign's own events carry
// the whole campaign; a recipient's update is patched into the table and the campaign's counters, next
// send and ETA are read again (one request per burst of updates). An answer may be older than an event
// that overtook it (they travel on different connections): recipient pages are laid under the latest
// event of each recipient, and a campaign read while one of its events arrived is read again.

import { create } from 'zustand';
import { ApiError } from '../../api/client';
import type { AppEvent, Campaign, Recipient, RecipientStatus } from '../../api/types';
import { campaignAction, deleteCampaign, getCampaign, listCampaigns, listRecipients, type CampaignAction } from './api';
import { problemText, upsertCampaign, withLiveUpdates } from './logic';

/** Campaigns per page of the list. */
const LIST_PAGE = 50;
/** Recipients per page of the table. */
export const RECIPIENT_PAGE = 100;
/** Recipient updates within this long cause one re-read of their campaign. */
const REFRESH_DELAY_MS = 250;

export interface LiveCampaign {
  id: number;
  campaign: Campaign | null;
  error: string | null;
  recipients: Recipient[];
  recipientsCursor: string | null;
  /** True once the last page of recipients (for the filter) is loaded. */
  recipientsComplete: boolean;
  recipientsLoading: boolean;
  filter: RecipientStatus | null;
}

interface CampaignsStore {
  list: Campaign[];
  listCursor: string | null;
  listLoaded: boolean;
  listError: string | null;
  live: LiveCampaign | null;

  loadList: () => Promise<void>;
  loadMoreList: () => Promise<void>;
  /** Opens a campaign's live page (its row and the first page of recipients). */
  open: (id: number) => Promise<void>;
  close: () => void;
  setRecipientFilter: (filter: RecipientStatus | null) => Promise<void>;
  loadMoreRecipients: () => Promise<void>;
  /** Runs a lifecycle action; the campaign it answers is shown at once (the event confirms it later). */
  act: (id: number, action: CampaignAction) => Promise<Campaign>;
  remove: (id: number) => Promise<void>;
  /** Puts a campaign the user just saved or read into the list and the open page. */
  put: (campaign: Campaign) => void;
  /** Re-reads one campaign (its counters, next send and ETA move without an event of their own). */
  refresh: (id: number) => Promise<void>;
  applyEvent: (event: AppEvent) => void;
}


/** Campaign ids waiting to be re-read, and the timer that will. */
const pendingRefresh = new Set<number>();
let refreshTimer: ReturnType<typeof setTimeout> | null = null;
/** Bumped whenever the recipients shown change meaning (another campaign, another filter). */
let recipientsGeneration = 0;
/** The latest event of each recipient of the open campaign, laid over every page that arrives. */
let recipientUpdates = new Map<number, Recipient>();
/** Campaign events received per campaign, to tell whether one overtook a read of it. */
const campaignEvents = new Map<number, number>();

export const useCampaigns = create<CampaignsStore>((set, get) => {
  const scheduleRefresh = (id: number) => {
    pendingRefresh.add(id);
    refreshTimer ??= setTimeout(() => {
      refreshTimer = null;
      const ids = [...pendingRefresh];
      pendingRefresh.clear();
      ids.forEach((one) => void get().refresh(one));
    }, REFRESH_DELAY_MS);
  };

  const loadRecipients = async (reset: boolean) => {
    const live = get().live;
    if (!live || (!reset && (live.recipientsComplete || live.recipientsLoading))) return;
    const generation = reset ? ++recipientsGeneration : recipientsGeneration;
    set({ live: { ...live, recipientsLoading: true } });
    try {
      const page = await listRecipients(live.id, {
        status: live.filter ?? undefined,
        cursor: reset ? null : live.recipientsCursor,
        limit: RECIPIENT_PAGE,
      });
      const now = get().live;
      if (!now || now.id !== live.id || generation !== recipientsGeneration) return;
      const known = new Set(page.data.map((r) => r.id));
      const complete = page.nextCursor === null;
      const rows = reset ? page.data : [...now.recipients.filter((r) => !known.has(r.id)), ...page.data];
      set({
        live: {
          ...now,
          recipients: withLiveUpdates(rows, recipientUpdates.values(), now.filter, complete),
          recipientsCursor: page.nextCursor,
          recipientsComplete: complete,
          recipientsLoading: false,
        },
      });
    } catch (error) {
      const now = get().live;
      if (now && now.id === live.id) set({ live: { ...now, recipientsLoading: false, error: problemText(error) } });
    }
  };

  return {
    list: [],
    listCursor: null,
    listLoaded: false,
    listError: null,
    live: null,

    async loadList() {
      try {
        const page = await listCampaigns({ limit: LIST_PAGE });
        set({ list: page.data, listCursor: page.nextCursor, listLoaded: true, listError: null });
      } catch (error) {
        set({ listLoaded: true, listError: problemText(error) });
      }
    },

    async loadMoreList() {
      const cursor = get().listCursor;
      if (!cursor) return;
      try {
        const page = await listCampaigns({ cursor, limit: LIST_PAGE });
        const known = new Set(get().list.map((c) => c.id));
        set((s) => ({ list: [...s.list, ...page.data.filter((c) => !known.has(c.id))], listCursor: page.nextCursor }));
      } catch (error) {
        set({ listError: problemText(error) });
      }
    },

    async open(id) {
      recipientUpdates = new Map();
      set({
        live: {
          id,
          campaign: get().list.find((c) => c.id === id) ?? null,
          error: null,
          recipients: [],
          recipientsCursor: null,
          recipientsComplete: false,
          recipientsLoading: false,
          filter: null,
        },
      });
      await Promise.all([get().refresh(id), loadRecipients(true)]);
    },

    close() {
      recipientsGeneration++;
      recipientUpdates = new Map();
      set({ live: null });
    },

    async setRecipientFilter(filter) {
      const live = get().live;
      if (!live) return;
      set({ live: { ...live, filter, recipients: [], recipientsCursor: null, recipientsComplete: false } });
      await loadRecipients(true);
    },

    loadMoreRecipients: () => loadRecipients(false),

    async act(id, action) {
      const campaign = await campaignAction(id, action);
      get().put(campaign);
      return campaign;
    },

    async remove(id) {
      await deleteCampaign(id);
      set((s) => ({ list: s.list.filter((c) => c.id !== id) }));
    },

    put(campaign) {
      set((s) => ({
        list: upsertCampaign(s.list, campaign),
        live: s.live && s.live.id === campaign.id ? { ...s.live, campaign, error: null } : s.live,
      }));
    },

    async refresh(id) {
      const eventsBefore = campaignEvents.get(id) ?? 0;
      try {
        const campaign = await getCampaign(id);
        if ((campaignEvents.get(id) ?? 0) !== eventsBefore) scheduleRefresh(id);
        else get().put(campaign);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) {
          set((s) => ({
            list: s.list.filter((c) => c.id !== id),
            live: s.live && s.live.id === id ? { ...s.live, campaign: null, error: 'This campaign was deleted.' } : s.live,
          }));
        } else {
          set((s) => ({ live: s.live && s.live.id === id ? { ...s.live, error: problemText(error) } : s.live }));
        }
      }
    },

    applyEvent(event) {
      if (event.type === 'resync') {
        void get().loadList();
        const live = get().live;
        // What was heard before the gap cannot be trusted over what is read now.
        recipientUpdates = new Map();
        if (live) {
          void get().refresh(live.id);
          void loadRecipients(true);
        }
        return;
      }
      if (event.type === 'campaign.recipient_updated') {
        const recipient = event.data as Recipient;
        const live = get().live;
        if (live && live.id === recipient.campaignId) {
          recipientUpdates.set(recipient.id, recipient);
          set({ live: { ...live, recipients: withLiveUpdates(live.recipients, [recipient], live.filter, live.recipientsComplete) } });
        }
        if (live?.id === recipient.campaignId || get().list.some((c) => c.id === recipient.campaignId)) scheduleRefresh(recipient.campaignId);
        return;
      }
      if (event.type.startsWith('campaign.')) {
        const campaign = event.data as Campaign;
        campaignEvents.set(campaign.id, (campaignEvents.get(campaign.id) ?? 0) + 1);
        get().put(campaign);
        return;
      }
      // The link coming and going changes what a sending campaign waits for.
      if (event.type === 'whatsapp.status') {
        const live = get().live;
        if (live?.campaign?.status === 'sending') scheduleRefresh(live.id);
      }
    },
  };
});
