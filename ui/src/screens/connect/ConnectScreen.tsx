// The WhatsApp connection screen: link the phone (live QR or pairing code), follow start-up and sync, see
// which number is connected and log out, and for every problem state say what happened and what to do.

import { format, formatDistanceToNow } from 'date-fns';
import {
  AlertOctagon,
  CheckCircle2,
  KeyRound,
  Loader2,
  LogOut,
  MonitorSmartphone,
  PlugZap,
  RefreshCw,
  ShieldAlert,
  Smartphone,
  WifiOff,
  Wrench,
  type LucideIcon,
} from 'lucide-react';
import { useEffect, useState, type ReactNode } from 'react';
import type { WhatsAppStatus } from '../../api/types';
import { Page } from '../../components/Page';
import { Alert, Button, Card, CircledIcon } from '../../components/ui';
import { cn } from '../../lib/cn';
import { useAppStore } from '../../store/app';
import { useConnectionActions } from './actions';
import { ConfirmDialog } from './ConfirmDialog';
import { LinkPanel } from './LinkPanel';
import { historyProgress, isLinking, keyInFile, keyLocationLabel } from './status';

type Actions = ReturnType<typeof useConnectionActions>;

/** Status re-read interval on this screen while the live event feed is down. */
const FALLBACK_POLL_MS = 5_000;

export function ConnectScreen() {
  const view = useAppStore((s) => s.whatsapp);
  const phoneLogout = useAppStore((s) => s.phoneLogout);
  const refreshWhatsApp = useAppStore((s) => s.refreshWhatsApp);
  const feed = useAppStore((s) => s.feed);
  const actions = useConnectionActions();

  // The QR rotates about every 20 s and arrives by live event; without the event feed, read it often
  // enough here that the code on screen is still the one WhatsApp expects.
  useEffect(() => {
    if (feed === 'open') return;
    const timer = setInterval(() => void refreshWhatsApp(), FALLBACK_POLL_MS);
    return () => clearInterval(timer);
  }, [feed, refreshWhatsApp]);

  let body: ReactNode;
  if (view.kind === 'loading') {
    body = <Starting detail="Checking the connection…" />;
  } else if (view.kind === 'absent') {
    body = (
      <StatePanel icon={PlugZap} tone="neutral" title="WhatsApp is not available here">
        This WhatsFlow runs without its WhatsApp link. Start the app normally (or with <code>--demo</code> for the demo) to connect a number.
      </StatePanel>
    );
  } else if (view.kind === 'error') {
    body = (
      <StatePanel
        icon={AlertOctagon}
        tone="warn"
        title="The connection's state could not be read"
        actions={
          <Button variant="secondary" icon={<RefreshCw className="size-4" aria-hidden />} onClick={() => void refreshWhatsApp()}>
            Try again
          </Button>
        }
      >
        {view.message}
      </StatePanel>
    );
  } else {
    body = <StatusBody status={view.status} phoneLogout={phoneLogout} actions={actions} />;
  }

  return (
    <Page title="WhatsApp connection">
      <div className="mx-auto w-full max-w-3xl px-6 py-8">{body}</div>
    </Page>
  );
}

