// What each WhatsApp link state means to the shop owner: the sidebar's one-line summary and the banner's
// sentence and action. Plain functions of the status, shared by the sidebar, the banner and the Connect screen.

import type { HistorySync, WhatsAppStatus } from '../../api/types';
import type { WhatsAppView } from '../../store/app';

export type Tone = 'ok' | 'wait' | 'bad' | 'off';

/** The sidebar's summary: a coloured dot, a title and an optional second line. */
export function describeStatus(view: WhatsAppView, phoneLogout = false): { tone: Tone; title: string; detail?: string } {
  switch (view.kind) {
    case 'loading':
      return { tone: 'off', title: 'Checking WhatsApp…' };
    case 'absent':
      return { tone: 'off', title: 'WhatsApp: not connected' };
    case 'error':
      return { tone: 'bad', title: 'WhatsApp status unavailable', detail: view.message };
    case 'status': {
      const { status } = view;
      if (phoneLogout && isLinking(status)) return { tone: 'bad', title: 'Logged out by phone', detail: 'Link again to continue' };
      // The number is what the owner recognises; the WhatsApp display name goes into the tooltip.
      const who = status.phoneNumber ?? status.pushName ?? undefined;
      switch (status.state) {
        case 'connected':
          return { tone: 'ok', title: 'WhatsApp connected', detail: who };
        case 'starting':
          return { tone: 'wait', title: 'Starting WhatsApp…' };
        case 'qr':
          return { tone: 'wait', title: 'Waiting for QR scan', detail: 'Open to link your phone' };
        case 'pairing-code':
          return status.pairingCode
            ? { tone: 'wait', title: `Code ${formatPairingCode(status.pairingCode)}`, detail: 'Type it on your phone' }
            : { tone: 'wait', title: 'Waiting for pairing code' };
        case 'syncing':
          return {
            tone: 'wait',
            title: status.syncPercent != null ? `Syncing chats… ${status.syncPercent}%` : 'Syncing chats…',
            detail: who,
          };
        case 'phone-offline':
          return { tone: 'wait', title: 'Phone is offline', detail: 'Messages go out once it is back' };
        case 'conflict':
          return { tone: 'bad', title: 'Open in another window', detail: '“Use here” takes it back' };
        case 'logged-out':
          return { tone: 'off', title: 'WhatsApp: logged out', detail: 'Link again to continue' };
        case 'banned':
          return { tone: 'bad', title: 'Number blocked', detail: 'WhatsApp stopped sending' };
        case 'browser-crashed':
          return { tone: 'bad', title: 'Browser stopped', detail: 'Restarting…' };
        case 'whatsapp-changed':
          return { tone: 'bad', title: 'Update needed', detail: 'WhatsApp Web changed' };
        case 'disconnected':
          return { tone: 'off', title: 'WhatsApp: not connected', detail: 'Open to connect' };
        default:
          return { tone: 'off', title: 'WhatsApp: not connected', detail: status.detail ?? undefined };
      }
    }
  }
}

/** States in which the link waits for the phone (or is about to): where a phone logout leaves it. */
export function isLinking(status: WhatsAppStatus): boolean {
  return ['qr', 'pairing-code', 'starting', 'logged-out', 'disconnected'].includes(status.state);
}

/** What the banner's button does. */
export type BannerAction = 'connect' | 'open' | 'use-here' | 'link-again';

export interface Banner {
  tone: 'info' | 'warn' | 'danger';
  message: string;
  action: BannerAction | null;
  actionLabel?: string;
  /** Sync progress, drawn as a bar. */
  percent?: number;
}

const ACTION_LABELS: Record<BannerAction, string> = {
  connect: 'Connect',
  open: 'Open connection',
  'use-here': 'Use here',
  'link-again': 'Link again',
};

function banner(tone: Banner['tone'], message: string, action: BannerAction | null, percent?: number): Banner {
  return { tone, message, action, actionLabel: action ? ACTION_LABELS[action] : undefined, percent };
}

