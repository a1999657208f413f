// First start: the business profile, then an optional app-lock passcode, then the main app.

import { Check, Lock, ShieldCheck, Store, Wifi } from 'lucide-react';
import { useEffect, useState } from 'react';
import { BrandMark } from '../components/BrandMark';
import { Button } from '../components/ui';
import { ProfileForm } from '../features/ProfileForm';
import { SetPasscodeForm } from '../features/PasscodeForms';
import { cn } from '../lib/cn';
import { navigate } from '../lib/router';
import { useAppStore } from '../store/app';
import { toast } from '../store/toast';

const STEPS = [
  { title: 'Your business', description: 'Name, country and time zone' },
  { title: 'App lock', description: 'Optional passcode' },
];

export function Onboarding() {
  const app = useAppStore((s) => s.app);
  const setProfile = useAppStore((s) => s.setProfile);
  const setOnboarding = useAppStore((s) => s.setOnboarding);
  const refreshAppState = useAppStore((s) => s.refreshAppState);
  const [step, setStep] = useState(0);

  useEffect(() => {
    document.title = 'Welcome · WhatsFlow';
  }, []);

  const finish = async (message: string) => {
    await refreshAppState();
    setOnboarding(false);
    navigate('inbox');
    toast(message);
  };

  return (
    <div className="flex h-full min-h-0">
      <aside className="relative hidden w-[38%] max-w-md shrink-0 flex-col justify-between overflow-hidden bg-zinc-950 p-10 text-zinc-100 lg:flex">
        <div
          className="pointer-events-none absolute -top-32 -left-24 size-96 rounded-full bg-brand-500/25 blur-3xl"
          aria-hidden
        />
        <div className="relative flex items-center gap-3">
          <BrandMark className="size-9" />
          <span className="text-lg font-semibold tracking-tight">WhatsFlow</span>
        </div>
        <div className="relative space-y-8">
          <div>
            <h2 className="text-2xl font-semibold tracking-tight text-white">Your shop's WhatsApp, organised.</h2>
            <p className="mt-3 text-[15px] leading-relaxed text-zinc-400">
              One inbox for every customer chat, contacts with tags, and broadcasts sent at a safe pace.
            </p>
          </div>
          <ul className="space-y-4 text-sm text-zinc-300">
            <li className="flex gap-3">
              <ShieldCheck className="size-5 shrink-0 text-brand-400" aria-hidden />
              Everything stays on this computer. No cloud account.
            </li>
            <li className="flex gap-3">
              <Wifi className="size-5 shrink-0 text-brand-400" aria-hidden />
              Works with your existing WhatsApp number.
            </li>
            <li className="flex gap-3">
              <Store className="size-5 shrink-0 text-brand-400" aria-hidden />
              Made for small shops, restaurants and services.
            </li>
          </ul>
        </div>
        <p className="relative text-xs text-zinc-500">Version {app?.version}</p>
      </aside>

      <main className="flex min-w-0 flex-1 justify-center overflow-y-auto px-6 py-12">
        <div className="w-full max-w-xl">
          <ol className="mb-8 flex items-center gap-3" aria-label="Setup steps">
            {STEPS.map((s, index) => (
              <li key={s.title} className="flex items-center gap-3" aria-current={index === step ? 'step' : undefined}>
                {index > 0 && <span className="h-px w-8 bg-zinc-300 dark:bg-zinc-700" aria-hidden />}
                <span
                  className={cn(
                    'flex size-6 items-center justify-center rounded-full text-xs font-semibold',
                    index < step && 'bg-brand-600 text-white',
                    index === step && 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900',
                    index > step && 'bg-zinc-200 text-zinc-500 dark:bg-zinc-800 dark:text-zinc-400',
                  )}
                >
                  {index < step ? <Check className="size-3.5" aria-label="done" /> : index + 1}
                </span>
                <span className={cn('text-sm font-medium', index === step ? 'text-zinc-900 dark:text-zinc-100' : 'text-zinc-500')}>
                  {s.title}
                </span>
              </li>
            ))}
          </ol>

          {step === 0 && (
            <>
              <div className="mb-7">
                <h1 className="text-2xl font-semibold tracking-tight">Welcome! Tell us about your business</h1>
                <p className="mt-2 text-[15px] text-zinc-500 dark:text-zinc-400">
                  This sets up WhatsFlow for you. You can change any of it later in Settings.
                </p>
              </div>
              <ProfileForm
                defaults={app?.defaults ?? { country: '', timezone: '' }}
                submitLabel="Continue"
                autoFocus
                onSaved={(profile) => {
                  setProfile(profile);
                  setStep(1);
                }}
              />
            </>
          )}

          {step === 1 && (
            <>
              <div className="mb-7">
                <div className="mb-4 flex size-11 items-center justify-center rounded-xl bg-brand-50 ring-1 ring-brand-200 dark:bg-brand-900/30 dark:ring-brand-800/60">
                  <Lock className="size-5 text-brand-700 dark:text-brand-300" aria-hidden />
                </div>
                <h1 className="text-2xl font-semibold tracking-tight">Lock WhatsFlow with a passcode?</h1>
                <p className="mt-2 text-[15px] text-zinc-500 dark:text-zinc-400">
                  Useful if others use this computer: your chats and contacts stay hidden until the passcode is entered. You can
                  set or change it later in Settings → App lock.
                </p>
              </div>
              <SetPasscodeForm
                requireCurrent={false}
                submitLabel="Set passcode and finish"
                autoFocus
                onDone={() => void finish('Passcode set. You are all set up!')}
                secondary={
                  <Button variant="ghost" onClick={() => void finish('You are all set up!')}>
                    Skip for now
                  </Button>
                }
              />
            </>
          )}
        </div>
      </main>
    </div>
  );
}