function StatusBody({ status, phoneLogout, actions }: { status: WhatsAppStatus; phoneLogout: boolean; actions: Actions }) {
  // After the phone logged this computer out the link shows a new QR by itself; explain first.
  if (phoneLogout && isLinking(status)) {
    return (
      <StatePanel
        icon={LogOut}
        tone="danger"
        title="Logged out from your phone"
        error={actions.error}
        actions={
          <Button size="lg" busy={actions.busy === 'link-again'} onClick={() => void actions.linkAgain()}>
            Link again
          </Button>
        }
      >
        WhatsApp on your phone removed WhatsFlow from its linked devices, so messages are no longer sent or received here. Your
        contacts and conversations in WhatsFlow are kept. Link again to carry on.
      </StatePanel>
    );
  }

  switch (status.state) {
    case 'qr':
    case 'pairing-code':
      return <LinkPanel status={status} actions={actions} />;
    case 'starting':
      return <Starting detail={status.detail ?? undefined} />;
    case 'syncing':
      return <Syncing status={status} />;
    case 'connected':
      return <Connected status={status} actions={actions} />;
    case 'phone-offline':
      return (
        <div className="space-y-4">
          <StatePanel icon={WifiOff} tone="warn" title="Your phone is offline">
            WhatsApp on a computer works through your phone, and WhatsFlow cannot reach it right now. Check that the phone is switched on
            and has internet. There is nothing to do here: the connection comes back by itself, and messages you send meanwhile go out
            then.
          </StatePanel>
          <Card>
            <Details status={status} />
          </Card>
        </div>
      );
    case 'conflict':
      return (
        <StatePanel
          icon={MonitorSmartphone}
          tone="warn"
          title="WhatsApp is open in another window"
          error={actions.error}
          actions={
            <Button size="lg" busy={actions.busy === 'use-here'} onClick={() => void actions.useHere()}>
              Use here
            </Button>
          }
        >
          WhatsApp Web can be open in only one place at a time. It was opened on another computer or browser, so WhatsFlow is paused.
          Choose <strong>Use here</strong> to bring it back to WhatsFlow (the other window is disconnected).
        </StatePanel>
      );
    case 'logged-out':
      return (
        <StatePanel
          icon={LogOut}
          tone="neutral"
          title="WhatsApp is logged out"
          error={actions.error}
          actions={
            <Button size="lg" busy={actions.busy === 'link-again'} onClick={() => void actions.linkAgain()}>
              Link again
            </Button>
          }
        >
          This computer is no longer linked to your WhatsApp, and the saved session was removed. Your contacts and conversations in
          WhatsFlow are kept. Link again to send and receive messages.
        </StatePanel>
      );
    case 'banned':
      return (
        <StatePanel
          icon={ShieldAlert}
          tone="danger"
          title="WhatsApp has blocked this number"
          extra={
            <>
              <p className="font-semibold text-zinc-900 dark:text-zinc-100">What to do</p>
              <ol className="mt-2 list-decimal space-y-1.5 pl-5 marker:text-zinc-400">
                <li>
                  Open WhatsApp on your phone: it explains the ban and offers to <strong>Request a review</strong>.
                </li>
                <li>Follow WhatsApp's steps and wait for its answer (often a day or two).</li>
                <li>Once the number works again on the phone, link it again here. Contacts and history stay in WhatsFlow.</li>
              </ol>
              {status.detail && <DetailLine label="WhatsApp said">{status.detail}</DetailLine>}
            </>
          }
        >
          WhatsApp banned the number linked to WhatsFlow. <strong className="text-zinc-900 dark:text-zinc-100">Sending is stopped</strong>: no
          message or campaign goes out while the ban lasts. Bans usually follow many messages to people who did not expect them, or many
          reports.
        </StatePanel>
      );
    case 'browser-crashed':
      return (
        <StatePanel
          icon={RefreshCw}
          tone="warn"
          title="Restarting WhatsApp's browser"
          spinning
          extra={status.detail ? <DetailLine label="Details">{status.detail}</DetailLine> : undefined}
        >
          The browser WhatsFlow uses to run WhatsApp stopped unexpectedly, and WhatsFlow is starting it again. Your session is kept, so
          there is no code to scan; messages that arrive meanwhile come in when it is back.
        </StatePanel>
      );
    case 'whatsapp-changed':
      return (
        <StatePanel
          icon={Wrench}
          tone="danger"
          title="WhatsFlow needs an update"
          extra={
            status.detail || status.waVersion ? (
              <>
                {status.detail && <DetailLine label="What changed" mono>{status.detail}</DetailLine>}
                {status.waVersion && <DetailLine label="WhatsApp Web version" mono>{status.waVersion}</DetailLine>}
              </>
            ) : undefined
          }
        >
          WhatsApp changed its website, and WhatsFlow no longer finds a part it relies on, so it cannot send or receive messages. Install
          the newest version of WhatsFlow. Your contacts, conversations and session are safe.
        </StatePanel>
      );
    case 'disconnected':
    default:
      return (
        <StatePanel
          icon={Smartphone}
          tone="brand"
          title="Connect your WhatsApp"
          error={actions.error}
          actions={
            <Button size="lg" busy={actions.busy === 'connect'} onClick={() => void actions.connect()}>
              Connect WhatsApp
            </Button>
          }
        >
          WhatsFlow runs WhatsApp Web for you. Connect, then scan a QR code with the phone that has your business's WhatsApp; it becomes one
          of its linked devices. Messages stay on this computer.
        </StatePanel>
      );
  }
}

const toneStyles = {
  brand: 'bg-brand-50 text-brand-700 ring-brand-200 dark:bg-brand-900/30 dark:text-brand-300 dark:ring-brand-800/60',
  neutral: 'bg-zinc-100 text-zinc-600 ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-300 dark:ring-zinc-700',
  warn: 'bg-amber-50 text-amber-700 ring-amber-200 dark:bg-amber-950/40 dark:text-amber-300 dark:ring-amber-900/60',
  danger: 'bg-red-50 text-red-700 ring-red-200 dark:bg-red-950/40 dark:text-red-300 dark:ring-red-900/60',
} as const;