/** A running history backfill, for people: what it does, how far (0–100); null when none is running. */
export function historyProgress(history: HistorySync | null): { message: string; percent: number } | null {
  if (!history || history.done) return null;
  const percent = history.chatsTotal > 0 ? Math.round((100 * history.chatsDone) / history.chatsTotal) : 0;
  const messages = history.messagesRead.toLocaleString('en-US');
  return {
    message: `Loading your recent chats from WhatsApp… ${history.chatsDone} of ${history.chatsTotal} chats, ${messages} messages`,
    percent,
  };
}

/**
 * The banner shown at the top of every screen while the connection needs attention or the recent chats are
 * still loading; null when all is well (connected), while the app is still finding out (loading, starting)
 * and where WhatsApp is not part of the server at all.
 */
export function bannerFor(view: WhatsAppView, phoneLogout = false, history: HistorySync | null = null): Banner | null {
  if (view.kind === 'error') return banner('warn', `WhatsFlow cannot read the WhatsApp connection: ${view.message}`, 'open');
  if (view.kind !== 'status') return null;
  const { status } = view;
  if (phoneLogout && isLinking(status)) {
    return banner('danger', 'WhatsApp was logged out from your phone. Link it again to keep sending and receiving messages.', 'link-again');
  }
  switch (status.state) {
    case 'connected': {
      const loading = historyProgress(history);
      return loading ? banner('info', loading.message, null, loading.percent) : null;
    }
    case 'starting':
      return null;
    case 'disconnected':
      return banner('info', 'WhatsApp is not connected: messages cannot be sent or received yet.', 'connect');
    case 'qr':
    case 'pairing-code':
      return banner('info', 'WhatsApp is waiting for you to link your phone.', 'open');
    case 'syncing':
      return banner(
        'info',
        status.syncPercent != null ? `Syncing your chats from the phone… ${status.syncPercent}%` : 'Syncing your chats from the phone…',
        null,
        status.syncPercent ?? undefined,
      );
    case 'phone-offline':
      return banner('warn', 'Your phone is offline. Messages go out as soon as it is back online.', 'open');
    case 'conflict':
      return banner('warn', 'WhatsApp is open in another window, so WhatsFlow is paused.', 'use-here');
    case 'logged-out':
      return banner('warn', 'WhatsApp is logged out. Link your phone again to send and receive messages.', 'link-again');
    case 'banned':
      return banner('danger', 'WhatsApp has blocked this number. Sending is stopped.', 'open');
    case 'browser-crashed':
      return banner('warn', 'The browser that runs WhatsApp stopped. WhatsFlow is restarting it.', 'open');
    case 'whatsapp-changed':
      return banner('danger', 'WhatsApp Web changed and WhatsFlow needs an update to keep working.', 'open');
    default:
      return banner('warn', status.detail ?? 'WhatsApp needs attention.', 'open');
  }
}

/** `ABCD1234` → `ABCD-1234`, the way WhatsApp shows a pairing code; other lengths are grouped by four. */
export function formatPairingCode(code: string): string {
  const clean = code.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
  return clean.match(/.{1,4}/g)?.join('-') ?? '';
}

/** Whether the session key sits in a file because this system has no keychain (worth a gentle warning). */
export function keyInFile(status: WhatsAppStatus): boolean {
  return status.keyLocation === 'file';
}

/** The places the vault keeps the session key, and what the user should know about each. */
const KEY_PLACES: Record<string, { place: string; note?: string }> = {
  'secret-service': { place: 'the system keychain (Secret Service, such as GNOME Keyring or KWallet)' },
  'kernel-keyring': { place: 'the kernel keyring', note: 'never written to disk, but gone after a restart, when the phone must be linked again' },
  file: { place: 'a file readable only by you', note: 'no system keychain was found' },
};

/** A friendly name for where the session key is kept (an unknown place is named as reported). */
export function keyLocationLabel(location: WhatsAppStatus['keyLocation']): string | null {
  if (!location) return null;
  return KEY_PLACES[location]?.place ?? location;
}

/** Settings → About's line on where the session key is kept: the place and, where it matters, why. */
export function keyLocationSentence(location: WhatsAppStatus['keyLocation']): string | null {
  const place = keyLocationLabel(location);
  if (!place) return null;
  const note = location ? KEY_PLACES[location]?.note : undefined;
  return note ? `In ${place}: ${note}` : `In ${place}`;
}
