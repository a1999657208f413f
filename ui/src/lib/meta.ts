// Regions and time zones for the profile form: fetched once per session and shared by every form.

import { useEffect, useState } from 'react';
import { getRegions, getTimezones } from '../api/client';
import type { Region } from '../api/types';

export interface Meta {
  regions: Region[];
  timezones: string[];
}

let cached: Promise<Meta> | null = null;

function loadMeta(): Promise<Meta> {
  cached ??= Promise.all([getRegions(), getTimezones()])
    .then(([regions, timezones]) => ({ regions: [...regions].sort((a, b) => a.name.localeCompare(b.name)), timezones }))
    .catch((error: unknown) => {
      cached = null; // let the next form try again
      throw error;
    });
  return cached;
}

export type MetaState = { kind: 'loading' } | { kind: 'error'; message: string; retry: () => void } | { kind: 'ready'; meta: Meta };

export function useMeta(): MetaState {
  const [state, setState] = useState<MetaState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    let live = true;
    setState({ kind: 'loading' });
    loadMeta().then(
      (meta) => live && setState({ kind: 'ready', meta }),
      (error: unknown) =>
        live && setState({ kind: 'error', message: error instanceof Error ? error.message : String(error), retry: () => setAttempt((n) => n + 1) }),
    );
    return () => {
      live = false;
    };
  }, [attempt]);
  return state;
}

/** The browser's own time zone (the OS's, in practice), if it can be read. */
export function browserTimezone(): string | null {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone ?? null;
  } catch {
    return null;
  }
}

/** "GMT+2" style offset of a zone right now, or '' if the runtime does not know the zone. */
export function zoneOffset(zone: string, at: Date = new Date()): string {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' })
      .formatToParts(at)
      .find((p) => p.type === 'timeZoneName');
    return part?.value ?? '';
  } catch {
    return '';
  }
}
