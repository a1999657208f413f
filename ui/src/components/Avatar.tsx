// A person's round avatar: their initials on a colour picked from the name, the same on every screen.

import { cn } from '../lib/cn';
import { initials } from '../lib/initials';

const HUES = [152, 200, 262, 330, 24, 45, 180, 290];

const SIZES = {
  sm: 'size-7 text-[11px]',
  md: 'size-9 text-[13px]',
  lg: 'size-11 text-[13px]',
} as const;

export function Avatar({ name, size = 'md' }: { name: string; size?: keyof typeof SIZES }) {
  // A stable colour per name, so a person is recognisable at a glance.
  let hash = 0;
  for (const ch of name) hash = (hash * 31 + ch.codePointAt(0)!) | 0;
  const hue = HUES[Math.abs(hash) % HUES.length];
  return (
    <span
      aria-hidden
      className={cn('flex shrink-0 items-center justify-center rounded-full font-semibold text-white', SIZES[size])}
      style={{ backgroundColor: `hsl(${hue} 45% 45%)` }}
    >
      {initials(name)}
    </span>
  );
}