function StatePanel({
  icon: Icon,
  tone,
  title,
  children,
  actions,
  error,
  extra,
  spinning = false,
}: {
  icon: LucideIcon;
  tone: keyof typeof toneStyles;
  title: string;
  children: ReactNode;
  actions?: ReactNode;
  error?: string | null;
  /** Steps or technical details, left-aligned in a box under the explanation. */
  extra?: ReactNode;
  spinning?: boolean;
}) {
  return (
    <Card className="px-6 py-10 sm:px-12">
      <div className="mx-auto max-w-lg text-center">
        <div className={cn('mx-auto flex size-14 items-center justify-center rounded-2xl ring-1', toneStyles[tone])}>
          <Icon className={cn('size-6', spinning && 'animate-spin [animation-duration:2.5s]')} aria-hidden />
        </div>
        <h2 className="mt-5 text-xl font-semibold tracking-tight">{title}</h2>
        <div className="mt-2 text-sm leading-relaxed text-zinc-600 dark:text-zinc-400">{children}</div>
        {extra && (
          <div className="mt-6 rounded-xl bg-zinc-50 px-5 py-4 text-left text-sm leading-relaxed text-zinc-600 ring-1 ring-zinc-200 dark:bg-zinc-950/50 dark:text-zinc-400 dark:ring-zinc-800">
            {extra}
          </div>
        )}
        {error && (
          <div className="mt-5 text-left">
            <Alert title="That did not work">{error}</Alert>
          </div>
        )}
        {actions && <div className="mt-7 flex justify-center gap-3">{actions}</div>}
      </div>
    </Card>
  );
}

function DetailLine({ label, mono = false, children }: { label: string; mono?: boolean; children: ReactNode }) {
  return (
    <p className="mt-3 text-xs first:mt-0">
      <span className="text-zinc-500 dark:text-zinc-500">{label}: </span>
      <span className={cn('text-zinc-700 dark:text-zinc-300', mono && 'font-mono')}>{children}</span>
    </p>
  );
}

function Starting({ detail }: { detail?: string }) {
  return (
    <Card className="px-6 py-16">
      <div role="status" className="flex flex-col items-center text-center">
        <Loader2 className="size-8 animate-spin text-brand-600 dark:text-brand-400" aria-hidden />
        <p className="mt-4 text-base font-semibold">Starting WhatsApp…</p>
        <p className="mt-1 text-sm text-zinc-500 dark:text-zinc-400">{detail ?? 'This takes a few seconds.'}</p>
      </div>
    </Card>
  );
}

function Syncing({ status }: { status: WhatsAppStatus }) {
  const percent = status.syncPercent;
  return (
    <Card className="px-6 py-14 sm:px-12">
      <div className="mx-auto max-w-md text-center">
        <CheckCircle2 className="mx-auto size-9 text-brand-600 dark:text-brand-400" aria-hidden />
        <h2 className="mt-4 text-xl font-semibold tracking-tight">Linked! Syncing your chats…</h2>
        <p className="mt-1.5 text-sm text-zinc-500 dark:text-zinc-400">
          {status.phoneNumber ? <>Linked to {status.phoneNumber}. </> : null}Keep your phone on and online until this finishes.
        </p>
        <div
          role="progressbar"
          aria-label="Sync progress"
          aria-valuemin={0}
          aria-valuemax={100}
          aria-valuenow={percent ?? undefined}
          className="mt-7 h-2 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
        >
          <div
            className={cn('h-full rounded-full bg-brand-500 transition-[width] duration-500', percent == null && 'w-1/3 animate-pulse')}
            style={percent != null ? { width: `${Math.max(2, Math.min(100, percent))}%` } : undefined}
          />
        </div>
        <p className="mt-2 text-sm font-medium text-zinc-700 tabular-nums dark:text-zinc-300">{percent != null ? `${percent}%` : 'Starting…'}</p>
      </div>
    </Card>
  );
}

