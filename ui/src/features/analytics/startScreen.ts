// Which screen the app opens on (issue #11): the dashboard when WhatsApp is connected and there is history
// to show, the inbox otherwise. Decided once each time the main layout opens (at start, after unlocking),
// and only when no screen was asked for in the address: a link or a reload keeps its screen.

import { useEffect, useRef } from 'react';
import type { WhatsAppStatus } from '../../api/types';
import { navigate } from '../../lib/router';
import { useAppStore } from '../../store/app';
import { getChats } from '../inbox/api';

/** WhatsApp states that settle by themselves in a moment: the choice waits for what follows them. */
const SETTLING = new Set(['starting', 'syncing']);

/**
 * What the opening screen depends on, given what is known of WhatsApp: wait for a settled state, then look
 * for history only when connected.
 */
export function startDecision(status: WhatsAppStatus | null | 'unknown'): 'wait' | 'inbox' | 'check-history' {
  if (status === 'unknown') return 'wait';
  if (status === null) return 'inbox';
  if (SETTLING.has(status.state)) return 'wait';
  return status.state === 'connected' ? 'check-history' : 'inbox';
}

function screenAsked(): boolean {
  return window.location.hash.replace(/^#\/?/, '') !== '';
}

/** Opens the dashboard instead of the inbox when the rule above says so. */
export function useStartScreen(): void {
  const view = useAppStore((s) => s.whatsapp);
  const decided = useRef(screenAsked());
  useEffect(() => {
    if (decided.current) return;
    const decision = startDecision(view.kind === 'loading' ? 'unknown' : view.kind === 'status' ? view.status : null);
    if (decision === 'wait') return;
    decided.current = true;
    if (decision === 'inbox') return;
    getChats({ limit: 1 }).then(
      (page) => {
        // The user may have gone somewhere in the meantime; that wins.
        if (page.data.length > 0 && !screenAsked()) navigate('analytics');
      },
      () => undefined,
    );
  }, [view]);
}
