// Shown alone while the app is locked: a passcode prompt. The server enforces the lock (every other route
// answers 403) and the attempt limit (429); this screen only asks and explains.

import { Lock } from 'lucide-react';
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, unlock } from '../api/client';
import { BrandMark } from '../components/BrandMark';
import { Alert, Button, Input } from '../components/ui';
import { formatWait } from '../features/PasscodeForms';
import { useAppStore } from '../store/app';

export function LockScreen() {
  const app = useAppStore((s) => s.app);
  const refreshAppState = useAppStore((s) => s.refreshAppState);
  const [passcode, setPasscode] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** Wall-clock time (ms) until which the server refuses attempts, after a 429. */
  const [blockedUntil, setBlockedUntil] = useState<number | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const input = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (blockedUntil === null) return;
    const timer = setInterval(() => {
      const t = Date.now();
      setNow(t);
      if (t >= blockedUntil) {
        setBlockedUntil(null);
        setError(null);
        input.current?.focus();
      }
    }, 500);
    return () => clearInterval(timer);
  }, [blockedUntil]);

  useEffect(() => {
    document.title = 'Locked · WhatsFlow';
  }, []);

  const secondsLeft = blockedUntil ? Math.max(0, Math.ceil((blockedUntil - now) / 1000)) : 0;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (passcode === '') {
      setError('Enter your passcode.');
      input.current?.focus();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const state = await unlock(passcode);
      if (app) useAppStore.setState({ app: { ...app, lock: state } });
      await refreshAppState();
    } catch (e) {
      setPasscode('');
      if (e instanceof ApiError && e.code === 'wrong_passcode') setError('Wrong passcode. Please try again.');
      else if (e instanceof ApiError && e.code === 'too_many_attempts') {
        setError(e.message || 'Too many attempts.');
        if (e.retryAfter) {
          setBlockedUntil(Date.now() + e.retryAfter * 1000);
          setNow(Date.now());
        }
      } else setError(e instanceof Error ? e.message : String(e));
      input.current?.focus();
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="flex h-full items-center justify-center bg-zinc-50 p-6 dark:bg-zinc-950">
      <div className="w-full max-w-sm">
        <div className="mb-8 flex flex-col items-center text-center">
          <div className="relative mb-5">
            <BrandMark className="size-14" />
            <span className="absolute -right-1.5 -bottom-1.5 flex size-7 items-center justify-center rounded-full bg-zinc-900 ring-4 ring-zinc-50 dark:bg-zinc-100 dark:ring-zinc-950">
              <Lock className="size-3.5 text-white dark:text-zinc-900" aria-hidden />
            </span>
          </div>
          <h1 className="text-xl font-semibold tracking-tight">WhatsFlow is locked</h1>
          <p className="mt-1.5 text-sm text-zinc-500 dark:text-zinc-400">Enter your passcode to continue.</p>
        </div>
        <form onSubmit={submit} className="space-y-4" aria-label="Unlock">
          <div className="space-y-1.5">
            <label htmlFor="unlock-passcode" className="sr-only">
              Passcode
            </label>
            <Input
              id="unlock-passcode"
              ref={input}
              type="password"
              autoFocus
              autoComplete="current-password"
              placeholder="Passcode"
              value={passcode}
              invalid={error !== null}
              aria-describedby={error ? 'unlock-error' : undefined}
              onChange={(e) => setPasscode(e.target.value)}
              disabled={blockedUntil !== null}
              className="h-11 text-center text-base tracking-widest"
            />
          </div>
          {error && (
            <div id="unlock-error">
              <Alert>
                {error}
                {blockedUntil !== null && secondsLeft > 0 && <span className="block">You can try again in {formatWait(secondsLeft)}.</span>}
              </Alert>
            </div>
          )}
          <Button type="submit" size="lg" className="w-full" busy={busy} disabled={blockedUntil !== null}>
            Unlock
          </Button>
        </form>
      </div>
    </div>
  );
}
