// Settings: business profile, app lock (with auto-lock), appearance, notifications, desktop (start at login),
// data, the REST API for scripts and about, each a section with its own sub-route.

import { formatDistanceToNow } from 'date-fns';
import { AppWindow, Bell, Building2, DatabaseBackup, Info, Lock, Palette, type LucideIcon, Monitor, Moon, Sun, Webhook } from 'lucide-react';
import { useEffect, useState } from 'react';
import { ApiError, getProfile, getSettings, health, saveSettings, transportKind } from '../api/client';
import type { Health, Profile, Theme } from '../api/types';
import { Page } from '../components/Page';
import { NAV } from '../components/Sidebar';
import { Alert, Button, Card, CardHeader, Kbd, Spinner, StatusPill } from '../components/ui';
import { BackupsCard, EraseCard, ExportCard, LogFolderRow } from '../features/data/DataSafety';
import { DesktopCard } from '../features/desktop/DesktopCard';
import { RemovePasscodeForm, SetPasscodeForm } from '../features/PasscodeForms';
import { ProfileForm } from '../features/ProfileForm';
import { AutoLockCard } from '../features/lock/AutoLockCard';
import { NotificationsCard } from '../features/notifications/NotificationsCard';
import { ScriptingSection } from '../features/restApi/ScriptingSection';
import { cn } from '../lib/cn';
import { href, type SettingsSection } from '../lib/router';
import { modKey, navModifier, SHORTCUTS } from '../lib/shortcuts';
import { applyTheme, useTheme } from '../lib/theme';
import { useAppStore } from '../store/app';
import { toast } from '../store/toast';
import { keyLocationSentence } from './connect/status';

const SECTIONS: Array<{ id: SettingsSection; label: string; icon: LucideIcon }> = [
  { id: 'profile', label: 'Profile', icon: Building2 },
  { id: 'lock', label: 'App lock', icon: Lock },
  { id: 'appearance', label: 'Appearance', icon: Palette },
  { id: 'notifications', label: 'Notifications', icon: Bell },
  { id: 'desktop', label: 'Desktop', icon: AppWindow },
  { id: 'data', label: 'Data & backups', icon: DatabaseBackup },
  { id: 'api', label: 'REST API', icon: Webhook },
  { id: 'about', label: 'About', icon: Info },
];

/** How one option of a set looks: always `base`, then `chosen` for the current one and `other` for the rest. */
type OptionLook = { base: string; chosen: string; other: string };

function optionClass(chosen: boolean, look: OptionLook): string {
  return cn(look.base, chosen ? look.chosen : look.other);
}

/** What an option shows: its icon, then its label. */
function OptionContent({ icon: Icon, iconClassName, label }: { icon: LucideIcon; iconClassName: string; label: string }) {
  return (
    <>
      <Icon className={iconClassName} aria-hidden />
      {label}
    </>
  );
}

const SECTION_LINK_LOOK: OptionLook = {
  base: 'flex h-8 items-center gap-2.5 rounded-md px-2.5 text-[13.5px] font-medium transition-colors',
  chosen: 'bg-zinc-100 text-zinc-900 dark:bg-zinc-800/80 dark:text-zinc-50',
  other: 'text-zinc-600 hover:bg-zinc-100/70 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/50 dark:hover:text-zinc-100',
};

