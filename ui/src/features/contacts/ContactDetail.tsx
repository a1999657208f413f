// The open contact, beside the table: number (national format for the business's country), WhatsApp
// id, tags to add and remove, notes, custom fields, conversation stats, the opt-out switch, a link to the
// conversation, and edit / delete.

import { BellOff, MessageSquare, Pencil, Trash2, X } from 'lucide-react';
import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import type { Contact } from '../../api/types';
import { Alert, Button, Select, Spinner, Textarea } from '../../components/ui';
import { navigate } from '../../lib/router';
import { toast } from '../../store/toast';
import { ConfirmDialog } from '../../screens/connect/ConfirmDialog';
import { useInbox } from '../inbox/store';
import { deleteContact, getContact, tagContact, untagContact, updateContact } from './api';
import { longDate, plural } from './logic';
import { useContacts } from './store';
import { TagChip } from './TagChip';

function Item({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div className="grid grid-cols-[7rem_1fr] gap-2 py-1.5 text-sm">
      <dt className="text-zinc-500 dark:text-zinc-400">{label}</dt>
      <dd className="min-w-0 break-words text-zinc-900 dark:text-zinc-100">{children}</dd>
    </div>
  );
}

const SOURCES: Record<string, string> = { manual: 'Added by hand', conversation: 'From a conversation', import: 'Imported', api: 'Added through the API' };

