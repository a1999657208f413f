// Demo mode only: a "simulated phone" that plays the business owner's phone and the customers, through the
// built-in WhatsApp Web simulator's control API (the client's `simulatorControl`). Scan the QR code, write
// to the business as a customer, and watch what the business sent and its ticks.

import { QrCode, RefreshCw, Smartphone, X } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { simulatorControl } from '../../api/client';
import { Button, Input, Textarea } from '../../components/ui';
import { bubbleTime } from './format';

interface SimState {
  state: string | null;
  qr: string | null;
  paired: boolean;
  phoneNumber: string | null;
}

interface SimOutbound {
  id: string;
  to: string;
  type: string;
  body: string;
  caption?: string;
  filename?: string;
  phoneNumber?: string;
  ack: number;
  atMs?: number;
  t: number;
}

/** How often the panel re-reads the simulator (it has no event stream of its own). */
const POLL_MS = 1500;

const ackLabels: Record<number, string> = { [-1]: 'failed', 0: 'pending', 1: 'sent', 2: 'delivered', 3: 'read', 4: 'played' };

export function SimulatedPhone({ simulatorUrl, onClose }: { simulatorUrl: string; onClose: () => void }) {
  const [state, setState] = useState<SimState | null>(null);
  const [outbound, setOutbound] = useState<SimOutbound[]>([]);
  /** The simulator cannot be read (polling clears it once it answers again). */
  const [problem, setProblem] = useState<string | null>(null);
  /** The last action failed; stays until the next action, whatever polling says. */
  const [actionError, setActionError] = useState<string | null>(null);
  const [from, setFrom] = useState('+14155550101');
  const [name, setName] = useState('Ana Customer');
  const [body, setBody] = useState('');
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const [s, o] = await Promise.all([simulatorControl<SimState>(simulatorUrl, 'state'), simulatorControl<SimOutbound[]>(simulatorUrl, 'outbound')]);
      setState(s);
      setOutbound(o);
      setProblem(null);
    } catch (e) {
      setProblem(e instanceof Error ? e.message : String(e));
    }
  }, [simulatorUrl]);

  useEffect(() => {
    void refresh();
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [refresh]);

  const act = async (what: () => Promise<unknown>, done?: string) => {
    setBusy(true);
    setNotice(null);
    setActionError(null);
    try {
      await what();
      if (done) setNotice(done);
      await refresh();
    } catch (e) {
      setActionError(e instanceof Error ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const scan = () => act(() => simulatorControl(simulatorUrl, 'scan', {}), 'QR code scanned: WhatsApp is linking…');
  const sendInbound = () =>
    act(async () => {
      await simulatorControl(simulatorUrl, 'inbound', { from: from.trim(), pushName: name.trim() || undefined, body });
      setBody('');
    }, 'Sent to the business.');
  const ack = (id: string, value: number) => act(() => simulatorControl(simulatorUrl, 'ack', { id, ack: value }));

  // The phone can scan only once the page shows a QR code (the simulator refuses otherwise).
  const canScan = state !== null && !state.paired && Boolean(state.qr);

  return (
    <aside
      aria-label="Simulated phone"
      className="flex w-80 shrink-0 flex-col border-l border-amber-200 bg-amber-50/60 dark:border-amber-900/50 dark:bg-amber-950/20"
      data-testid="simulated-phone"
    >
      <header className="flex h-14 shrink-0 items-center gap-2 border-b border-amber-200 px-4 dark:border-amber-900/50">
        <Smartphone className="size-4 text-amber-700 dark:text-amber-300" aria-hidden />
        <h2 className="flex-1 text-[14px] font-semibold">Simulated phone</h2>
        <span className="rounded bg-amber-200 px-1.5 py-0.5 text-[10px] font-semibold tracking-wide text-amber-900 uppercase dark:bg-amber-800/60 dark:text-amber-100">
          Simulation
        </span>
        <button type="button" onClick={onClose} aria-label="Hide the simulated phone" className="rounded p-1 text-zinc-500 hover:text-zinc-800 dark:hover:text-zinc-200">
          <X className="size-4" aria-hidden />
        </button>
      </header>
      <div className="min-h-0 flex-1 space-y-5 overflow-y-auto p-4 text-[13px]">
        <p className="text-xs text-zinc-600 dark:text-zinc-400">
          Nothing here touches the real WhatsApp. This panel plays your phone and your customers in the built-in simulator.
        </p>
        {[problem, actionError].filter(Boolean).map((text) => (
          <p key={text} role="alert" className="rounded-md bg-red-50 px-2.5 py-2 text-red-800 dark:bg-red-950/40 dark:text-red-200">
            {text}
          </p>
        ))}
        {notice && <p className="rounded-md bg-white/80 px-2.5 py-2 text-zinc-700 dark:bg-zinc-900/60 dark:text-zinc-300">{notice}</p>}

        <section className="space-y-2">
          <h3 className="font-semibold">Your phone</h3>
          {state === null ? (
            <p className="text-zinc-500">Reading the simulator…</p>
          ) : state.paired ? (
            <p data-testid="sim-linked">
              Linked as <span className="font-medium">{state.phoneNumber}</span>
            </p>
          ) : (
            <>
              <p className="text-zinc-600 dark:text-zinc-400">
                {state.qr ? 'WhatsApp shows a QR code. Scan it with the simulated phone to link it.' : 'Not linked. The QR code appears once WhatsApp has started.'}
              </p>
              <Button size="sm" icon={<QrCode className="size-4" aria-hidden />} onClick={() => void scan()} disabled={busy || !canScan}>
                Scan the QR code
              </Button>
            </>
          )}
        </section>

        <section className="space-y-2">
          <h3 className="font-semibold">Write to the business as a customer</h3>
          <label className="block space-y-1">
            <span className="text-xs text-zinc-600 dark:text-zinc-400">Customer's number</span>
            <Input value={from} onChange={(e) => setFrom(e.target.value)} aria-label="Customer's number" placeholder="+14155550101" />
          </label>
          <label className="block space-y-1">
            <span className="text-xs text-zinc-600 dark:text-zinc-400">Customer's WhatsApp name</span>
            <Input value={name} onChange={(e) => setName(e.target.value)} aria-label="Customer's name" />
          </label>
          <label className="block space-y-1">
            <span className="text-xs text-zinc-600 dark:text-zinc-400">Message</span>
            <Textarea value={body} onChange={(e) => setBody(e.target.value)} aria-label="Customer's message" className="min-h-16" placeholder="Hi! Do you deliver on Sundays?" />
          </label>
          <Button size="sm" onClick={() => void sendInbound()} disabled={busy || body.trim() === '' || !state?.paired} title={state?.paired ? undefined : 'Link the phone first'}>
            Send to the business
          </Button>
        </section>

        <section className="space-y-2">
          <div className="flex items-center justify-between">
            <h3 className="font-semibold">Sent by the business</h3>
            <button type="button" onClick={() => void refresh()} aria-label="Refresh" className="rounded p-1 text-zinc-500 hover:text-zinc-800 dark:hover:text-zinc-200">
              <RefreshCw className="size-3.5" aria-hidden />
            </button>
          </div>
          {outbound.length === 0 && <p className="text-zinc-500">Nothing yet. Reply to a chat and it shows up here, as the customer's phone receives it.</p>}
          <ul className="space-y-2" data-testid="sim-outbound">
            {[...outbound].reverse().map((m) => (
              <li key={m.id} className="rounded-lg bg-white px-2.5 py-2 shadow-xs ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
                <p className="flex justify-between gap-2 text-xs text-zinc-500">
                  <span>to {m.phoneNumber ?? m.to}</span>
                  <span>{bubbleTime(new Date(m.atMs ?? m.t * 1000).toISOString())}</span>
                </p>
                <p className="mt-0.5 break-words whitespace-pre-wrap">{m.type === 'chat' ? m.body : `[${m.type}${m.filename ? `: ${m.filename}` : ''}] ${m.caption ?? ''}`.trim()}</p>
                <div className="mt-1.5 flex items-center gap-1.5 text-xs">
                  <span className="flex-1 text-zinc-500" data-testid="sim-ack">
                    {ackLabels[m.ack] ?? `ack ${m.ack}`}
                  </span>
                  {m.ack < 2 && m.ack >= 0 && (
                    <button type="button" className="rounded px-1.5 py-0.5 font-medium text-brand-700 hover:bg-brand-50 dark:text-brand-300 dark:hover:bg-brand-900/30" onClick={() => void ack(m.id, 2)}>
                      Deliver
                    </button>
                  )}
                  {m.ack < 3 && m.ack >= 0 && (
                    <button type="button" className="rounded px-1.5 py-0.5 font-medium text-brand-700 hover:bg-brand-50 dark:text-brand-300 dark:hover:bg-brand-900/30" onClick={() => void ack(m.id, 3)}>
                      Read
                    </button>
                  )}
                </div>
              </li>
            ))}
          </ul>
        </section>
      </div>
    </aside>
  );
}
