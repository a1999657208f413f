// A secret or a command shown in full, with a button that copies it (a key shown once, a webhook secret,
// the curl example).

import { Check, Copy } from 'lucide-react';
import { useState } from 'react';
import { Button } from '../../components/ui';

export function Copyable({ label, value, testId }: { label: string; value: string; testId?: string }) {
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(value);
      setCopied(true);
      setTimeout(() => setCopied(false), 1500);
    } catch {
      // No clipboard (an insecure context): the text stays selectable.
    }
  };
  return (
    <div className="flex items-start gap-2">
      <code
        aria-label={label}
        data-testid={testId}
        className="min-w-0 flex-1 rounded-lg bg-zinc-100 px-3 py-2 font-mono text-[12.5px] break-all text-zinc-800 select-all dark:bg-zinc-800 dark:text-zinc-200"
      >
        {value}
      </code>
      <Button
        variant="secondary"
        size="sm"
        aria-label={`Copy ${label.toLowerCase()}`}
        icon={copied ? <Check className="size-4" aria-hidden /> : <Copy className="size-4" aria-hidden />}
        onClick={() => void copy()}
      >
        {copied ? 'Copied' : 'Copy'}
      </Button>
    </div>
  );
}

export const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));
