// Linking the phone: the live QR with the steps to scan it, "link with phone number instead" (a pairing
// code to type on the phone), and in demo mode the simulated phone that does either without a phone.

import { ArrowLeft, FlaskConical, KeyRound, QrCode, ScanLine, Smartphone } from 'lucide-react';
import { useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, requestPairingCode } from '../../api/client';
import type { WhatsAppStatus } from '../../api/types';
import { Alert, Button, Card, Field, Input } from '../../components/ui';
import { useMeta } from '../../lib/meta';
import { useAppStore } from '../../store/app';
import type { useConnectionActions } from './actions';
import { QrImage } from './QrImage';
import { formatPairingCode } from './status';

type Actions = ReturnType<typeof useConnectionActions>;

export function Steps({ steps }: { steps: ReactNode[] }) {
  return (
    <ol className="space-y-3.5">
      {steps.map((step, index) => (
        <li key={index} className="flex gap-3 text-[14.5px] leading-snug text-zinc-700 dark:text-zinc-300">
          <span
            aria-hidden
            className="flex size-6 shrink-0 items-center justify-center rounded-full bg-brand-50 text-xs font-semibold text-brand-700 ring-1 ring-brand-200 dark:bg-brand-900/40 dark:text-brand-300 dark:ring-brand-800/70"
          >
            {index + 1}
          </span>
          <span className="pt-0.5">{step}</span>
        </li>
      ))}
    </ol>
  );
}

/** A word of the phone's own interface, set apart so the owner finds it on screen. */
function Ui({ children }: { children: ReactNode }) {
  return <strong className="font-semibold text-zinc-900 dark:text-zinc-100">{children}</strong>;
}

export function LinkPanel({ status, actions }: { status: WhatsAppStatus; actions: Actions }) {
  const [mode, setMode] = useState<'qr' | 'phone'>('qr');
  const pairing = status.state === 'pairing-code' && status.pairingCode;

  return (
    <div className="space-y-4">
      <Card className="overflow-hidden">
        {pairing ? (
          <PairingCodeView code={status.pairingCode!} actions={actions} />
        ) : mode === 'phone' ? (
          <PhoneNumberForm onBack={() => setMode('qr')} />
        ) : (
          <QrView status={status} onPhone={() => setMode('phone')} />
        )}
      </Card>
      {actions.error && <Alert title="That did not work">{actions.error}</Alert>}
      {actions.canSimulate && (pairing || mode === 'qr') && (
        <DemoPhone
          label={pairing ? 'Simulate entering the code on the phone' : 'Simulate scanning with the phone'}
          busy={actions.busy === 'simulate'}
          disabled={!pairing && !status.qr}
          onClick={() => void (pairing ? actions.simulatePairing(status.pairingCode!) : actions.simulateScan())}
        />
      )}
    </div>
  );
}

function QrView({ status, onPhone }: { status: WhatsAppStatus; onPhone: () => void }) {
  return (
    <div className="grid gap-8 p-6 sm:p-8 md:grid-cols-[1fr_auto] md:items-center md:gap-10">
      <div className="min-w-0">
        <h2 className="text-xl font-semibold tracking-tight">Link WhatsApp to WhatsFlow</h2>
        <p className="mt-1.5 text-sm text-zinc-500 dark:text-zinc-400">
          Use the phone with your business's WhatsApp. WhatsFlow becomes one of its linked devices, like WhatsApp on a computer.
        </p>
        <div className="mt-6">
          <Steps
            steps={[
              <>Open <Ui>WhatsApp</Ui> on your phone</>,
              <>Go to <Ui>Settings</Ui> (on Android: the <Ui>⋮</Ui> menu) → <Ui>Linked devices</Ui></>,
              <>Tap <Ui>Link a device</Ui></>,
              <>Point your phone at this screen to scan the code</>,
            ]}
          />
        </div>
        <div className="mt-7 border-t border-zinc-200 pt-5 dark:border-zinc-800">
          <Button variant="ghost" size="sm" icon={<Smartphone className="size-4" aria-hidden />} onClick={onPhone} className="-ml-3">
            Link with phone number instead
          </Button>
        </div>
      </div>
      <div className="mx-auto w-full max-w-72 md:w-72">
        {status.qr ? (
          <QrImage qr={status.qr} />
        ) : (
          <div className="flex aspect-square w-full items-center justify-center rounded-2xl bg-zinc-50 text-sm text-zinc-500 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
            Waiting for a code…
          </div>
        )}
        <p className="mt-3 flex items-center justify-center gap-1.5 text-xs text-zinc-500 dark:text-zinc-400">
          <QrCode className="size-3.5" aria-hidden />
          The code refreshes by itself
        </p>
      </div>
    </div>
  );
}

