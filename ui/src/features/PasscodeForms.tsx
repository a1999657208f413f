// Forms for the app-lock passcode: set (first time), change (needs the current one) and remove (needs the
// current one). Used by onboarding's optional step and Settings → App lock. Wrong-passcode and rate-limit
// answers from the server are shown where they belong.

import { useState, type ReactNode } from 'react';
import { useForm, type DefaultValues, type FieldValues, type Path, type Resolver } from 'react-hook-form';
import { zodResolver } from '@hookform/resolvers/zod';
import { z } from 'zod';
import { ApiError, removePasscode, setPasscode } from '../api/client';
import type { LockState } from '../api/types';
import { Alert, Button, Field, Input } from '../components/ui';

export const PASSCODE_MIN = 4;
const PASSCODE_MAX = 128;

const newPasscode = z
  .string()
  .min(PASSCODE_MIN, `Use at least ${PASSCODE_MIN} characters`)
  .max(PASSCODE_MAX, `Use at most ${PASSCODE_MAX} characters`);

const setSchema = z
  .object({ currentPasscode: z.string(), newPasscode, confirmPasscode: z.string() })
  .refine((v) => v.newPasscode === v.confirmPasscode, { path: ['confirmPasscode'], message: 'The two passcodes do not match' });
const changeSchema = z
  .object({ currentPasscode: z.string().min(1, 'Enter your current passcode'), newPasscode, confirmPasscode: z.string() })
  .refine((v) => v.newPasscode === v.confirmPasscode, { path: ['confirmPasscode'], message: 'The two passcodes do not match' });
type SetValues = z.infer<typeof setSchema>;

const removeSchema = z.object({ currentPasscode: z.string().min(1, 'Enter your current passcode') });
type RemoveValues = z.infer<typeof removeSchema>;

/** Places a server error under its field; returns the text for the form-level alert, if any is left. */
export function placeServerError<T extends Record<string, unknown>>(
  error: unknown,
  fields: string[],
  setError: (field: Path<T>, error: { type: string; message: string }, options?: { shouldFocus: boolean }) => void,
): string | null {
  if (!(error instanceof ApiError)) return String(error);
  if (error.code === 'wrong_passcode' && fields.includes('currentPasscode')) {
    setError('currentPasscode' as Path<T>, { type: 'server', message: error.message || 'That is not the current passcode' }, { shouldFocus: true });
    return null;
  }
  if (error.code === 'too_many_attempts') {
    return error.retryAfter ? `${error.message} Try again in ${formatWait(error.retryAfter)}.` : error.message;
  }
  let placed = false;
  const rest: string[] = [];
  for (const detail of error.details) {
    if (fields.includes(detail.field)) {
      setError(detail.field as Path<T>, { type: 'server', message: detail.message }, { shouldFocus: !placed });
      placed = true;
    } else if (detail.field !== 'retry_after' && detail.field !== 'retryAfter') {
      rest.push(detail.message);
    }
  }
  if (placed && rest.length === 0) return null;
  return [error.message, ...rest].join(' — ');
}

export function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} second${seconds === 1 ? '' : 's'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} minute${minutes === 1 ? '' : 's'}`;
}

/**
 * A passcode form's state: validation by `resolver`, then `send` to the server; on success the form is
 * cleared and `onDone` gets the new lock state, on failure the server's error is placed under `fields`
 * or returned as `formError` for the form-level alert.
 */
function usePasscodeForm<T extends FieldValues>({
  resolver,
  defaultValues,
  fields,
  send,
  onDone,
}: {
  resolver: Resolver<T>;
  defaultValues: DefaultValues<T>;
  fields: Array<Path<T>>;
  send: (values: T) => Promise<LockState>;
  onDone: (state: LockState) => void;
}) {
  const {
    register,
    handleSubmit,
    setError,
    reset,
    formState: { errors, isSubmitting },
  } = useForm<T>({ resolver, defaultValues });
  const [formError, setFormError] = useState<string | null>(null);

  const submit = handleSubmit(async (values) => {
    setFormError(null);
    try {
      const state = await send(values);
      reset();
      onDone(state);
    } catch (error) {
      setFormError(placeServerError<T>(error, fields, setError));
    }
  });

  return { register, errors, isSubmitting, formError, submit };
}

export function SetPasscodeForm({
  requireCurrent,
  submitLabel,
  onDone,
  secondary,
  autoFocus,
}: {
  requireCurrent: boolean;
  submitLabel: string;
  onDone: (state: LockState) => void;
  secondary?: ReactNode;
  autoFocus?: boolean;
}) {
  const { register, errors, isSubmitting, formError, submit } = usePasscodeForm<SetValues>({
    resolver: zodResolver(requireCurrent ? changeSchema : setSchema),
    defaultValues: { currentPasscode: '', newPasscode: '', confirmPasscode: '' },
    fields: ['currentPasscode', 'newPasscode', 'confirmPasscode'],
    send: (values) =>
      setPasscode({
        currentPasscode: requireCurrent ? values.currentPasscode : undefined,
        newPasscode: values.newPasscode,
      }),
    onDone,
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label={requireCurrent ? 'Change passcode' : 'Set passcode'}>
      {formError && <Alert>{formError}</Alert>}
      {requireCurrent && (
        <Field label="Current passcode" error={errors.currentPasscode?.message}>
          {(p) => <Input {...p} {...register('currentPasscode')} type="password" autoComplete="current-password" autoFocus={autoFocus} />}
        </Field>
      )}
      <Field label={requireCurrent ? 'New passcode' : 'Passcode'} error={errors.newPasscode?.message} hint={`At least ${PASSCODE_MIN} characters.`}>
        {(p) => <Input {...p} {...register('newPasscode')} type="password" autoComplete="new-password" autoFocus={autoFocus && !requireCurrent} />}
      </Field>
      <Field label={requireCurrent ? 'Repeat new passcode' : 'Repeat passcode'} error={errors.confirmPasscode?.message}>
        {(p) => <Input {...p} {...register('confirmPasscode')} type="password" autoComplete="new-password" />}
      </Field>
      <div className="flex items-center justify-end gap-3 pt-1">
        {secondary}
        <Button type="submit" busy={isSubmitting}>
          {submitLabel}
        </Button>
      </div>
    </form>
  );
}

export function RemovePasscodeForm({ onDone }: { onDone: (state: LockState) => void }) {
  const { register, errors, isSubmitting, formError, submit } = usePasscodeForm<RemoveValues>({
    resolver: zodResolver(removeSchema),
    defaultValues: { currentPasscode: '' },
    fields: ['currentPasscode'],
    send: (values) => removePasscode(values.currentPasscode),
    onDone,
  });

  return (
    <form onSubmit={submit} noValidate className="space-y-4" aria-label="Remove passcode">
      {formError && <Alert>{formError}</Alert>}
      <Field label="Current passcode" error={errors.currentPasscode?.message}>
        {(p) => <Input {...p} {...register('currentPasscode')} type="password" autoComplete="current-password" />}
      </Field>
      <div className="flex justify-end">
        <Button type="submit" variant="danger" busy={isSubmitting}>
          Remove passcode
        </Button>
      </div>
    </form>
  );
}
