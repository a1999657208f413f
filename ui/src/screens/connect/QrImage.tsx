// The QR code to scan, as the server draws it (SVG). It is fetched again whenever the QR string in the
// status changes (WhatsApp rotates it about every 20 s), keeping the previous picture until the new one is in.

import { Loader2, RefreshCw } from 'lucide-react';
import { useEffect, useState } from 'react';
import { ApiError, getWhatsAppQrSvg } from '../../api/client';
import { IconLabelButton } from '../../components/ui';
import { cn } from '../../lib/cn';

type QrState = { kind: 'loading' } | { kind: 'ready'; src: string; qr: string } | { kind: 'error'; message: string };

/** An SVG document as an <img> source: no markup from the network is put into the page itself. */
function svgSource(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

export function QrImage({ qr, className }: { qr: string; className?: string }) {
  const [state, setState] = useState<QrState>({ kind: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let live = true;
    getWhatsAppQrSvg().then(
      (svg) => live && setState({ kind: 'ready', src: svgSource(svg), qr }),
      (error: unknown) => {
        if (!live) return;
        // 404: the code expired between the status and this request; the next status brings a new one.
        if (error instanceof ApiError && error.status === 404) return;
        setState({ kind: 'error', message: error instanceof Error ? error.message : String(error) });
      },
    );
    return () => {
      live = false;
    };
  }, [qr, attempt]);

  return (
    <div
      className={cn(
        // QR codes need dark modules on a light ground to scan, in dark mode too.
        'relative flex aspect-square w-full items-center justify-center overflow-hidden rounded-2xl bg-white p-3 shadow-sm ring-1 ring-zinc-200 dark:ring-zinc-700',
        className,
      )}
    >
      {state.kind === 'ready' && (
        <img
          src={state.src}
          alt="QR code to scan with WhatsApp on your phone"
          data-testid="whatsapp-qr"
          data-qr={state.qr}
          className={cn('size-full select-none transition-opacity', state.qr !== qr && 'opacity-40')}
          draggable={false}
        />
      )}
      {state.kind === 'loading' && (
        <div role="status" className="flex flex-col items-center gap-2 text-sm text-zinc-500">
          <Loader2 className="size-6 animate-spin" aria-hidden />
          Loading the code…
        </div>
      )}
      {state.kind === 'error' && (
        <div role="alert" className="flex max-w-56 flex-col items-center gap-3 text-center text-sm text-zinc-600">
          <p>The QR code could not be loaded: {state.message}</p>
          <IconLabelButton
            icon={RefreshCw}
            iconClassName="size-3.5"
            onClick={() => setAttempt((n) => n + 1)}
            className="inline-flex items-center gap-1.5 rounded-md px-2 py-1 font-medium text-brand-700 hover:bg-brand-50"
          >
            Try again
          </IconLabelButton>
        </div>
      )}
    </div>
  );
}