export function ContactDetail({ id, onEdit }: { id: number; onEdit: (contact: Contact) => void }) {
  const row = useContacts((s) => s.rows.find((r) => r.id === id) ?? null);
  const tags = useContacts((s) => s.tags);
  const upsert = useContacts((s) => s.upsert);
  const remove = useContacts((s) => s.remove);
  const close = useContacts((s) => s.open);
  const [contact, setContact] = useState<Contact | null>(row);
  const [notes, setNotes] = useState(row?.notes ?? '');
  const [problem, setProblem] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  // The row in the table is the freshest copy (events patch it); fetch only what is not loaded.
  useEffect(() => {
    if (row) {
      setContact(row);
      return;
    }
    let live = true;
    getContact(id)
      .then((c) => live && setContact(c))
      .catch((e) => live && setProblem(e instanceof ApiError ? e.message : String(e)));
    return () => {
      live = false;
    };
  }, [id, row]);

  useEffect(() => setNotes(contact?.notes ?? ''), [contact?.id, contact?.notes]);

  if (!contact) {
    return <aside className="w-96 shrink-0 border-l border-zinc-200 p-6 dark:border-zinc-800">{problem ? <Alert>{problem}</Alert> : <Spinner label="Loading contact…" />}</aside>;
  }

  const run = async (action: () => Promise<Contact>, done?: string) => {
    setProblem(null);
    try {
      const saved = await action();
      setContact(saved);
      upsert(saved);
      if (done) toast(done);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
    }
  };

  const name = contact.displayName;
  const untagged = tags.filter((t) => !contact.tags.some((c) => c.id === t.id));
  const messages = contact.messagesIn + contact.messagesOut;

  return (
    <aside aria-label={`Contact ${name}`} className="flex w-96 shrink-0 flex-col border-l border-zinc-200 dark:border-zinc-800" data-testid="contact-detail">
      <div className="flex items-start justify-between gap-3 border-b border-zinc-200 px-5 py-4 dark:border-zinc-800">
        <div className="min-w-0">
          <h2 className="truncate text-base font-semibold">{name}</h2>
          {contact.pushName && contact.pushName !== name && <p className="truncate text-sm text-zinc-500">~ {contact.pushName}</p>}
        </div>
        <button type="button" onClick={() => close(null)} aria-label="Close contact" className="rounded-md p-1 text-zinc-500 hover:bg-zinc-100 dark:hover:bg-zinc-800">
          <X className="size-4" aria-hidden />
        </button>
      </div>
      <div className="min-h-0 flex-1 space-y-5 overflow-y-auto px-5 py-4">
        {problem && <Alert>{problem}</Alert>}
        <div className="flex flex-wrap gap-2">
          <Button size="sm" variant="secondary" icon={<MessageSquare className="size-4" aria-hidden />} onClick={() => {
            void useInbox.getState().openChat(contact.id);
            navigate('inbox');
          }}>
            Open conversation
          </Button>
          <Button size="sm" variant="secondary" icon={<Pencil className="size-4" aria-hidden />} onClick={() => onEdit(contact)}>
            Edit
          </Button>
          <Button size="sm" variant="danger" icon={<Trash2 className="size-4" aria-hidden />} onClick={() => setConfirming(true)}>
            Delete
          </Button>
        </div>

        <dl>
          <Item label="Phone">
            <span className="tabular-nums" data-testid="detail-phone">{contact.phoneDisplay ?? '—'}</span>
            {contact.phoneNumber && contact.phoneNumber !== contact.phoneDisplay && <span className="ml-2 text-xs text-zinc-500">{contact.phoneNumber}</span>}
          </Item>
          <Item label="WhatsApp id">{contact.waId ?? <span className="text-zinc-500">Not yet in a chat</span>}</Item>
          <Item label="E-mail">{contact.email || '—'}</Item>
          <Item label="Source">{SOURCES[contact.source] ?? contact.source}</Item>
          <Item label="Added">{longDate(contact.createdAt)}</Item>
        </dl>

        <section className="space-y-2">
          <h3 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">Tags</h3>
          <div className="flex flex-wrap gap-1.5">
            {contact.tags.length === 0 && <span className="text-sm text-zinc-500">No tags</span>}
            {contact.tags.map((tag) => (
              <TagChip key={tag.id} tag={tag} onRemove={() => void run(() => untagContact(contact.id, tag.id))} />
            ))}
          </div>
          {untagged.length > 0 && (
            <Select
              aria-label="Add a tag"
              value=""
              onChange={(e) => {
                const tagId = Number(e.target.value);
                if (tagId) void run(() => tagContact(contact.id, tagId));
              }}
            >
              <option value="">Add a tag…</option>
              {untagged.map((tag) => (
                <option key={tag.id} value={tag.id}>
                  {tag.name}
                </option>
              ))}
            </Select>
          )}
        </section>

        <section className="space-y-2">
          <h3 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">Notes</h3>
          <Textarea aria-label="Notes" value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="Anything worth remembering" />
          {notes !== contact.notes && (
            <div className="flex gap-2">
              <Button size="sm" onClick={() => void run(() => updateContact(contact.id, { notes }), 'Notes saved')}>
                Save notes
              </Button>
              <Button size="sm" variant="ghost" onClick={() => setNotes(contact.notes)}>
                Discard
              </Button>
            </div>
          )}
        </section>

        <section className="space-y-1">
          <h3 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">Custom fields</h3>
          {Object.keys(contact.fields).length === 0 ? (
            <p className="text-sm text-zinc-500">None. Use Edit to add some (e.g. city, birthday); campaigns can use them as {'{{field}}'}.</p>
          ) : (
            <dl>
              {Object.entries(contact.fields).map(([key, value]) => (
                <Item key={key} label={key}>
                  {value}
                </Item>
              ))}
            </dl>
          )}
        </section>

        <section className="space-y-1">
          <h3 className="text-xs font-semibold tracking-wide text-zinc-500 uppercase">Conversation</h3>
          <dl>
            <Item label="Messages">{messages === 0 ? 'None yet' : `${plural(contact.messagesIn, 'received', 'received')}, ${plural(contact.messagesOut, 'sent', 'sent')}`}</Item>
            <Item label="Unread">{contact.unreadCount}</Item>
            <Item label="First message">{longDate(contact.firstMessageAt)}</Item>
            <Item label="Last message">{longDate(contact.lastMessageAt)}</Item>
          </dl>
        </section>

        <section className="space-y-2 rounded-lg bg-zinc-50 p-3 ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800">
          <div className="flex items-center gap-2 text-sm font-medium">
            <BellOff className="size-4 text-zinc-500" aria-hidden />
            {contact.optedOut ? `Opted out ${longDate(contact.optedOutAt)}` : 'Receives campaigns'}
          </div>
          <p className="text-xs text-zinc-500">Opted-out contacts are skipped by every campaign. Chats still work.</p>
          <Button size="sm" variant="secondary" onClick={() => void run(() => updateContact(contact.id, { optedOut: !contact.optedOut }), contact.optedOut ? 'Opted back in' : 'Opted out')}>
            {contact.optedOut ? 'Opt back in' : 'Opt out'}
          </Button>
        </section>
      </div>
      <ConfirmDialog
        open={confirming}
        title={`Delete ${name}?`}
        confirmLabel="Delete contact"
        busy={busy}
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          setBusy(true);
          try {
            await deleteContact(contact.id);
            remove(contact.id);
            toast(`${name} deleted`);
            setConfirming(false);
          } catch (error) {
            setProblem(error instanceof ApiError ? error.message : String(error));
            setConfirming(false);
          } finally {
            setBusy(false);
          }
        }}
      >
        {messages > 0
          ? `Their ${plural(messages, 'message')} and any photos or files in them are erased too. This cannot be undone.`
          : 'This cannot be undone.'}
      </ConfirmDialog>
    </aside>
  );
}
