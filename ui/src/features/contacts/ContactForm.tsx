// Create or edit a contact: number (any common format; the business's country is assumed without a
// country code), name, e-mail, notes, tags and custom fields. The server checks everything; its
// per-field messages are shown under the fields.

import { Plus, Trash2 } from 'lucide-react';
import { useEffect, useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import type { Contact } from '../../api/types';
import { Alert, Button, Field, Input, Textarea } from '../../components/ui';
import { toast } from '../../store/toast';
import { createContact, updateContact } from './api';
import { FormFooter, Modal } from './Modal';
import { useContacts } from './store';
import { TagChip } from './TagChip';

interface Draft {
  phoneNumber: string;
  name: string;
  email: string;
  notes: string;
  tagIds: number[];
  fields: Array<{ key: string; value: string }>;
}

function draftOf(contact: Contact | null): Draft {
  return {
    phoneNumber: contact?.phoneNumber ?? '',
    name: contact?.name ?? '',
    email: contact?.email ?? '',
    notes: contact?.notes ?? '',
    tagIds: contact?.tags.map((t) => t.id) ?? [],
    fields: Object.entries(contact?.fields ?? {}).map(([key, value]) => ({ key, value })),
  };
}

export function ContactForm({ open, contact, onClose }: { open: boolean; contact: Contact | null; onClose: () => void }) {
  const tags = useContacts((s) => s.tags);
  const upsert = useContacts((s) => s.upsert);
  const openContact = useContacts((s) => s.open);
  const [draft, setDraft] = useState<Draft>(() => draftOf(contact));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (open) {
      setDraft(draftOf(contact));
      setErrors({});
      setProblem(null);
    }
  }, [open, contact]);

  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setProblem(null);
    const fields = Object.fromEntries(draft.fields.filter((f) => f.key.trim() !== '').map((f) => [f.key.trim(), f.value]));
    const body = { phoneNumber: draft.phoneNumber, name: draft.name, email: draft.email, notes: draft.notes, fields, tags: draft.tagIds };
    try {
      const saved = contact ? await updateContact(contact.id, body) : await createContact(body);
      upsert(saved);
      openContact(saved.id);
      toast(contact ? `${saved.displayName} saved` : `${saved.displayName} added`);
      onClose();
    } catch (error) {
      if (error instanceof ApiError && error.details.length > 0) {
        setErrors(Object.fromEntries(error.details.map((d) => [d.field, d.message])));
        if (error.code === 'conflict') setErrors({ phoneNumber: error.message });
      } else {
        setProblem(error instanceof ApiError ? error.message : String(error));
      }
    } finally {
      setBusy(false);
    }
  };

  const fieldError = (key: string) => errors[`fields.${key}`];
  return (
    <Modal
      open={open}
      title={contact ? `Edit ${contact.displayName}` : 'New contact'}
      description={contact ? undefined : 'Numbers without a country code are read in your business’s country.'}
      onClose={onClose}
      busy={busy}
      footer={<FormFooter form="contact-form" submitLabel={contact ? 'Save' : 'Add contact'} busy={busy} onCancel={onClose} />}
    >
      <form id="contact-form" onSubmit={submit} className="space-y-4" noValidate>
        {problem && <Alert>{problem}</Alert>}
        <Field label="Phone number" error={errors.phoneNumber}>
          {(p) => (
            <Input {...p} value={draft.phoneNumber} onChange={(e) => set({ phoneNumber: e.target.value })} placeholder="(415) 555-0132 or +55 11 91234-5678" autoFocus inputMode="tel" />
          )}
        </Field>
        <Field label="Name" optional error={errors.name}>
          {(p) => <Input {...p} value={draft.name} onChange={(e) => set({ name: e.target.value })} />}
        </Field>
        <Field label="E-mail" optional error={errors.email}>
          {(p) => <Input {...p} type="email" value={draft.email} onChange={(e) => set({ email: e.target.value })} />}
        </Field>
        <Field label="Notes" optional error={errors.notes} counter={{ length: draft.notes.length, max: 5000 }}>
          {(p) => <Textarea {...p} value={draft.notes} onChange={(e) => set({ notes: e.target.value })} />}
        </Field>
        {tags.length > 0 && (
          <fieldset className="space-y-1.5">
            <legend className="text-[13px] font-medium text-zinc-700 dark:text-zinc-300">Tags</legend>
            <div className="flex flex-wrap gap-1.5">
              {tags.map((tag) => {
                const on = draft.tagIds.includes(tag.id);
                return (
                  <button
                    key={tag.id}
                    type="button"
                    aria-pressed={on}
                    onClick={() => set({ tagIds: on ? draft.tagIds.filter((id) => id !== tag.id) : [...draft.tagIds, tag.id] })}
                    className={on ? '' : 'opacity-40 grayscale hover:opacity-70'}
                  >
                    <TagChip tag={tag} />
                  </button>
                );
              })}
            </div>
            {errors.tags && <p className="text-[13px] text-red-600">{errors.tags}</p>}
          </fieldset>
        )}
        <fieldset className="space-y-2">
          <legend className="text-[13px] font-medium text-zinc-700 dark:text-zinc-300">Custom fields</legend>
          {draft.fields.map((field, i) => (
            <div key={i} className="space-y-1">
              <div className="flex gap-2">
                <Input
                  aria-label="Field name"
                  placeholder="city"
                  value={field.key}
                  onChange={(e) => set({ fields: draft.fields.map((f, j) => (j === i ? { ...f, key: e.target.value } : f)) })}
                  className="w-40"
                />
                <Input
                  aria-label={`Value of ${field.key || 'field'}`}
                  value={field.value}
                  invalid={Boolean(fieldError(field.key))}
                  onChange={(e) => set({ fields: draft.fields.map((f, j) => (j === i ? { ...f, value: e.target.value } : f)) })}
                />
                <Button variant="ghost" size="sm" aria-label="Remove field" onClick={() => set({ fields: draft.fields.filter((_, j) => j !== i) })}>
                  <Trash2 className="size-4" aria-hidden />
                </Button>
              </div>
              {fieldError(field.key) && <p className="text-[13px] text-red-600">{fieldError(field.key)}</p>}
            </div>
          ))}
          {errors.fields && <p className="text-[13px] text-red-600">{errors.fields}</p>}
          <Button variant="secondary" size="sm" icon={<Plus className="size-4" aria-hidden />} onClick={() => set({ fields: [...draft.fields, { key: '', value: '' }] })}>
            Add field
          </Button>
        </fieldset>
      </form>
    </Modal>
  );
}
