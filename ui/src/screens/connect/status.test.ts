// What the banner and the sidebar say for each WhatsApp state, and how a logout from the phone is told apart
// from the user's own "Log out" (the link moves on to a new QR by itself, the explanation must stay).

import { beforeEach, describe, expect, it } from 'vitest';
import type { WhatsAppStatus } from '../../api/types';
import { useAppStore, type WhatsAppView } from '../../store/app';
import { bannerFor, describeStatus, formatPairingCode, historyProgress, keyLocationSentence } from './status';

function view(state: string, extra: Partial<WhatsAppStatus> = {}): WhatsAppView {
  return { kind: 'status', status: { state, ...extra } };
}

describe('bannerFor', () => {
  it.each([
    ['connected', null],
    ['starting', null],
    ['disconnected', 'connect'],
    ['qr', 'open'],
    ['pairing-code', 'open'],
    ['phone-offline', 'open'],
    ['conflict', 'use-here'],
    ['logged-out', 'link-again'],
    ['banned', 'open'],
    ['browser-crashed', 'open'],
    ['whatsapp-changed', 'open'],
  ])('%s → action %s', (state, action) => {
    const banner = bannerFor(view(state));
    if (action === null) expect(banner, `no banner while ${state}: nothing needs the user`).toBeNull();
    else expect(banner?.action).toBe(action);
  });

  it('shows sync progress without an action', () => {
    const banner = bannerFor(view('syncing', { syncPercent: 40 }));
    expect(banner).toMatchObject({ action: null, percent: 40 });
    expect(banner?.message).toContain('40%');
  });

  it('keeps the phone-logout explanation while the link already shows a new QR', () => {
    expect(bannerFor(view('qr'), true)).toMatchObject({ action: 'link-again', tone: 'danger' });
    expect(bannerFor(view('qr'), true)?.message).toMatch(/logged out from your phone/);
    // Once linked again, the old logout is no news.
    expect(bannerFor(view('connected'), true)).toBeNull();
  });

  it('says nothing while the status is unknown or WhatsApp is not part of the server', () => {
    expect(bannerFor({ kind: 'loading' })).toBeNull();
    expect(bannerFor({ kind: 'absent' })).toBeNull();
    expect(bannerFor({ kind: 'error', message: 'offline' })?.message).toContain('offline');
  });

  it('falls back to the server sentence for a state this UI does not know yet', () => {
    expect(bannerFor(view('rate-limited', { detail: 'Slow down' }))?.message).toBe('Slow down');
  });
});

describe('describeStatus', () => {
  it('names the number when connected and the percentage while syncing', () => {
    expect(describeStatus(view('connected', { phoneNumber: '+15550000001' }))).toMatchObject({ tone: 'ok', detail: '+15550000001' });
    expect(describeStatus(view('syncing', { syncPercent: 80 })).title).toContain('80%');
    expect(describeStatus(view('pairing-code', { pairingCode: 'ABCD1234' })).title).toBe('Code ABCD-1234');
  });
});

describe('formatPairingCode', () => {
  it.each([
    ['ABCD1234', 'ABCD-1234'],
    ['abcd1234', 'ABCD-1234'],
    ['ABCD-1234', 'ABCD-1234'],
    ['ABC', 'ABC'],
    ['', ''],
  ])('%s → %s', (input, expected) => expect(formatPairingCode(input)).toBe(expected));
});

describe('phone logout notice', () => {
  const status = (state: string): WhatsAppStatus => ({ state, since: new Date().toISOString() });
  const event = (state: string) => ({ id: 1, type: 'whatsapp.status', data: status(state) }) as const;

  beforeEach(() => useAppStore.setState({ whatsapp: { kind: 'loading' }, phoneLogout: false }));

  it('is raised by a logout seen live that the user did not ask for, and survives the new QR', () => {
    const store = useAppStore.getState();
    store.applyEvent(event('connected'));
    store.applyEvent(event('logged-out'));
    expect(useAppStore.getState().phoneLogout).toBe(true);
    store.applyEvent(event('starting'));
    store.applyEvent(event('qr'));
    expect(useAppStore.getState().phoneLogout, 'the QR that follows must not hide why it is there').toBe(true);
    store.applyEvent(event('connected'));
    expect(useAppStore.getState().phoneLogout).toBe(false);
  });

  it('is not raised by the logout the user asked for', () => {
    const store = useAppStore.getState();
    store.applyEvent(event('connected'));
    store.expectLogout();
    store.applyEvent(event('logged-out'));
    expect(useAppStore.getState().phoneLogout).toBe(false);
    // …but a later logout from the phone is again news.
    store.applyEvent(event('connected'));
    store.applyEvent(event('logged-out'));
    expect(useAppStore.getState().phoneLogout).toBe(true);
  });

  it('is not raised when the page opens on a logged-out state (the cause is unknown)', () => {
    useAppStore.getState().applyEvent(event('logged-out'));
    expect(useAppStore.getState().phoneLogout).toBe(false);
  });

  it('ignores an action answer older than the live status already shown', () => {
    const store = useAppStore.getState();
    store.applyEvent({ id: 2, type: 'whatsapp.status', data: { state: 'qr', since: '2026-01-01T10:00:05.000Z' } });
    store.setWhatsAppStatus({ state: 'starting', since: '2026-01-01T10:00:01.000Z' });
    const current = useAppStore.getState().whatsapp;
    expect(current.kind === 'status' && current.status.state).toBe('qr');
  });
});

describe('Settings → About: where the session key is kept', () => {
  it('has a sentence for each place the vault reports, and none when unknown', () => {
    expect(keyLocationSentence('secret-service')).toMatch(/^In the system keychain/);
    expect(keyLocationSentence('kernel-keyring')).toMatch(/^In the kernel keyring: .*restart/);
    expect(keyLocationSentence('file')).toBe('In a file readable only by you: no system keychain was found');
    expect(keyLocationSentence(null)).toBeNull();
    expect(keyLocationSentence(undefined)).toBeNull();
  });
});

describe('history backfill', () => {
  const running = { chatsDone: 50, chatsTotal: 200, messagesRead: 2500, messagesAdded: 2500, done: false };

  it('shows while connected and the recent chats are loading, with how far', () => {
    const banner = bannerFor(view('connected'), false, running);
    expect(banner?.message).toBe('Loading your recent chats from WhatsApp… 50 of 200 chats, 2,500 messages');
    expect(banner?.percent).toBe(25);
    expect(banner?.action, 'nothing for the user to do').toBeNull();
  });

  it('is gone once done', () => {
    expect(bannerFor(view('connected'), false, { ...running, chatsDone: 200, done: true })).toBeNull();
    expect(historyProgress(null)).toBeNull();
  });

  it('gives way to a connection problem', () => {
    expect(bannerFor(view('phone-offline'), false, running)?.action).toBe('open');
  });
});
