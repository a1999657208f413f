// The app's keyboard shortcuts, one table that both the handler and Settings → About read, and the search
// box that Ctrl/⌘+K focuses: each screen's main search is marked with `searchBox`.

import { transportKind } from '../api/client';
import { navigate } from './router';

export const isMac = typeof navigator !== 'undefined' && /Mac|iPhone|iPad/.test(navigator.platform);
/** The command key as people read it. */
export const modKey = isMac ? '⌘' : 'Ctrl';
/**
 * Ctrl/⌘ in the desktop app; a browser keeps Ctrl+digit and Ctrl+N for its own tabs and windows, so there
 * the screen and new-message shortcuts show Alt/⌥ (both work everywhere).
 */
export const navModifier = transportKind === 'tauri' ? modKey : isMac ? '⌥' : 'Alt';

/** Every shortcut, for Settings → About (the screen keys come from the sidebar's list). */
export const SHORTCUTS: Array<{ label: string; keys: string[] }> = [
  { label: 'Search', keys: [modKey, 'K'] },
  { label: 'New message', keys: [navModifier, 'N'] },
  { label: 'Close a dialog', keys: ['Esc'] },
  { label: 'Lock now (when a passcode is set)', keys: [modKey, 'Shift', 'L'] },
];

/** The attribute that marks a screen's main search box. */
const SEARCH_ATTRIBUTE = 'data-shortcut-search';
/** Set when Ctrl+K had to change screen first: the inbox's search box takes focus once it is shown. */
let focusWhenShown = false;

/** Props for a screen's main search box: Ctrl/⌘+K focuses it. */
export const searchBox = {
  [SEARCH_ATTRIBUTE]: '',
  ref: (input: HTMLInputElement | null) => {
    if (input && focusWhenShown) {
      focusWhenShown = false;
      input.focus();
    }
  },
} as const;

/** Focuses the search box of the screen shown, or goes to the inbox and focuses its search there. */
export function focusSearch(): void {
  const box = document.querySelector<HTMLInputElement>(`[${SEARCH_ATTRIBUTE}]`);
  if (box) {
    box.focus();
    box.select();
    return;
  }
  focusWhenShown = true;
  navigate('inbox');
}
