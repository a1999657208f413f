// The small set of building blocks every screen uses: buttons, labelled fields with their error line,
// inputs, selects, cards and alerts. One look, one place to change it.

import { forwardRef, useId, type ButtonHTMLAttributes, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { AlertCircle, CheckCircle2, ChevronDown, Info, Loader2, type LucideIcon } from 'lucide-react';
import { cn } from '../lib/cn';

type Variant = 'primary' | 'secondary' | 'ghost' | 'danger';

const variants: Record<Variant, string> = {
  primary:
    'bg-brand-600 text-white shadow-sm hover:bg-brand-700 active:bg-brand-800 dark:bg-brand-600 dark:hover:bg-brand-500 dark:hover:text-zinc-950',
  secondary:
    'bg-white text-zinc-800 ring-1 ring-inset ring-zinc-300 shadow-xs hover:bg-zinc-50 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700 dark:hover:bg-zinc-800',
  ghost: 'text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 dark:text-zinc-400 dark:hover:bg-zinc-800 dark:hover:text-zinc-100',
  danger:
    'bg-white text-red-700 ring-1 ring-inset ring-red-300 hover:bg-red-50 dark:bg-transparent dark:text-red-400 dark:ring-red-900 dark:hover:bg-red-950/50',
};

export interface ButtonProps extends ButtonHTMLAttributes<HTMLButtonElement> {
  variant?: Variant;
  size?: 'sm' | 'md' | 'lg';
  busy?: boolean;
  icon?: ReactNode;
}

export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = 'primary', size = 'md', busy = false, icon, className, children, disabled, type = 'button', ...rest },
  ref,
) {
  return (
    <button
      ref={ref}
      type={type}
      disabled={disabled || busy}
      aria-busy={busy || undefined}
      className={cn(
        'inline-flex select-none items-center justify-center gap-2 rounded-lg font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-60',
        size === 'sm' && 'h-8 px-3 text-[13px]',
        size === 'md' && 'h-9 px-3.5 text-sm',
        size === 'lg' && 'h-11 px-5 text-[15px]',
        variants[variant],
        className,
      )}
      {...rest}
    >
      {busy ? <Loader2 className="size-4 animate-spin" aria-hidden /> : icon}
      {children}
    </button>
  );
});

const control =
  'block w-full rounded-lg border-0 bg-white px-3 text-sm text-zinc-900 shadow-xs ring-1 ring-inset ring-zinc-300 placeholder:text-zinc-400 transition-shadow focus:outline-none focus:ring-2 focus:ring-brand-600 disabled:opacity-60 dark:bg-zinc-900 dark:text-zinc-100 dark:ring-zinc-700 dark:placeholder:text-zinc-500 dark:focus:ring-brand-500';
const invalidControl = 'ring-red-400 focus:ring-red-500 dark:ring-red-800 dark:focus:ring-red-600';

export const Input = forwardRef<HTMLInputElement, InputHTMLAttributes<HTMLInputElement> & { invalid?: boolean }>(function Input(
  { className, invalid, ...rest },
  ref,
) {
  return <input ref={ref} aria-invalid={invalid || undefined} className={cn(control, 'h-9', invalid && invalidControl, className)} {...rest} />;
});

export const Textarea = forwardRef<HTMLTextAreaElement, TextareaHTMLAttributes<HTMLTextAreaElement> & { invalid?: boolean }>(
  function Textarea({ className, invalid, ...rest }, ref) {
    return <textarea ref={ref} aria-invalid={invalid || undefined} className={cn(control, 'min-h-24 py-2 leading-relaxed', invalid && invalidControl, className)} {...rest} />;
  },
);

