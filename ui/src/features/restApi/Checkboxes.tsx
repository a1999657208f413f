// A labelled group of checkboxes with one error line: a key's scopes, the events a webhook gets.

import type { ReactNode } from 'react';

export function Checkboxes<Id extends string>({
  legend,
  options,
  isChecked,
  isDisabled = () => false,
  onToggle,
  error,
}: {
  legend: string;
  options: Array<{ id: Id; label: string; hint?: ReactNode }>;
  isChecked: (id: Id) => boolean;
  isDisabled?: (id: Id) => boolean;
  onToggle: (id: Id, on: boolean) => void;
  error?: string;
}) {
  return (
    <fieldset className="space-y-1.5">
      <legend className="text-[13px] font-medium text-zinc-700 dark:text-zinc-300">{legend}</legend>
      {options.map((option) => (
        <label key={option.id} className="flex items-center gap-2 text-sm">
          <input
            type="checkbox"
            className="size-4 accent-brand-600"
            checked={isChecked(option.id)}
            disabled={isDisabled(option.id)}
            onChange={(event) => onToggle(option.id, event.target.checked)}
          />
          <span className="font-medium">{option.label}</span>
          {option.hint && <span className="text-zinc-500 dark:text-zinc-400">{option.hint}</span>}
        </label>
      ))}
      {error && (
        <p role="alert" className="text-[13px] text-red-600 dark:text-red-400">
          {error}
        </p>
      )}
    </fieldset>
  );
}
