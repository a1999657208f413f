// The shell's state: what the server says about the app (onboarded, locked), the session, WhatsApp's link
// state and the live-event feed. Screens read it; only the actions here change it.

import { create } from 'zustand';
import { ApiError, getAppState, getProfile, getWhatsAppStatus, onApiError, type FeedState } from '../api/client';
import type { AppEvent, AppState, HistorySync, LinkCallFailure, LockState, Profile, WhatsAppStatus } from '../api/types';

/** Where the shell is: still asking, cannot reach the server, no valid session token, or running. */
export type Phase = 'booting' | 'unreachable' | 'unauthorized' | 'ready';

/** WhatsApp's link state; `absent` means the server has no WhatsApp route yet (404) or the link is off. */
export type WhatsAppView = { kind: 'loading' } | { kind: 'absent' } | { kind: 'error'; message: string } | { kind: 'status'; status: WhatsAppStatus };

interface AppStore {
  phase: Phase;
  problem: string | null;
  app: AppState | null;
  /** True from the first onboarding step until the user finishes or skips the last one. */
  onboarding: boolean;
  whatsapp: WhatsAppView;
  /**
   * True once WhatsApp reported `logged-out` without the user asking for it here (the phone removed this
   * computer). The link stays `logged-out` until the user connects again; this keeps the explanation on
   * screen until the user acknowledges it or links again.
   */
  phoneLogout: boolean;
  /** The last history backfill report (`history.sync`): shown while it is not done. */
  history: HistorySync | null;
  /** The last call to WhatsApp started here that failed after it was answered (`whatsapp.call_failed`). */
  linkFailure: LinkCallFailure | null;
  /** Forgets `linkFailure` (a new call starts, or the user dismissed it). */
  clearLinkFailure: () => void;
  feed: FeedState;
  /** The saved business profile, once loaded (null before onboarding or while unknown). */
  profile: Profile | null;
  boot: () => Promise<void>;
  refreshAppState: () => Promise<void>;
  refreshWhatsApp: () => Promise<void>;
  /** Applies a status an action answered with (connect, take over…), unless a newer one already arrived. */
  setWhatsAppStatus: (status: WhatsAppStatus) => void;
  /** Called before the user's own "Log out", so the `logged-out` that follows is not blamed on the phone. */
  expectLogout: () => void;
  acknowledgeLogout: () => void;
  loadProfile: () => Promise<void>;
  setProfile: (profile: Profile) => void;
  setOnboarding: (active: boolean) => void;
  setFeed: (feed: FeedState) => void;
  /** Applies one live event from the engine (it carries the new state; only `resync` makes it re-read). */
  applyEvent: (event: AppEvent) => void;
}

/** Set by `expectLogout` until the `logged-out` the user asked for arrives. */
let logoutExpected = false;

/** The store fields a new WhatsApp status changes: the status itself and the phone-logout notice. */
function nextWhatsApp(store: Pick<AppStore, 'phoneLogout' | 'whatsapp'>, status: WhatsAppStatus): Pick<AppStore, 'whatsapp' | 'phoneLogout'> {
  let phoneLogout = store.phoneLogout;
  const before = store.whatsapp.kind === 'status' ? store.whatsapp.status.state : null;
  if (status.state === 'logged-out' && before !== 'logged-out') {
    // Only a change seen live says who logged out; a page opened on `logged-out` cannot know.
    phoneLogout = before !== null && !logoutExpected;
    logoutExpected = false;
  } else if (status.state === 'connected' || status.state === 'syncing') {
    phoneLogout = false;
  }
  return { whatsapp: { kind: 'status', status }, phoneLogout };
}

export const useAppStore = create<AppStore>((set, get) => ({
  phase: 'booting',
  problem: null,
  app: null,
  onboarding: false,
  whatsapp: { kind: 'loading' },
  phoneLogout: false,
  history: null,
  linkFailure: null,
  feed: 'connecting',
  profile: null,

  async boot() {
    set({ phase: 'booting', problem: null });
    try {
      const app = await getAppState();
      set({ app, phase: 'ready', onboarding: !app.onboarded });
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) set({ phase: 'unauthorized' });
      else set({ phase: 'unreachable', problem: error instanceof Error ? error.message : String(error) });
    }
  },

  async refreshAppState() {
    try {
      const app = await getAppState();
      set((s) => ({ app, phase: 'ready', onboarding: s.onboarding || !app.onboarded }));
    } catch {
      // The error listener below already moved the shell to the right phase (401) if needed.
    }
  },

  async refreshWhatsApp() {
    if (get().app?.lock.locked) return;
    try {
      const status = await getWhatsAppStatus();
      set(nextWhatsApp(get(), status));
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) set({ whatsapp: { kind: 'absent' } });
      else if (error instanceof ApiError && error.code === 'app_locked') return;
      else set({ whatsapp: { kind: 'error', message: error instanceof Error ? error.message : String(error) } });
    }
  },

  setWhatsAppStatus(status) {
    const current = get().whatsapp;
    // An action's answer can arrive after the live event that followed it; `since` orders the two.
    if (current.kind === 'status' && current.status.since && status.since && status.since < current.status.since) return;
    set(nextWhatsApp(get(), status));
  },

  expectLogout() {
    logoutExpected = true;
    set({ phoneLogout: false });
  },

  acknowledgeLogout() {
    set({ phoneLogout: false });
  },

  clearLinkFailure() {
    set({ linkFailure: null });
  },

  async loadProfile() {
    try {
      set({ profile: await getProfile() });
    } catch {
      // The sidebar just shows no business name; the Settings screen reports its own load errors.
    }
  },

  setProfile(profile) {
    set({ profile });
  },

  setOnboarding(active) {
    set({ onboarding: active });
  },

  setFeed(feed) {
    set({ feed });
  },

  applyEvent(event) {
    switch (event.type) {
      case 'whatsapp.status':
        set(nextWhatsApp(get(), event.data as WhatsAppStatus));
        break;
      case 'history.sync':
        set({ history: event.data as HistorySync });
        break;
      case 'whatsapp.call_failed':
        set({ linkFailure: event.data as LinkCallFailure });
        break;
      case 'lock.changed': {
        const app = get().app;
        if (app) set({ app: { ...app, lock: event.data as LockState } });
        break;
      }
      case 'profile.updated':
        set({ profile: event.data as Profile });
        break;
      case 'resync':
        // Events were lost: the lock, the link and the profile may have changed unseen.
        void get().refreshAppState();
        void get().refreshWhatsApp();
        void get().loadProfile();
        break;
      default:
        // Other screens subscribe to the kinds they show.
        break;
    }
  },
}));

// Session and lock are enforced by the server on every call; react to its answers wherever they come from.
onApiError((error) => {
  const store = useAppStore.getState();
  if (error.status === 401 && error.code !== 'wrong_passcode') {
    useAppStore.setState({ phase: 'unauthorized' });
  } else if (error.code === 'app_locked' && store.app && !store.app.lock.locked) {
    useAppStore.setState({ app: { ...store.app, lock: { ...store.app.lock, locked: true } } });
    void store.refreshAppState();
  }
});
