// The desktop window itself, inside the Tauri app only: the shell's notice that the window is being closed
// to the tray for the first time, and closing the window (which the shell then destroys; WhatsFlow stays in
// the tray). In a browser there is no such window: both do nothing.

import { isTauri } from './transport';

/** The event the shell sends when the window is first closed (it held the close back). */
const CLOSE_TO_TRAY = 'whatsflow://close-to-tray';

/** Calls `handler` when the shell asks the UI to explain the tray before the window closes. */
export function onCloseToTray(handler: () => void): () => void {
  if (!isTauri()) return () => undefined;
  let stop: (() => void) | null = null;
  let cancelled = false;
  import('@tauri-apps/api/event')
    .then(({ listen }) => listen(CLOSE_TO_TRAY, () => handler()))
    .then((unlisten) => {
      if (cancelled) unlisten();
      else stop = unlisten;
    })
    .catch(() => undefined);
  return () => {
    cancelled = true;
    stop?.();
  };
}

/** Closes the window, as its close button does. */
export async function closeWindow(): Promise<void> {
  if (!isTauri()) return;
  const { getCurrentWindow } = await import('@tauri-apps/api/window');
  await getCurrentWindow().close();
}
