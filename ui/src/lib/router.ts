// A tiny hash router: the app has a handful of top-level screens, and a hash keeps the screen across reloads
// under both Tauri's custom protocol and the HTTP server without any server-side routing.

import { useSyncExternalStore } from 'react';

export type Screen = 'inbox' | 'contacts' | 'campaigns' | 'analytics' | 'settings' | 'connect';
export type SettingsSection = 'profile' | 'lock' | 'appearance' | 'notifications' | 'desktop' | 'data' | 'api' | 'about';

export interface Route {
  screen: Screen;
  section: SettingsSection;
  /** The segments after the screen (`#/campaigns/12` → `['12']`), for screens with pages of their own. */
  path: string[];
}

// `connect` (linking WhatsApp) is reached from the sidebar's status box and the banner, not the main nav.
const SCREENS: Screen[] = ['inbox', 'contacts', 'campaigns', 'analytics', 'settings', 'connect'];
const SECTIONS: SettingsSection[] = ['profile', 'lock', 'appearance', 'notifications', 'desktop', 'data', 'api', 'about'];

export function parseRoute(hash: string): Route {
  const [screen, ...path] = hash.replace(/^#\/?/, '').split('/');
  const section = path[0];
  return {
    screen: SCREENS.includes(screen as Screen) ? (screen as Screen) : 'inbox',
    section: SECTIONS.includes(section as SettingsSection) ? (section as SettingsSection) : 'profile',
    path: path.filter(Boolean),
  };
}

export function href(screen: Screen, section?: SettingsSection): string {
  return section ? `#/${screen}/${section}` : `#/${screen}`;
}

export function navigate(screen: Screen, section?: SettingsSection): void {
  window.location.hash = href(screen, section);
}

/** A page inside a screen, e.g. `hrefTo('campaigns', 12)` → `#/campaigns/12`. */
export function hrefTo(screen: Screen, ...path: Array<string | number>): string {
  return ['#', screen, ...path].join('/');
}

export function navigateTo(screen: Screen, ...path: Array<string | number>): void {
  window.location.hash = hrefTo(screen, ...path);
}

function subscribe(callback: () => void) {
  window.addEventListener('hashchange', callback);
  return () => window.removeEventListener('hashchange', callback);
}

export function useRoute(): Route {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return parseRoute(hash);
}
