// Keeps the inbox live on every screen: one subscription to the engine's events feeds the inbox store, so
// unread counts, ticks and desktop notifications update even while another screen is open.

import { useEffect } from 'react';
import { api } from '../../api/client';
import { useInbox } from './store';

export function InboxLive() {
  useEffect(() => api.subscribe((event) => useInbox.getState().applyEvent(event)), []);
  return null;
}
