// The connection's actions (connect, use here, log out, link again, the demo's simulated phone) with their
// busy flag and error message, shared by the Connect screen and the banner so both behave the same.

import { useCallback, useState } from 'react';
import { connectWhatsApp, disconnectWhatsApp, simulatorControl, takeOverWhatsApp } from '../../api/client';
import type { WhatsAppStatus } from '../../api/types';
import { navigate } from '../../lib/router';
import { useAppStore } from '../../store/app';

export type ConnectionAction = 'connect' | 'use-here' | 'log-out' | 'link-again' | 'qr-instead' | 'simulate';

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Statuses where nothing is running and "Connect" has to start the link. */
function idle(status: WhatsAppStatus | null): boolean {
  return status === null || status.state === 'disconnected' || status.state === 'logged-out';
}

export function useConnectionActions() {
  const setStatus = useAppStore((s) => s.setWhatsAppStatus);
  const expectLogout = useAppStore((s) => s.expectLogout);
  const acknowledgeLogout = useAppStore((s) => s.acknowledgeLogout);
  const simulatorUrl = useAppStore((s) => (s.app?.demo ? (s.app.simulatorUrl ?? null) : null));
  const [busy, setBusy] = useState<ConnectionAction | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Connecting and taking over answer at once; a failure arrives later as an event.
  const failure = useAppStore((s) => (s.linkFailure && s.linkFailure.call !== 'pairing-code' ? s.linkFailure.message : null));
  const clearLinkFailure = useAppStore((s) => s.clearLinkFailure);

  const run = useCallback(async (name: ConnectionAction, work: () => Promise<void>): Promise<boolean> => {
    setBusy(name);
    setError(null);
    clearLinkFailure();
    try {
      await work();
      return true;
    } catch (problem) {
      setError(messageOf(problem));
      return false;
    } finally {
      setBusy(null);
    }
  }, [clearLinkFailure]);

  /** Demo mode: one thing the simulated phone does. */
  const simulate = (action: 'scan' | 'pairing', body: unknown) =>
    run('simulate', async () => {
      if (!simulatorUrl) throw new Error('The simulated phone exists only in demo mode.');
      await simulatorControl(simulatorUrl, action, body);
    });

  const current = () => {
    const view = useAppStore.getState().whatsapp;
    return view.kind === 'status' ? view.status : null;
  };

  return {
    busy,
    error: error ?? failure,
    clearError: () => {
      setError(null);
      clearLinkFailure();
    },
    /** Whether the demo's simulated phone can be used (demo mode with a simulator address). */
    canSimulate: simulatorUrl !== null,

    connect: () => run('connect', async () => setStatus(await connectWhatsApp())),

    useHere: () => run('use-here', async () => setStatus(await takeOverWhatsApp())),

    /** Logs the number out and forgets the session (the caller asks for confirmation first). */
    logOut: () =>
      run('log-out', async () => {
        expectLogout();
        setStatus(await disconnectWhatsApp());
      }),

    /** After a logout: drop the notice, start the link if it is idle, and show the Connect screen. */
    linkAgain: () =>
      run('link-again', async () => {
        acknowledgeLogout();
        navigate('connect');
        if (idle(current())) setStatus(await connectWhatsApp());
      }),

    /**
     * Back from a pairing code to a QR. The link has no "show the QR again" call, so it is reset: nothing is
     * linked yet in this state, so logging out forgets nothing.
     */
    qrInstead: () =>
      run('qr-instead', async () => {
        expectLogout();
        await disconnectWhatsApp();
        setStatus(await connectWhatsApp());
      }),

    /** Demo mode: the simulated phone scans the QR on screen. */
    simulateScan: () => simulate('scan', {}),

    /** Demo mode: the simulated phone types the pairing code. */
    simulatePairing: (code: string) => simulate('pairing', { code }),
  };
}
