// The left navigation: brand, the five screens, WhatsApp's connection state and "Lock now".

import { BarChart3, Contact, Inbox, Lock, Megaphone, Settings, type LucideIcon } from 'lucide-react';
import { useState } from 'react';
import { lockNow } from '../api/client';
import { cn } from '../lib/cn';
import { href, type Screen } from '../lib/router';
import { isMac, modKey, navModifier } from '../lib/shortcuts';
import { describeStatus, type Tone } from '../screens/connect/status';
import { useAppStore } from '../store/app';
import { toast } from '../store/toast';
import { BrandMark } from './BrandMark';
import { IconLabelButton, Kbd } from './ui';

export const NAV: Array<{ screen: Screen; label: string; icon: LucideIcon; key: string }> = [
  { screen: 'inbox', label: 'Inbox', icon: Inbox, key: '1' },
  { screen: 'contacts', label: 'Contacts', icon: Contact, key: '2' },
  { screen: 'campaigns', label: 'Campaigns', icon: Megaphone, key: '3' },
  { screen: 'analytics', label: 'Analytics', icon: BarChart3, key: '4' },
  { screen: 'settings', label: 'Settings', icon: Settings, key: '5' },
];

export function Sidebar({ current }: { current: Screen }) {
  const app = useAppStore((s) => s.app);
  const profile = useAppStore((s) => s.profile);
  const refreshAppState = useAppStore((s) => s.refreshAppState);
  const [locking, setLocking] = useState(false);

  const onLock = async () => {
    setLocking(true);
    try {
      await lockNow();
    } catch (error) {
      toast(`Could not lock: ${error instanceof Error ? error.message : String(error)}`, 'info');
    } finally {
      setLocking(false);
      await refreshAppState();
    }
  };

  return (
    <aside className="flex w-60 shrink-0 flex-col border-r border-zinc-200 bg-zinc-50/80 dark:border-zinc-800/80 dark:bg-zinc-900/40">
      <div className="flex h-14 items-center gap-2.5 px-4">
        <BrandMark className="size-7" />
        <div className="min-w-0 leading-tight">
          <p className="text-[14px] font-semibold tracking-tight">WhatsFlow</p>
          <p className="truncate text-xs text-zinc-500 dark:text-zinc-400" title={profile?.businessName}>
            {profile?.businessName ?? ' '}
          </p>
        </div>
      </div>

      {app?.demo && (
        <div className="mx-3 mb-1 rounded-md bg-amber-100 px-2.5 py-1.5 text-xs font-medium text-amber-900 dark:bg-amber-900/30 dark:text-amber-200">
          Demo mode · simulated WhatsApp
        </div>
      )}

      <nav aria-label="Main" className="flex-1 space-y-0.5 px-2 py-2">
        {NAV.map(({ screen, label, icon: Icon, key }) => {
          const active = screen === current;
          return (
            <a
              key={screen}
              href={href(screen)}
              aria-current={active ? 'page' : undefined}
              title={`${label} (${navModifier}+${key})`}
              className={cn(
                'group flex h-8 items-center gap-2.5 rounded-md px-2.5 text-[13.5px] font-medium transition-colors',
                active
                  ? 'bg-white text-zinc-900 shadow-xs ring-1 ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-50 dark:ring-zinc-700/60'
                  : 'text-zinc-600 hover:bg-zinc-200/60 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-100',
              )}
            >
              <Icon className={cn('size-4 shrink-0', active ? 'text-brand-600 dark:text-brand-400' : 'opacity-80')} aria-hidden />
              <span className="flex-1">{label}</span>
              <span className="opacity-0 transition-opacity group-hover:opacity-100 group-focus-visible:opacity-100" aria-hidden>
                <Kbd>{isMac ? `${navModifier}${key}` : `${navModifier} ${key}`}</Kbd>
              </span>
            </a>
          );
        })}
      </nav>

      <div className="space-y-2 p-3">
        <ConnectionStatus current={current} />
        {app?.lock.enabled && (
          <IconLabelButton
            icon={Lock}
            iconClassName="size-4"
            onClick={onLock}
            disabled={locking}
            title={`Lock WhatsFlow now (${modKey}+Shift+L)`}
            className="flex h-8 w-full items-center gap-2.5 rounded-md px-2.5 text-[13px] font-medium text-zinc-600 transition-colors hover:bg-zinc-200/60 hover:text-zinc-900 disabled:opacity-60 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-100"
          >
            Lock now
          </IconLabelButton>
        )}
      </div>
    </aside>
  );
}

const dot: Record<Tone, string> = {
  ok: 'bg-brand-500 shadow-[0_0_0_3px] shadow-brand-500/20',
  wait: 'bg-amber-400 animate-pulse',
  bad: 'bg-red-500',
  off: 'bg-zinc-400 dark:bg-zinc-500',
};

/** The connection's state in a line or two; a link to the Connect screen, where it can be acted on. */
export function ConnectionStatus({ current }: { current?: Screen }) {
  const view = useAppStore((s) => s.whatsapp);
  const phoneLogout = useAppStore((s) => s.phoneLogout);
  const { tone, title, detail } = describeStatus(view, phoneLogout);
  const tooltip = view.kind === 'status' ? [view.status.pushName, view.status.phoneNumber, view.status.detail].filter(Boolean).join(' · ') : undefined;
  const active = current === 'connect';
  return (
    <a
      href={href('connect')}
      aria-current={active ? 'page' : undefined}
      title={tooltip || 'WhatsApp connection'}
      className={cn(
        'flex items-start gap-2.5 rounded-lg bg-white px-3 py-2.5 ring-1 transition-colors hover:bg-zinc-50 dark:bg-zinc-900 dark:hover:bg-zinc-800/70',
        active ? 'ring-brand-500/60 dark:ring-brand-500/50' : 'ring-zinc-200 dark:ring-zinc-800',
      )}
    >
      <span className={cn('mt-1.5 size-2 shrink-0 rounded-full', dot[tone])} aria-hidden />
      <div role="status" aria-live="polite" data-testid="connection-status" className="min-w-0 flex-1">
        <p className="text-[13px] font-medium text-zinc-800 dark:text-zinc-200">{title}</p>
        {detail && <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">{detail}</p>}
      </div>
    </a>
  );
}
