// The left navigation: brand, the five screens, WhatsApp's connection state and "Lock now".

import { BarChart3, Contact, Inbox, Lock, Megaphone, Settings, type LucideIcon } from 'lucide-react';
import { useState } from 'react';
import { lockNow, transportKind } from '../api/client';
import { cn } from '../lib/cn';
import { href, type Screen } from '../lib/router';
import { useAppStore, type WhatsAppView } from '../store/app';
import { toast } from '../store/toast';
import { BrandMark } from './BrandMark';
import { Kbd } from './ui';

export const NAV: Array<{ screen: Screen; label: string; icon: LucideIcon; key: string }> = [
  { screen: 'inbox', label: 'Inbox', icon: Inbox, key: '1' },
  { screen: 'contacts', label: 'Contacts', icon: Contact, key: '2' },
  { screen: 'campaigns', label: 'Campaigns', icon: Megaphone, key: '3' },
  { screen: 'analytics', label: 'Analytics', icon: BarChart3, key: '4' },
  { screen: 'settings', label: 'Settings', icon: Settings, key: '5' },
];

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
export const modKey = isMac ? '⌘' : 'Ctrl';
/** Ctrl/⌘+digit in the desktop app; a browser keeps that for its own tabs, so there it is Alt/⌥+digit. */
export const navModifier = transportKind === 'tauri' ? modKey : isMac ? '⌥' : 'Alt';

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
        <ConnectionStatus />
        {app?.lock.enabled && (
          <button
            type="button"
            onClick={onLock}
            disabled={locking}
            title={`Lock WhatsFlow now (${modKey}+Shift+L)`}
            className="flex h-8 w-full items-center gap-2.5 rounded-md px-2.5 text-[13px] font-medium text-zinc-600 transition-colors hover:bg-zinc-200/60 hover:text-zinc-900 disabled:opacity-60 dark:text-zinc-400 dark:hover:bg-zinc-800/60 dark:hover:text-zinc-100"
          >
            <Lock className="size-4" aria-hidden />
            Lock now
          </button>
        )}
      </div>
    </aside>
  );
}

type Tone = 'ok' | 'wait' | 'bad' | 'off';

/** What to say about each link state, in the shop owner's words. */
function describe(view: WhatsAppView): { tone: Tone; title: string; detail?: string } {
  switch (view.kind) {
    case 'loading':
      return { tone: 'off', title: 'Checking WhatsApp…' };
    case 'absent':
      return { tone: 'off', title: 'WhatsApp: not connected' };
    case 'error':
      return { tone: 'bad', title: 'WhatsApp status unavailable', detail: view.message };
    case 'status': {
      const { status } = view;
      // The number is what the owner recognises; the WhatsApp display name goes into the tooltip.
      const who = status.phoneNumber ?? status.pushName ?? undefined;
      switch (status.state) {
        case 'connected':
          return { tone: 'ok', title: 'WhatsApp connected', detail: who };
        case 'starting':
          return { tone: 'wait', title: 'Starting WhatsApp…' };
        case 'qr':
          return { tone: 'wait', title: 'Waiting for QR scan' };
        case 'pairing-code':
          return { tone: 'wait', title: 'Waiting for pairing code' };
        case 'syncing':
          return {
            tone: 'wait',
            title: status.syncPercent != null ? `Syncing chats… ${status.syncPercent}%` : 'Syncing chats…',
            detail: status.detail ?? undefined,
          };
        case 'phone-offline':
          return { tone: 'wait', title: 'Phone is offline', detail: 'Messages go out when it is back online' };
        case 'conflict':
          return { tone: 'bad', title: 'Open in another window', detail: 'WhatsApp Web is in use elsewhere' };
        case 'logged-out':
          return { tone: 'off', title: 'WhatsApp: logged out' };
        case 'banned':
          return { tone: 'bad', title: 'Number blocked by WhatsApp' };
        case 'browser-crashed':
          return { tone: 'bad', title: 'Browser stopped', detail: status.detail ?? 'Restarting…' };
        case 'whatsapp-changed':
          return { tone: 'bad', title: 'WhatsApp Web changed', detail: status.detail ?? 'An update of WhatsFlow is needed' };
        case 'disconnected':
          return { tone: 'off', title: 'WhatsApp: not connected' };
        default:
          return { tone: 'off', title: 'WhatsApp: not connected', detail: status.detail ?? undefined };
      }
    }
  }
}

const dot: Record<Tone, string> = {
  ok: 'bg-brand-500 shadow-[0_0_0_3px] shadow-brand-500/20',
  wait: 'bg-amber-400 animate-pulse',
  bad: 'bg-red-500',
  off: 'bg-zinc-400 dark:bg-zinc-500',
};

export function ConnectionStatus() {
  const view = useAppStore((s) => s.whatsapp);
  const { tone, title, detail } = describe(view);
  const tooltip = view.kind === 'status' ? [view.status.pushName, view.status.phoneNumber, view.status.detail].filter(Boolean).join(' · ') : undefined;
  return (
    <div
      role="status"
      aria-live="polite"
      data-testid="connection-status"
      title={tooltip || undefined}
      className="flex items-start gap-2.5 rounded-lg bg-white px-3 py-2.5 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800"
    >
      <span className={cn('mt-1.5 size-2 shrink-0 rounded-full', dot[tone])} aria-hidden />
      <div className="min-w-0">
        <p className="text-[13px] font-medium text-zinc-800 dark:text-zinc-200">{title}</p>
        {detail && <p className="truncate text-xs text-zinc-500 dark:text-zinc-400">{detail}</p>}
      </div>
    </div>
  );
}
