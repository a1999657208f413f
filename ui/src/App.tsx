// The shell: decides between boot/session screens, the lock screen, onboarding and the main layout, and
// wires what the main layout needs once (live events, WhatsApp status, shortcuts, auto-lock, stored theme).

import { useCallback, useEffect } from 'react';
import { api, lockNow } from './api/client';
import { NAV, Sidebar } from './components/Sidebar';
import { Toaster } from './components/Toaster';
import { navigate, useRoute } from './lib/router';
import { focusSearch } from './lib/shortcuts';
import { useAutoLock } from './features/lock/autoLock';
import { NewMessageDialog, openNewMessage } from './features/inbox/NewMessage';
import { LockScreen } from './screens/LockScreen';
import { Onboarding } from './screens/Onboarding';
import { BootScreen, UnauthorizedScreen, UnreachableScreen } from './screens/SessionScreens';
import { AnalyticsScreen } from './screens/analytics/AnalyticsScreen';
import { useStartScreen } from './features/analytics/startScreen';
import { CampaignsScreen } from './screens/campaigns/CampaignsScreen';
import { ContactsScreen } from './screens/contacts/ContactsScreen';
import { InboxScreen } from './screens/inbox/InboxScreen';
import { useInbox } from './features/inbox/store';
import { CloseToTrayNotice } from './features/desktop/CloseToTrayNotice';
import { SettingsScreen, useServerTheme } from './screens/Settings';
import { ConnectionBanner } from './screens/connect/ConnectionBanner';
import { ConnectScreen } from './screens/connect/ConnectScreen';
import { useAppStore } from './store/app';

export function App() {
  const phase = useAppStore((s) => s.phase);
  const app = useAppStore((s) => s.app);
  const onboarding = useAppStore((s) => s.onboarding);
  const boot = useAppStore((s) => s.boot);

  useEffect(() => {
    void boot();
  }, [boot]);

  let content;
  if (phase === 'booting' || (phase === 'ready' && !app)) content = <BootScreen />;
  else if (phase === 'unauthorized') content = <UnauthorizedScreen />;
  else if (phase === 'unreachable') content = <UnreachableScreen />;
  else if (app?.lock.locked) content = <LockScreen />;
  else if (onboarding) content = <Onboarding />;
  else content = <MainLayout />;

  return (
    <>
      {content}
      <CloseToTrayNotice />
      <Toaster />
    </>
  );
}

/** How often the WhatsApp state is re-read when no live event told us about a change. */
const STATUS_POLL_MS = 30_000;

function MainLayout() {
  const route = useRoute();
  const refreshWhatsApp = useAppStore((s) => s.refreshWhatsApp);
  const refreshAppState = useAppStore((s) => s.refreshAppState);
  const loadProfile = useAppStore((s) => s.loadProfile);
  const setFeed = useAppStore((s) => s.setFeed);
  const applyEvent = useAppStore((s) => s.applyEvent);
  const lockEnabled = useAppStore((s) => s.app?.lock.enabled ?? false);

  const onAutoLocked = useCallback(() => void refreshAppState(), [refreshAppState]);
  useAutoLock(lockEnabled, onAutoLocked);

  useServerTheme();
  // Analytics (issue #11): the dashboard is the first screen when WhatsApp is connected and there is history.
  useStartScreen();

  useEffect(() => {
    void loadProfile();
    void refreshWhatsApp();
    const timer = setInterval(() => void refreshWhatsApp(), STATUS_POLL_MS);
    // One event stream for the whole window: the shell's state and the inbox (unread counts, ticks,
    // notifications on every screen) both read it, so no second long-lived connection is held open.
    const unsubscribe = api.subscribe((event) => {
      applyEvent(event);
      useInbox.getState().applyEvent(event);
    }, setFeed);
    return () => {
      clearInterval(timer);
      unsubscribe();
    };
  }, [loadProfile, refreshWhatsApp, applyEvent, setFeed]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const mod = event.ctrlKey || event.metaKey;
      // Ctrl/⌘+1…5 in the desktop app; Alt+1…5 too, because a browser keeps Ctrl+digit for its tabs.
      if ((mod || event.altKey) && !event.shiftKey) {
        const item = NAV.find((n) => n.key === event.key || `Digit${n.key}` === event.code);
        if (item) {
          event.preventDefault();
          navigate(item.screen);
          return;
        }
        // Ctrl/⌘+N in the desktop app, Alt+N in a browser (which keeps Ctrl+N for a new window).
        if (event.code === 'KeyN') {
          event.preventDefault();
          openNewMessage();
          return;
        }
      }
      if (mod && !event.shiftKey && !event.altKey && event.code === 'KeyK') {
        event.preventDefault();
        focusSearch();
        return;
      }
      if (mod && event.shiftKey && event.code === 'KeyL' && lockEnabled) {
        event.preventDefault();
        void lockNow()
          .catch(() => undefined)
          .finally(() => void refreshAppState());
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [lockEnabled, refreshAppState]);

  return (
    <div className="flex h-full min-h-0">
      <button
        type="button"
        onClick={() => document.getElementById('main')?.focus()}
        className="sr-only focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50 focus:rounded-md focus:bg-white focus:px-3 focus:py-2 focus:text-sm focus:shadow dark:focus:bg-zinc-800"
      >
        Skip to content
      </button>
      <Sidebar current={route.screen} />
      <main id="main" tabIndex={-1} className="flex min-w-0 flex-1 flex-col outline-none">
        <ConnectionBanner screen={route.screen} />
        <div className="flex min-h-0 min-w-0 flex-1">
          {route.screen === 'inbox' && <InboxScreen />}
          {route.screen === 'contacts' && <ContactsScreen />}
          {route.screen === 'campaigns' && <CampaignsScreen path={route.path} />}
          {route.screen === 'analytics' && <AnalyticsScreen />}
          {route.screen === 'settings' && <SettingsScreen section={route.section} />}
          {route.screen === 'connect' && <ConnectScreen />}
        </div>
      </main>
      <NewMessageDialog />
    </div>
  );
}
