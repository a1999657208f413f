// Light/dark: follows the OS (`prefers-color-scheme`) unless the user picked one in Settings → Appearance.
// The choice is mirrored in localStorage so the first paint already has the right colours; the server's
// stored choice (GET /settings) replaces it once loaded.

import { useSyncExternalStore } from 'react';
import type { Theme } from '../api/types';

const KEY = 'whatsflow.theme';
const media = typeof window !== 'undefined' ? window.matchMedia('(prefers-color-scheme: dark)') : null;
let current: Theme = 'system';
const listeners = new Set<() => void>();

function paint() {
  const dark = current === 'dark' || (current === 'system' && (media?.matches ?? false));
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
  media?.addEventListener('change', paint);
}

/** The current choice (not the resolved colour scheme), updated wherever it is changed. */
export function useTheme(): Theme {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => current,
  );
}
