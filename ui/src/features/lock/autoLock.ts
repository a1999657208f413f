// Auto-lock: with a passcode set, the app locks itself after some minutes without input in this window
// (the session timeout). The idle watch is a plain function over a target's input events, so it is tested
// with fake timers; the store keeps the saved setting that both the watch and Settings read.

import { useEffect } from 'react';
import { create } from 'zustand';
import { getAutoLock, lockNow, saveAutoLock } from '../../api/client';
import type { AutoLock } from '../../api/types';

/** Input that counts as someone at the computer. */
export const INPUT_EVENTS = ['keydown', 'pointerdown', 'pointermove', 'wheel', 'touchstart'] as const;

/**
 * Calls `onIdle` once `idleMs` pass with none of `INPUT_EVENTS` on `target`. The timer is not re-armed
 * on every event: it fires when the first wait is over and waits again for what is left since the last
 * input, so moving the mouse costs one assignment. Returns a function that stops watching.
 */
export function watchIdle(target: EventTarget, idleMs: number, onIdle: () => void): () => void {
  let lastInput = Date.now();
  let timer: ReturnType<typeof setTimeout>;
  const onInput = () => {
    lastInput = Date.now();
  };
  const check = () => {
    const idle = Date.now() - lastInput;
    if (idle >= idleMs) onIdle();
    else timer = setTimeout(check, idleMs - idle);
  };
  timer = setTimeout(check, idleMs);
  for (const name of INPUT_EVENTS) target.addEventListener(name, onInput, { capture: true, passive: true });
  return () => {
    clearTimeout(timer);
    for (const name of INPUT_EVENTS) target.removeEventListener(name, onInput, { capture: true });
  };
}

interface AutoLockStore {
  /** The saved setting; null until read (or when it cannot be). */
  setting: AutoLock | null;
  load: () => Promise<void>;
  save: (setting: AutoLock) => Promise<void>;
}

export const useAutoLockSetting = create<AutoLockStore>((set) => ({
  setting: null,
  async load() {
    try {
      set({ setting: await getAutoLock() });
    } catch {
      // An older server without the route, or a read-only key: no auto-lock from this window.
      set({ setting: null });
    }
  },
  async save(setting) {
    set({ setting: await saveAutoLock(setting) });
  },
}));

/**
 * Locks the app after the saved idle time while a passcode is set (`lockEnabled`); `onLocked` refreshes
 * what the shell shows (the lock screen).
 */
export function useAutoLock(lockEnabled: boolean, onLocked: () => void): void {
  const setting = useAutoLockSetting((s) => s.setting);
  const load = useAutoLockSetting((s) => s.load);
  useEffect(() => {
    if (lockEnabled) void load();
  }, [lockEnabled, load]);
  const minutes = lockEnabled && setting?.enabled ? setting.minutes : null;
  useEffect(() => {
    if (minutes === null) return;
    return watchIdle(window, minutes * 60_000, () => {
      void lockNow()
        .catch(() => undefined)
        .finally(onLocked);
    });
  }, [minutes, onLocked]);
}
