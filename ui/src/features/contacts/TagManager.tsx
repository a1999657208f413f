// The tag manager: create, rename, recolour and delete tags. Names are unique whatever their case; the
// server says so when one is taken.

import { Plus, Trash2 } from 'lucide-react';
import { useState, type FormEvent } from 'react';
import { ApiError } from '../../api/client';
import type { TagSummary } from '../../api/types';
import { Alert, Button, Input } from '../../components/ui';
import { toast } from '../../store/toast';
import { ConfirmDialog } from '../../screens/connect/ConfirmDialog';
import { createTag, deleteTag, updateTag } from './api';
import { plural } from './logic';
import { Modal } from './Modal';
import { useContacts } from './store';

function TagRow({ tag, onError }: { tag: TagSummary; onError: (message: string | null) => void }) {
  const loadTags = useContacts((s) => s.loadTags);
  const [name, setName] = useState(tag.name);
  const [confirming, setConfirming] = useState(false);
  const [busy, setBusy] = useState(false);

  const save = async (patch: { name?: string; color?: string }) => {
    onError(null);
    try {
      await updateTag(tag.id, patch);
      await loadTags();
    } catch (error) {
      onError(error instanceof ApiError ? error.message : String(error));
      setName(tag.name);
    }
  };

  return (
    <li className="flex items-center gap-2 py-1.5" data-testid="tag-row">
      <input
        type="color"
        value={tag.color}
        aria-label={`Colour of ${tag.name}`}
        onChange={(e) => void save({ color: e.target.value })}
        className="size-8 shrink-0 cursor-pointer rounded border-0 bg-transparent p-0"
      />
      <Input
        aria-label={`Name of ${tag.name}`}
        value={name}
        onChange={(e) => setName(e.target.value)}
        onBlur={() => name.trim() !== tag.name && void save({ name })}
        onKeyDown={(e) => {
          if (e.key === 'Enter') (e.target as HTMLInputElement).blur();
        }}
      />
      <span className="w-24 shrink-0 text-right text-xs text-zinc-500 tabular-nums">{plural(tag.contactCount, 'contact')}</span>
      <Button variant="ghost" size="sm" aria-label={`Delete tag ${tag.name}`} onClick={() => setConfirming(true)}>
        <Trash2 className="size-4" aria-hidden />
      </Button>
      <ConfirmDialog
        open={confirming}
        title={`Delete the tag “${tag.name}”?`}
        confirmLabel="Delete tag"
        busy={busy}
        onCancel={() => setConfirming(false)}
        onConfirm={async () => {
          setBusy(true);
          try {
            await deleteTag(tag.id);
            await loadTags();
            toast(`Tag ${tag.name} deleted`);
          } catch (error) {
            onError(error instanceof ApiError ? error.message : String(error));
          } finally {
            setBusy(false);
            setConfirming(false);
          }
        }}
      >
        {tag.contactCount > 0 ? `${plural(tag.contactCount, 'contact')} lose this tag. The contacts themselves stay.` : 'No contact has it.'}
      </ConfirmDialog>
    </li>
  );
}

export function TagManager({ open, onClose }: { open: boolean; onClose: () => void }) {
  const tags = useContacts((s) => s.tags);
  const loadTags = useContacts((s) => s.loadTags);
  const [name, setName] = useState('');
  const [color, setColor] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const tag = await createTag(name, color || undefined);
      await loadTags();
      setName('');
      setColor('');
      toast(`Tag ${tag.name} created`);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal open={open} title="Tags" description="Group contacts to filter them and to pick campaign audiences." onClose={onClose}>
      <div className="space-y-4">
        {problem && <Alert>{problem}</Alert>}
        <form onSubmit={create} className="flex items-center gap-2">
          <input
            type="color"
            value={color || '#2563eb'}
            onChange={(e) => setColor(e.target.value)}
            aria-label="Colour of the new tag"
            className="size-8 shrink-0 cursor-pointer rounded border-0 bg-transparent p-0"
          />
          <Input aria-label="New tag name" placeholder="New tag, e.g. Regulars" value={name} onChange={(e) => setName(e.target.value)} />
          <Button type="submit" busy={busy} disabled={name.trim() === ''} icon={<Plus className="size-4" aria-hidden />}>
            Create
          </Button>
        </form>
        {tags.length === 0 ? (
          <p className="text-sm text-zinc-500">No tags yet.</p>
        ) : (
          <ul className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {tags.map((tag) => (
              <TagRow key={`${tag.id}-${tag.name}-${tag.color}`} tag={tag} onError={setProblem} />
            ))}
          </ul>
        )}
      </div>
    </Modal>
  );
}