export const Select = forwardRef<HTMLSelectElement, SelectHTMLAttributes<HTMLSelectElement> & { invalid?: boolean }>(function Select(
  { className, invalid, children, ...rest },
  ref,
) {
  return (
    <div className={cn('relative', className)}>
      <select ref={ref} aria-invalid={invalid || undefined} className={cn(control, 'h-9 appearance-none pr-9', invalid && invalidControl)} {...rest}>
        {children}
      </select>
      <ChevronDown className="pointer-events-none absolute top-1/2 right-2.5 size-4 -translate-y-1/2 text-zinc-400" aria-hidden />
    </div>
  );
});

/**
 * A label, its control, an optional hint and the error line. The control gets an id and is described by
 * the error, so screen readers read the problem with the field.
 */
export function Field({
  label,
  hint,
  error,
  optional,
  counter,
  children,
  className,
}: {
  label: string;
  hint?: ReactNode;
  error?: string;
  optional?: boolean;
  /** Shown at the right of the hint/error line (e.g. "120 / 2,000"), visible in both states. */
  counter?: { length: number; max: number };
  children: (props: { id: string; 'aria-describedby'?: string; invalid: boolean }) => ReactNode;
  className?: string;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error ? errorId : null, hint ? hintId : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className={cn('space-y-1.5', className)}>
      <label htmlFor={id} className="flex items-baseline justify-between text-[13px] font-medium text-zinc-700 dark:text-zinc-300">
        <span>{label}</span>
        {optional && <span className="text-xs font-normal text-zinc-400 dark:text-zinc-500">Optional</span>}
      </label>
      {children({ id, 'aria-describedby': describedBy, invalid: Boolean(error) })}
      {(error || hint || counter) && (
        <div className="flex items-start justify-between gap-3">
          {error ? (
            <p id={errorId} role="alert" className="flex items-start gap-1.5 text-[13px] text-red-600 dark:text-red-400" data-field-error>
              <AlertCircle className="mt-0.5 size-3.5 shrink-0" aria-hidden />
              <span>{error}</span>
            </p>
          ) : hint ? (
            <p id={hintId} className="text-[13px] text-zinc-500 dark:text-zinc-400">
              {hint}
            </p>
          ) : (
            <span />
          )}
          {counter && (
            <p
              aria-hidden
              className={cn(
                'shrink-0 text-xs tabular-nums',
                counter.length > counter.max ? 'font-medium text-red-600 dark:text-red-400' : 'text-zinc-400 dark:text-zinc-500',
              )}
            >
              {counter.length.toLocaleString('en-US')} / {counter.max.toLocaleString('en-US')}
            </p>
          )}
        </div>
      )}
    </div>
  );
}

export function Alert({ tone = 'error', title, children }: { tone?: 'error' | 'info' | 'success'; title?: string; children?: ReactNode }) {
  const Icon = tone === 'error' ? AlertCircle : tone === 'success' ? CheckCircle2 : Info;
  return (
    <div
      role={tone === 'error' ? 'alert' : 'status'}
      className={cn(
        'flex gap-3 rounded-lg px-3.5 py-3 text-sm ring-1 ring-inset',
        tone === 'error' && 'bg-red-50 text-red-800 ring-red-200 dark:bg-red-950/40 dark:text-red-200 dark:ring-red-900/60',
        tone === 'info' && 'bg-zinc-50 text-zinc-700 ring-zinc-200 dark:bg-zinc-900 dark:text-zinc-300 dark:ring-zinc-800',
        tone === 'success' && 'bg-brand-50 text-brand-800 ring-brand-200 dark:bg-brand-900/30 dark:text-brand-200 dark:ring-brand-800/60',
      )}
    >
      <Icon className="mt-0.5 size-4 shrink-0" aria-hidden />
      <div className="space-y-0.5">
        {title && <p className="font-medium">{title}</p>}
        {children && <div className={cn(title && 'opacity-90')}>{children}</div>}
      </div>
    </div>
  );
}

export function Card({ children, className }: { children: ReactNode; className?: string }) {
  return (
    <section className={cn('rounded-xl bg-white ring-1 ring-zinc-200 dark:bg-zinc-900/60 dark:ring-zinc-800', className)}>{children}</section>
  );
}

