// The opening screen: the dashboard only for a connected WhatsApp with history, decided once WhatsApp settled.
import { describe, expect, it } from 'vitest';
import type { WhatsAppStatus } from '../../api/types';
import { startDecision } from './startScreen';

const status = (state: string): WhatsAppStatus => ({ state });

describe('the opening screen', () => {
  it('waits while WhatsApp is still being read or is settling', () => {
    expect(startDecision('unknown')).toBe('wait');
    expect(startDecision(status('starting'))).toBe('wait');
    expect(startDecision(status('syncing'))).toBe('wait');
  });

  it('looks for history only when connected', () => {
    expect(startDecision(status('connected'))).toBe('check-history');
    for (const state of ['disconnected', 'qr', 'pairing-code', 'phone-offline', 'logged-out', 'banned']) {
      expect(startDecision(status(state)), state).toBe('inbox');
    }
  });

  it('is the inbox when WhatsApp cannot be read', () => {
    expect(startDecision(null)).toBe('inbox');
  });
});