function PhoneNumberForm({ onBack }: { onBack: () => void }) {
  const meta = useMeta();
  const country = useAppStore((s) => s.profile?.country);
  const callingCode = meta.kind === 'ready' ? meta.meta.regions.find((r) => r.code === country)?.callingCode : undefined;
  const [phone, setPhone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const failure = useAppStore((s) => (s.linkFailure?.call === 'pairing-code' ? s.linkFailure.message : null));
  const clearLinkFailure = useAppStore((s) => s.clearLinkFailure);
  const setStatus = useAppStore((s) => s.setWhatsAppStatus);

  // Start the field with the business country's calling code, the part people most often leave out.
  useEffect(() => {
    if (callingCode !== undefined) setPhone((value) => (value === '' ? `+${callingCode} ` : value));
  }, [callingCode]);

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (phone.replace(/\D/g, '').length < 6) {
      setError('Enter the full WhatsApp number of your business, with its country code');
      return;
    }
    setBusy(true);
    setError(null);
    clearLinkFailure();
    try {
      // Answered at once: the code arrives in the status (state `pairing-code`, which replaces this form
      // and survives a reload), a failure as a `whatsapp.call_failed` event; busy until one of them.
      setStatus(await requestPairingCode(phone.trim()));
    } catch (problem) {
      setError(problem instanceof ApiError ? (problem.fieldMessage('phoneNumber') ?? problem.message) : String(problem));
      setBusy(false);
    }
  };

  useEffect(() => {
    if (busy && failure) {
      setError(failure);
      setBusy(false);
    }
  }, [busy, failure]);

  return (
    <form onSubmit={onSubmit} noValidate className="p-6 sm:p-8">
      <Button variant="ghost" size="sm" icon={<ArrowLeft className="size-4" aria-hidden />} onClick={onBack} className="-ml-3">
        Scan a QR code instead
      </Button>
      <div className="mt-4 max-w-md">
        <h2 className="text-xl font-semibold tracking-tight">Link with phone number</h2>
        <p className="mt-1.5 text-sm text-zinc-500 dark:text-zinc-400">
          No camera handy? WhatsFlow shows an 8-character code, and you type it on the phone instead of scanning.
        </p>
        <Field
          label="Your business's WhatsApp number"
          hint="With the country code, for example +1 415 555 2671"
          error={error ?? undefined}
          className="mt-6"
        >
          {(props) => (
            <Input
              {...props}
              type="tel"
              autoComplete="tel"
              inputMode="tel"
              autoFocus
              value={phone}
              onChange={(event) => setPhone(event.target.value)}
              placeholder="+1 415 555 2671"
            />
          )}
        </Field>
        <Button type="submit" busy={busy} icon={<KeyRound className="size-4" aria-hidden />} className="mt-5">
          Get pairing code
        </Button>
      </div>
    </form>
  );
}

function PairingCodeView({ code, actions }: { code: string; actions: Actions }) {
  const formatted = formatPairingCode(code);
  return (
    <div className="grid gap-8 p-6 sm:p-8 md:grid-cols-[1fr_auto] md:items-center md:gap-10">
      <div className="min-w-0">
        <h2 className="text-xl font-semibold tracking-tight">Enter this code on your phone</h2>
        <p className="mt-1.5 text-sm text-zinc-500 dark:text-zinc-400">WhatsFlow links as soon as the phone accepts the code.</p>
        <div className="mt-6">
          <Steps
            steps={[
              <>Open <Ui>WhatsApp</Ui> on your phone</>,
              <>Go to <Ui>Settings</Ui> (on Android: the <Ui>⋮</Ui> menu) → <Ui>Linked devices</Ui> → <Ui>Link a device</Ui></>,
              <>Tap <Ui>Link with phone number instead</Ui></>,
              <>Type the code shown here</>,
            ]}
          />
        </div>
        <div className="mt-7 border-t border-zinc-200 pt-5 dark:border-zinc-800">
          <Button
            variant="ghost"
            size="sm"
            icon={<QrCode className="size-4" aria-hidden />}
            busy={actions.busy === 'qr-instead'}
            onClick={() => void actions.qrInstead()}
            className="-ml-3"
          >
            Scan a QR code instead
          </Button>
        </div>
      </div>
      <div className="mx-auto w-full md:w-72">
        <div className="rounded-2xl bg-zinc-50 px-6 py-8 text-center ring-1 ring-zinc-200 dark:bg-zinc-950/60 dark:ring-zinc-800">
          <p className="text-xs font-medium tracking-wide text-zinc-500 uppercase dark:text-zinc-400">Pairing code</p>
          <p
            data-testid="pairing-code"
            aria-label={`Pairing code ${formatted.split('').join(' ')}`}
            className="mt-3 font-mono text-[34px] leading-none font-semibold tracking-[0.12em] text-zinc-900 tabular-nums select-all dark:text-zinc-50"
          >
            {formatted}
          </p>
        </div>
      </div>
    </div>
  );
}

function DemoPhone({ label, busy, disabled, onClick }: { label: string; busy: boolean; disabled: boolean; onClick: () => void }) {
  return (
    <div className="flex flex-col gap-3 rounded-xl border border-dashed border-amber-300 bg-amber-50/70 px-5 py-4 sm:flex-row sm:items-center sm:justify-between dark:border-amber-800/70 dark:bg-amber-950/20">
      <div className="flex gap-3">
        <FlaskConical className="mt-0.5 size-4 shrink-0 text-amber-700 dark:text-amber-400" aria-hidden />
        <div className="text-sm">
          <p className="font-medium text-amber-900 dark:text-amber-200">Demo mode · no phone needed</p>
          <p className="text-amber-800/90 dark:text-amber-200/70">The built-in WhatsApp simulator plays the part of your phone.</p>
        </div>
      </div>
      <Button variant="secondary" busy={busy} disabled={disabled} icon={<ScanLine className="size-4" aria-hidden />} onClick={onClick} className="shrink-0">
        {label}
      </Button>
    </div>
  );
}
