// "New message" (Ctrl/⌘+N, or the inbox's button): write to any number, saved contact or not. The message
// goes out like any other; the inbox then opens the chat it started.

import { useEffect, useRef, useState, type FormEvent } from 'react';
import { create } from 'zustand';
import { ApiError } from '../../api/client';
import { Field, Input, Textarea } from '../../components/ui';
import { navigateTo } from '../../lib/router';
import { FormFooter, Modal } from '../contacts/Modal';
import { getMessage, sendMessage } from './api';

/** Whether the dialog is open; any screen may open it. */
export const useNewMessage = create<{ open: boolean }>(() => ({ open: false }));
export const openNewMessage = () => useNewMessage.setState({ open: true });
const closeNewMessage = () => useNewMessage.setState({ open: false });

const FORM_ID = 'new-message-form';

export function NewMessageDialog() {
  const open = useNewMessage((s) => s.open);
  const [phoneNumber, setPhoneNumber] = useState('');
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);
  const phoneInput = useRef<HTMLInputElement>(null);

  // The number first. The modal's own effect (a child's, so it runs before this one) has opened the
  // <dialog> by now; an `autoFocus` would have fired while it was still closed.
  useEffect(() => {
    if (open) phoneInput.current?.focus();
  }, [open]);

  const close = () => {
    closeNewMessage();
    setError(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const receipt = await sendMessage({ phoneNumber, message });
      const sent = await getMessage(receipt.messageId);
      setPhoneNumber('');
      setMessage('');
      closeNewMessage();
      navigateTo('inbox', sent.contactId);
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (field: string) => (error instanceof ApiError ? error.fieldMessage(field) : undefined);
  const general = error && !fieldError('phoneNumber') && !fieldError('message') ? error.message : null;

  return (
    <Modal
      open={open}
      title="New message"
      description="Write to any WhatsApp number; the chat opens in the inbox."
      onClose={close}
      busy={busy}
      footer={<FormFooter form={FORM_ID} submitLabel="Send" busy={busy} onCancel={close} />}
    >
      <form id={FORM_ID} onSubmit={(e) => void submit(e)} className="space-y-4">
        <Field label="Phone number" hint="With the country code, or a number of your business's country." error={fieldError('phoneNumber')}>
          {(props) => (
            <Input {...props} ref={phoneInput} type="tel" autoComplete="off" value={phoneNumber} onChange={(e) => setPhoneNumber(e.target.value)} placeholder="+55 11 91234-5678" />
          )}
        </Field>
        <Field label="Message" error={fieldError('message')}>
          {(props) => <Textarea {...props} value={message} onChange={(e) => setMessage(e.target.value)} />}
        </Field>
        {general && (
          <p role="alert" className="text-[13px] text-red-600 dark:text-red-400">
            {general}
          </p>
        )}
      </form>
    </Modal>
  );
}
