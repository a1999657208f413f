// The strip at the top of every screen while WhatsApp needs attention: one sentence and the one action
// that helps (Connect, Use here, Link again, Open connection). Absent when connected and on the Connect
// screen itself, which already says all of it.

import { AlertTriangle, Info, ShieldAlert } from 'lucide-react';
import { navigate, type Screen } from '../../lib/router';
import { cn } from '../../lib/cn';
import { useAppStore } from '../../store/app';
import { useConnectionActions } from './actions';
import { bannerFor, type Banner, type BannerAction } from './status';

const tones: Record<Banner['tone'], { box: string; icon: typeof Info; button: string }> = {
  info: {
    box: 'bg-sky-50 text-sky-900 border-sky-200 dark:bg-sky-950/30 dark:text-sky-100 dark:border-sky-900/60',
    icon: Info,
    button: 'bg-white text-sky-900 ring-sky-300 hover:bg-sky-100 dark:bg-sky-900/40 dark:text-sky-50 dark:ring-sky-800 dark:hover:bg-sky-900/70',
  },
  warn: {
    box: 'bg-amber-50 text-amber-950 border-amber-200 dark:bg-amber-950/30 dark:text-amber-100 dark:border-amber-900/60',
    icon: AlertTriangle,
    button:
      'bg-white text-amber-950 ring-amber-300 hover:bg-amber-100 dark:bg-amber-900/40 dark:text-amber-50 dark:ring-amber-800 dark:hover:bg-amber-900/70',
  },
  danger: {
    box: 'bg-red-50 text-red-900 border-red-200 dark:bg-red-950/40 dark:text-red-100 dark:border-red-900/60',
    icon: ShieldAlert,
    button: 'bg-white text-red-800 ring-red-300 hover:bg-red-100 dark:bg-red-900/40 dark:text-red-50 dark:ring-red-800 dark:hover:bg-red-900/70',
  },
};

export function ConnectionBanner({ screen }: { screen: Screen }) {
  const view = useAppStore((s) => s.whatsapp);
  const phoneLogout = useAppStore((s) => s.phoneLogout);
  const history = useAppStore((s) => s.history);
  const actions = useConnectionActions();
  const banner = bannerFor(view, phoneLogout, history);
  if (!banner || screen === 'connect') return null;

  const { box, icon: Icon, button } = tones[banner.tone];
  const act = (action: BannerAction) => {
    switch (action) {
      case 'connect':
        navigate('connect');
        void actions.connect();
        break;
      case 'use-here':
        void actions.useHere();
        break;
      case 'link-again':
        void actions.linkAgain();
        break;
      case 'open':
        navigate('connect');
        break;
    }
  };
  const busy = actions.busy !== null;

  return (
    <div role="region" aria-label="WhatsApp connection" data-testid="connection-banner" className={cn('shrink-0 border-b', box)}>
      <div className="flex min-h-11 items-center gap-3 px-6 py-2 text-[13.5px]">
        <Icon className="size-4 shrink-0 opacity-80" aria-hidden />
        <p className="min-w-0 flex-1 font-medium">
          {banner.message}
          {actions.error && <span className="ml-2 font-normal opacity-90">— {actions.error}</span>}
        </p>
        {banner.action && (
          <button
            type="button"
            onClick={() => act(banner.action!)}
            disabled={busy}
            aria-busy={busy || undefined}
            className={cn(
              'inline-flex h-7 shrink-0 items-center rounded-md px-3 text-[13px] font-semibold shadow-xs ring-1 ring-inset transition-colors disabled:opacity-60',
              button,
            )}
          >
            {banner.actionLabel}
          </button>
        )}
      </div>
      {banner.percent !== undefined && (
        <div className="h-0.5 bg-sky-100 dark:bg-sky-900/40" aria-hidden>
          <div className="h-full bg-sky-500 transition-[width] duration-500" style={{ width: `${banner.percent}%` }} />
        </div>
      )}
    </div>
  );
}