export function SettingsScreen({ section }: { section: SettingsSection }) {
  return (
    <Page title="Settings">
      <div className="mx-auto flex max-w-5xl flex-col gap-6 px-6 py-6 lg:flex-row lg:gap-10 lg:py-8">
        <nav aria-label="Settings sections" className="shrink-0 lg:w-44">
          <ul className="flex gap-1 lg:sticky lg:top-0 lg:flex-col lg:gap-0.5">
            {SECTIONS.map(({ id, label, icon: Icon }) => (
              <li key={id}>
                <a href={href('settings', id)} aria-current={id === section ? 'page' : undefined} className={optionClass(id === section, SECTION_LINK_LOOK)}>
                  <OptionContent icon={Icon} iconClassName="size-4 opacity-80" label={label} />
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div className="min-w-0 flex-1 space-y-6 pb-16">
          {section === 'profile' && <ProfileSection />}
          {section === 'lock' && <LockSection />}
          {section === 'appearance' && <AppearanceSection />}
          {section === 'notifications' && <NotificationsCard />}
          {section === 'desktop' && <DesktopCard />}
          {section === 'data' && (
            <>
              <BackupsCard />
              <ExportCard />
              <EraseCard />
            </>
          )}
          {section === 'api' && <ScriptingSection />}
          {section === 'about' && <AboutSection />}
        </div>
      </div>
    </Page>
  );
}

function ProfileSection() {
  const app = useAppStore((s) => s.app);
  const setProfile = useAppStore((s) => s.setProfile);
  const [profile, setLocal] = useState<Profile | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    setError(null);
    getProfile().then(
      (p) => live && setLocal(p),
      (e: unknown) => live && setError(e instanceof ApiError && e.code === 'not_found' ? 'No business profile has been saved yet.' : String(e instanceof Error ? e.message : e)),
    );
    return () => {
      live = false;
    };
  }, [attempt]);

  return (
    <Card>
      <CardHeader
        title="Business profile"
        description="How your business is described, and the country and time zone WhatsFlow works in."
        aside={
          profile?.updatedAt && (
            <p className="shrink-0 pt-0.5 text-xs text-zinc-500 dark:text-zinc-400" title={new Date(profile.updatedAt).toLocaleString()}>
              Updated {formatDistanceToNow(new Date(profile.updatedAt), { addSuffix: true })}
            </p>
          )
        }
      />
      <div className="px-6 py-5">
        {error ? (
          <div className="space-y-3">
            <Alert title="Could not load the profile">{error}</Alert>
            <Button variant="secondary" onClick={() => setAttempt((n) => n + 1)}>
              Try again
            </Button>
          </div>
        ) : profile === null ? (
          <Spinner label="Loading profile…" />
        ) : (
          <ProfileForm
            profile={profile}
            defaults={app?.defaults ?? { country: '', timezone: '' }}
            submitLabel="Save changes"
            onSaved={(saved) => {
              setLocal(saved);
              setProfile(saved);
              toast('Profile saved');
            }}
          />
        )}
      </div>
    </Card>
  );
}

function LockSection() {
  const enabled = useAppStore((s) => s.app?.lock.enabled ?? false);
  const refreshAppState = useAppStore((s) => s.refreshAppState);
  const done = (message: string) => {
    void refreshAppState();
    toast(message);
  };

  if (!enabled) {
    return (
      <Card>
        <CardHeader
          title="App lock"
          description="Hide your chats and contacts behind a passcode. WhatsFlow asks for it when it starts and whenever you lock it."
          aside={<StatusPill on={false} />}
        />
        <div className="max-w-md px-6 py-5">
          <SetPasscodeForm requireCurrent={false} submitLabel="Set passcode" onDone={() => done('Passcode set. Use “Lock now” to lock WhatsFlow.')} />
        </div>
      </Card>
    );
  }
  return (
    <>
      <Card>
        <CardHeader
          title="Change passcode"
          description={
            <>
              WhatsFlow asks for the passcode when it starts and after <span className="whitespace-nowrap">“Lock now”</span> (
              {modKey}+Shift+L).
            </>
          }
          aside={<StatusPill on />}
        />
        <div className="max-w-md px-6 py-5">
          <SetPasscodeForm requireCurrent submitLabel="Change passcode" onDone={() => done('Passcode changed')} />
        </div>
      </Card>
      <AutoLockCard />
      <Card>
        <CardHeader title="Remove passcode" description="Anyone using this computer can then open WhatsFlow without a passcode." />
        <div className="max-w-md px-6 py-5">
          <RemovePasscodeForm onDone={() => done('Passcode removed')} />
        </div>
      </Card>
    </>
  );
}

const THEMES: Array<{ id: Theme; label: string; icon: LucideIcon }> = [
  { id: 'system', label: 'System', icon: Monitor },
  { id: 'light', label: 'Light', icon: Sun },
  { id: 'dark', label: 'Dark', icon: Moon },
];

const THEME_OPTION_LOOK: OptionLook = {
  base: 'flex flex-col items-center gap-2 rounded-xl px-3 py-4 text-sm font-medium ring-1 transition',
  chosen: 'bg-brand-50/60 text-zinc-900 ring-2 ring-brand-600 dark:bg-brand-900/20 dark:text-zinc-50 dark:ring-brand-500',
  other: 'text-zinc-600 ring-zinc-200 hover:bg-zinc-50 dark:text-zinc-400 dark:ring-zinc-800 dark:hover:bg-zinc-800/50',
};

function AppearanceSection() {
  const theme = useTheme();
  const [error, setError] = useState<string | null>(null);

  const choose = async (next: Theme) => {
    const previous = theme;
    applyTheme(next);
    setError(null);
    try {
      await saveSettings({ theme: next });
    } catch (e) {
      // The choice still applies on this device; say that it was not stored with the app's settings.
      if (!(e instanceof ApiError && e.status === 404)) {
        setError(`${e instanceof Error ? e.message : String(e)} The theme applies here but was not saved.`);
        if (e instanceof ApiError && e.code === 'validation_failed') applyTheme(previous);
      }
    }
  };

  // Arrow keys move between the options, as in any radio group.
  const onArrow = (event: React.KeyboardEvent<HTMLDivElement>) => {
    const step = event.key === 'ArrowRight' || event.key === 'ArrowDown' ? 1 : event.key === 'ArrowLeft' || event.key === 'ArrowUp' ? -1 : 0;
    if (step === 0) return;
    event.preventDefault();
    const index = THEMES.findIndex((t) => t.id === theme);
    const next = THEMES[(index + step + THEMES.length) % THEMES.length]!.id;
    void choose(next);
    event.currentTarget.querySelector<HTMLButtonElement>(`[data-theme-option="${next}"]`)?.focus();
  };

  return (
    <Card>
      <CardHeader title="Appearance" description="Choose light or dark, or follow your computer's setting." />
      <div className="space-y-4 px-6 py-5">
        {error && <Alert>{error}</Alert>}
        <div role="radiogroup" aria-label="Theme" className="grid max-w-md grid-cols-3 gap-3" onKeyDown={onArrow}>
          {THEMES.map(({ id, label, icon: Icon }) => (
            <button
              key={id}
              type="button"
              role="radio"
              aria-checked={theme === id}
              tabIndex={theme === id ? 0 : -1}
              data-theme-option={id}
              onClick={() => void choose(id)}
              className={optionClass(theme === id, THEME_OPTION_LOOK)}
            >
              <OptionContent icon={Icon} iconClassName="size-5" label={label} />
            </button>
          ))}
        </div>
      </div>
    </Card>
  );
}

/** Loads the stored theme from the server once, so the choice follows the app and not just this browser. */
export function useServerTheme() {
  useEffect(() => {
    getSettings().then(
      (s) => {
        if (s.theme === 'system' || s.theme === 'light' || s.theme === 'dark') applyTheme(s.theme);
      },
      () => {
        // No settings route (older server) or locked: keep the local choice.
      },
    );
  }, []);
}

function AboutSection() {
  const app = useAppStore((s) => s.app);
  const whatsapp = useAppStore((s) => s.whatsapp);
  const keyLocation = whatsapp.kind === 'status' ? whatsapp.status.keyLocation : null;
  const [info, setInfo] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    health().then(setInfo, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);

  const rows: Array<[string, React.ReactNode]> = [
    ['Version', info ? <span data-testid="about-version">{info.version}</span> : error ? '—' : <Spinner label="Loading…" />],
    ['Server status', info ? (info.status === 'ok' ? 'Running' : info.status) : error ? '—' : ''],
    ['Running as', transportKind === 'tauri' ? 'Desktop app' : 'Browser, served by whatsflow-server'],
    ['Mode', app?.demo ? 'Demo (simulated WhatsApp)' : 'Live'],
    ['Log folder', <LogFolderRow />],
  ];
  // Where the WhatsApp session's key is kept: a keychain, or (where none exists) a private file.
  const keySentence = keyLocationSentence(keyLocation);
  if (keySentence) {
    rows.push([
      'WhatsApp session key',
      <span data-testid="about-key-location" className={cn(keyLocation === 'file' && 'text-amber-700 dark:text-amber-400')}>
        {keySentence}
      </span>,
    ]);
  }
  return (
    <>
      <Card>
        <CardHeader title="About WhatsFlow" description="Your business WhatsApp, run from your own computer. Your data stays on this machine." />
        <div className="px-6 py-3">
          {error && (
            <div className="py-2">
              <Alert title="Could not read the version">{error}</Alert>
            </div>
          )}
          <dl className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {rows.map(([label, value]) => (
              <div key={label} className="flex items-center justify-between gap-4 py-2.5">
                <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
                <dd className="text-right font-medium text-zinc-900 dark:text-zinc-100">{value}</dd>
              </div>
            ))}
          </dl>
        </div>
      </Card>
      <Card>
        <CardHeader title="Keyboard shortcuts" description="Esc also closes the emoji picker and clears a search." />
        <div className="px-6 py-3">
          <dl className="divide-y divide-zinc-100 text-sm dark:divide-zinc-800">
            {NAV.map(({ label, key }) => (
              <div key={label} className="flex items-center justify-between py-2">
                <dt className="text-zinc-600 dark:text-zinc-300">Go to {label}</dt>
                <dd className="flex gap-1">
                  <Kbd>{navModifier}</Kbd>
                  <Kbd>{key}</Kbd>
                </dd>
              </div>
            ))}
            {SHORTCUTS.map(({ label, keys }) => (
              <div key={label} className="flex items-center justify-between py-2">
                <dt className="text-zinc-600 dark:text-zinc-300">{label}</dt>
                <dd className="flex gap-1">
                  {keys.map((key) => (
                    <Kbd key={key}>{key}</Kbd>
                  ))}
                </dd>
              </div>
            ))}
          </dl>
        </div>
      </Card>
    </>
  );
}
