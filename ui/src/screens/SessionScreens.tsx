// Full-window states before the app can run: starting, server unreachable, session token missing/expired.

import { KeyRound, PlugZap } from 'lucide-react';
import { BrandMark } from '../components/BrandMark';
import { Button, Spinner } from '../components/ui';
import { useAppStore } from '../store/app';

function Frame({ children }: { children: React.ReactNode }) {
  return (
    <div className="flex h-full items-center justify-center bg-zinc-50 p-6 dark:bg-zinc-950">
      <div className="w-full max-w-md text-center">{children}</div>
    </div>
  );
}

export function BootScreen() {
  return (
    <Frame>
      <BrandMark className="mx-auto mb-6 size-12" />
      <div className="flex justify-center">
        <Spinner label="Starting WhatsFlow…" />
      </div>
    </Frame>
  );
}

export function UnauthorizedScreen() {
  return (
    <Frame>
      <div className="mx-auto mb-5 flex size-12 items-center justify-center rounded-2xl bg-amber-100 text-amber-800 dark:bg-amber-900/30 dark:text-amber-300">
        <KeyRound className="size-6" aria-hidden />
      </div>
      <h1 className="text-xl font-semibold tracking-tight">Session token missing or expired</h1>
      <p className="mt-2 text-sm leading-relaxed text-zinc-500 dark:text-zinc-400">
        This page needs the link that <code className="rounded bg-zinc-200/70 px-1 py-0.5 text-[13px] dark:bg-zinc-800">whatsflow-server</code>{' '}
        printed when it started — it ends with <code className="rounded bg-zinc-200/70 px-1 py-0.5 text-[13px] dark:bg-zinc-800">?token=…</code>.
        Open that link again (a restarted server prints a new one).
      </p>
    </Frame>
  );
}

export function UnreachableScreen() {
  const problem = useAppStore((s) => s.problem);
  const boot = useAppStore((s) => s.boot);
  return (
    <Frame>
      <div className="mx-auto mb-5 flex size-12 items-center justify-center rounded-2xl bg-red-100 text-red-700 dark:bg-red-950/50 dark:text-red-300">
        <PlugZap className="size-6" aria-hidden />
      </div>
      <h1 className="text-xl font-semibold tracking-tight">Cannot reach WhatsFlow</h1>
      <p className="mt-2 text-sm leading-relaxed text-zinc-500 dark:text-zinc-400">{problem}</p>
      <Button className="mt-6" variant="secondary" onClick={() => void boot()}>
        Try again
      </Button>
    </Frame>
  );
}