function Connected({ status, actions }: { status: WhatsAppStatus; actions: Actions }) {
  const [confirming, setConfirming] = useState(false);
  const logOut = async () => {
    if (await actions.logOut()) setConfirming(false);
  };
  return (
    <div className="space-y-4">
      <Card className="overflow-hidden">
        <div className="flex items-center gap-4 border-b border-zinc-200 bg-gradient-to-r from-brand-50 to-transparent px-6 py-5 dark:border-zinc-800 dark:from-brand-900/25">
          <CircledIcon icon={CheckCircle2} className="flex size-12 items-center justify-center rounded-full bg-brand-500 text-white shadow-sm ring-4 ring-brand-500/15" iconClassName="size-6" />
          <div className="min-w-0">
            <h2 className="text-lg font-semibold tracking-tight">WhatsApp is connected</h2>
            <p className="text-sm text-zinc-600 dark:text-zinc-400">Messages to and from {status.phoneNumber ?? 'your number'} go through WhatsFlow.</p>
          </div>
        </div>
        <HistoryLoading />
        <Details status={status} />
      </Card>

      <KeyLocationNote status={status} />

      <Card className="flex flex-col gap-4 px-6 py-5 sm:flex-row sm:items-center sm:justify-between">
        <div>
          <h3 className="text-sm font-semibold">Log out</h3>
          <p className="mt-0.5 text-sm text-zinc-500 dark:text-zinc-400">Unlink this computer from your WhatsApp and forget the saved session.</p>
        </div>
        <Button variant="danger" icon={<LogOut className="size-4" aria-hidden />} onClick={() => setConfirming(true)} className="shrink-0">
          Log out
        </Button>
      </Card>

      <ConfirmDialog
        open={confirming}
        title="Log out of WhatsApp?"
        confirmLabel="Log out"
        busy={actions.busy === 'log-out'}
        onConfirm={() => void logOut()}
        onCancel={() => {
          setConfirming(false);
          actions.clearError();
        }}
      >
        <p>
          WhatsFlow stops sending and receiving messages for {status.phoneNumber ?? 'this number'}, and the saved session is deleted. To use
          WhatsFlow again you will scan a new QR code with your phone.
        </p>
        <p>Your contacts, conversations and campaigns stay in WhatsFlow.</p>
        {actions.error && <Alert title="Could not log out">{actions.error}</Alert>}
      </ConfirmDialog>
    </div>
  );
}

/** The recent chats being read into the inbox after linking or reconnecting, while that runs. */
function HistoryLoading() {
  const loading = historyProgress(useAppStore((s) => s.history));
  if (!loading) return null;
  return (
    <div className="border-b border-zinc-200 px-6 py-4 dark:border-zinc-800" data-testid="history-sync">
      <p className="text-sm font-medium text-zinc-700 tabular-nums dark:text-zinc-300">{loading.message}</p>
      <div
        className="mt-2 h-1.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800"
        role="progressbar"
        aria-label="Recent chats loaded"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={loading.percent}
      >
        <div className="h-full rounded-full bg-brand-500 transition-[width] duration-500" style={{ width: `${Math.max(2, loading.percent)}%` }} />
      </div>
    </div>
  );
}

function Details({ status }: { status: WhatsAppStatus }) {
  const since = status.since ? new Date(status.since) : null;
  const rows: Array<[string, ReactNode]> = [
    ['Phone number', status.phoneNumber ?? '—'],
    ['WhatsApp name', status.pushName ?? '—'],
    ['WhatsApp Web version', status.waVersion ?? '—'],
    [
      status.state === 'connected' ? 'Connected since' : 'Since',
      since && !Number.isNaN(since.getTime()) ? (
        <time dateTime={status.since!} title={since.toISOString()}>
          {format(since, 'PPp')} <span className="text-zinc-500 dark:text-zinc-400">· {formatDistanceToNow(since, { addSuffix: true })}</span>
        </time>
      ) : (
        '—'
      ),
    ],
  ];
  return (
    <dl className="divide-y divide-zinc-100 px-6 dark:divide-zinc-800/80">
      {rows.map(([label, value]) => (
        <div key={label} className="grid grid-cols-[11rem_1fr] gap-4 py-3 text-sm">
          <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
          <dd className="min-w-0 truncate font-medium text-zinc-900 dark:text-zinc-100">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

/** Where the session key lives; a gentle word when it is a file because the system has no keychain. */
function KeyLocationNote({ status }: { status: WhatsAppStatus }) {
  const where = keyLocationLabel(status.keyLocation);
  if (!where) return null;
  if (!keyInFile(status)) {
    return (
      <p className="flex items-center gap-2 px-1 text-xs text-zinc-500 dark:text-zinc-400">
        <KeyRound className="size-3.5" aria-hidden />
        The WhatsApp session is encrypted; its key is kept in {where}.
      </p>
    );
  }
  return (
    <div data-testid="key-in-file" className="flex gap-3 rounded-xl bg-zinc-50 px-5 py-4 text-sm ring-1 ring-zinc-200 dark:bg-zinc-900/60 dark:ring-zinc-800">
      <KeyRound className="mt-0.5 size-4 shrink-0 text-amber-600 dark:text-amber-400" aria-hidden />
      <div>
        <p className="font-medium text-zinc-800 dark:text-zinc-200">Your session key is kept in a file</p>
        <p className="mt-0.5 text-zinc-600 dark:text-zinc-400">
          This computer has no system keychain, so the key that encrypts your WhatsApp session sits in a file only your user can read.
          That is fine on a computer only you use; with a keychain (such as GNOME Keyring or KWallet) it would be safer.
        </p>
      </div>
    </div>
  );
}
