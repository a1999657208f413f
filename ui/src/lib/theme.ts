// Light/dark: follows the OS (`prefers-color-scheme`) unless the user picked one in Settings → Appearance.
// The choice is mirrored in localStorage so the first paint already has the right colours; the server's
// stored choice (GET /settings) replaces it once loaded.

import { useSyncExternalStore } from 'react';
import type { Theme } from '../api/types';

const KEY = 'whatsflow.theme';
const media = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
let current: Theme = 'system';
const listeners = new Set<() => void>();

function isDark(): boolean {
  return current === 'dark' || (current === 'system' && (media?.matches ?? false));
}

function paint() {
  const dark = isDark();
  document.documentElement.classList.toggle('dark', dark);
  document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
}

function storedTheme(): Theme {
  const value = localStorage.getItem(KEY);
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function applyTheme(theme: Theme): void {
  current = theme;
  localStorage.setItem(KEY, theme);
  paint();
  listeners.forEach((listener) => listener());
}

export function initTheme(): void {
  current = storedTheme();
  paint();
  media?.addEventListener('change', () => {
    paint();
    listeners.forEach((listener) => listener());
  });
}

function subscribe(listener: () => void) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The current choice (not the resolved colour scheme), updated wherever it is changed. */
export function useTheme(): Theme {
  return useSyncExternalStore(subscribe, () => current);
}

/** The colour scheme the window shows now (the choice, or the OS's when the choice is "system"). */
export function useColorScheme(): 'light' | 'dark' {
  return useSyncExternalStore(subscribe, () => (isDark() ? 'dark' : 'light'));
}