export function CardHeader({ title, description, aside }: { title: string; description?: ReactNode; aside?: ReactNode }) {
  return (
    <div className="flex items-start justify-between gap-4 border-b border-zinc-200 px-6 py-4 dark:border-zinc-800">
      <div>
        <h2 className="text-[15px] font-semibold text-zinc-900 dark:text-zinc-100">{title}</h2>
        {description && <p className="mt-0.5 text-sm text-zinc-500 dark:text-zinc-400">{description}</p>}
      </div>
      {aside}
    </div>
  );
}

export function Spinner({ label }: { label: string }) {
  return (
    <div role="status" className="flex items-center gap-2 text-sm text-zinc-500 dark:text-zinc-400">
      <Loader2 className="size-4 animate-spin" aria-hidden />
      <span>{label}</span>
    </div>
  );
}

/** A plain, unframed button: an icon followed by its label (the caller gives the look). */
export function IconLabelButton({
  icon: Icon,
  iconClassName,
  children,
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { icon: LucideIcon; iconClassName: string }) {
  return (
    <button type="button" {...rest}>
      <Icon className={iconClassName} aria-hidden />
      {children}
    </button>
  );
}

/** An icon in a round badge beside a heading (the caller gives the badge's size and colours). */
export function CircledIcon({ icon: Icon, className, iconClassName }: { icon: LucideIcon; className: string; iconClassName: string }) {
  return (
    <div className={className}>
      <Icon className={iconClassName} aria-hidden />
    </div>
  );
}

export function Kbd({ children }: { children: ReactNode }) {
  return (
    <kbd className="inline-flex h-5 min-w-5 items-center justify-center rounded border border-zinc-200 bg-zinc-50 px-1 font-sans text-[11px] font-medium text-zinc-500 dark:border-zinc-700 dark:bg-zinc-800 dark:text-zinc-400">
      {children}
    </kbd>
  );
}

/** A small On/Off badge for a setting (the words can be others, e.g. Running/Off). */
/** An on/off switch with its label: a checkbox announced as a switch. */
export function Switch({ checked, disabled, onChange, children }: { checked: boolean; disabled?: boolean; onChange: (checked: boolean) => void; children: ReactNode }) {
  return (
    <label className="flex items-center gap-3 text-sm font-medium">
      <input
        type="checkbox"
        role="switch"
        aria-checked={checked}
        checked={checked}
        disabled={disabled}
        onChange={(event) => onChange(event.target.checked)}
        className="size-4 accent-brand-600"
      />
      {children}
    </label>
  );
}

export function StatusPill({ on, onLabel = 'On', offLabel = 'Off' }: { on: boolean; onLabel?: string; offLabel?: string }) {
  return (
    <span
      className={cn(
        'inline-flex shrink-0 items-center gap-1.5 rounded-full px-2.5 py-0.5 text-xs font-medium',
        on ? 'bg-brand-50 text-brand-800 ring-1 ring-brand-200 dark:bg-brand-900/30 dark:text-brand-200 dark:ring-brand-800/60' : 'bg-zinc-100 text-zinc-600 ring-1 ring-zinc-200 dark:bg-zinc-800 dark:text-zinc-400 dark:ring-zinc-700',
      )}
    >
      <span className={cn('size-1.5 rounded-full', on ? 'bg-brand-500' : 'bg-zinc-400')} aria-hidden />
      {on ? onLabel : offLabel}
    </span>
  );
}

/** A table's header row: one `th` per label (an empty label for a column of actions), all in one style. */
export function HeaderRow({ labels, cellClassName }: { labels: string[]; cellClassName: string }) {
  return (
    <tr>
      {labels.map((label, i) => (
        <th key={i} className={cellClassName}>
          {label}
        </th>
      ))}
    </tr>
  );
}
