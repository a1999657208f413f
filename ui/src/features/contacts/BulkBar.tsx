// What to do with the selected contacts: tag, untag, opt out, opt in, delete (with confirmation). The
// selection can grow to every contact matching the filter, not only the rows loaded so far.

import { BellOff, Bell, Trash2, X } from 'lucide-react';
import { useState } from 'react';
import { ApiError } from '../../api/client';
import type { BulkAction } from '../../api/types';
import { Alert, Button, Select } from '../../components/ui';
import { toast } from '../../store/toast';
import { ConfirmDialog } from '../../screens/connect/ConfirmDialog';
import { plural } from './logic';
import { useContacts } from './store';

const TAG_ACTIONS = [
  { action: 'tag', label: 'Add a tag to the selected contacts', placeholder: 'Add tag…' },
  { action: 'untag', label: 'Remove a tag from the selected contacts', placeholder: 'Remove tag…' },
] as const;

export function BulkBar() {
  const selected = useContacts((s) => s.selected);
  const allMatching = useContacts((s) => s.allMatching);
  const total = useContacts((s) => s.total);
  const loaded = useContacts((s) => s.rows.length);
  const tags = useContacts((s) => s.tags);
  const bulk = useContacts((s) => s.bulk);
  const selectAllMatching = useContacts((s) => s.selectAllMatching);
  const clearSelection = useContacts((s) => s.clearSelection);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);

  if (selected.size === 0) return null;
  const count = allMatching && total !== null ? total : selected.size;

  const act = async (action: BulkAction, tagId?: number) => {
    setBusy(true);
    setProblem(null);
    try {
      const outcome = await bulk({ action, tagId });
      const what: Record<BulkAction, string> = { tag: 'tagged', untag: 'untagged', opt_out: 'opted out', opt_in: 'opted back in', delete: 'deleted' };
      toast(`${plural(outcome.changed, 'contact')} ${what[action]}`);
    } catch (error) {
      setProblem(error instanceof ApiError ? error.message : String(error));
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  };

  return (
    <div className="space-y-2 border-b border-zinc-200 bg-brand-50/60 px-4 py-2 dark:border-zinc-800 dark:bg-brand-900/10" role="region" aria-label="Bulk actions">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium" data-testid="selection-count">
          {plural(count, 'contact')} selected
        </span>
        {!allMatching && total !== null && total > selected.size && selected.size >= loaded && (
          <button type="button" className="text-brand-700 underline dark:text-brand-300" onClick={selectAllMatching}>
            Select all {total.toLocaleString('en-US')} matching
          </button>
        )}
        <div className="ml-auto flex flex-wrap items-center gap-2">
          {tags.length > 0 && (
            <>
              {TAG_ACTIONS.map(({ action, label, placeholder }) => (
                <Select
                  key={action}
                  aria-label={label}
                  value=""
                  disabled={busy}
                  onChange={(e) => e.target.value && void act(action, Number(e.target.value))}
                  className="w-40"
                >
                  <option value="">{placeholder}</option>
                  {tags.map((t) => (
                    <option key={t.id} value={t.id}>
                      {t.name}
                    </option>
                  ))}
                </Select>
              ))}
            </>
          )}
          <Button size="sm" variant="secondary" disabled={busy} icon={<BellOff className="size-4" aria-hidden />} onClick={() => void act('opt_out')}>
            Opt out
          </Button>
          <Button size="sm" variant="secondary" disabled={busy} icon={<Bell className="size-4" aria-hidden />} onClick={() => void act('opt_in')}>
            Opt in
          </Button>
          <Button size="sm" variant="danger" disabled={busy} icon={<Trash2 className="size-4" aria-hidden />} onClick={() => setConfirming(true)}>
            Delete
          </Button>
          <Button size="sm" variant="ghost" aria-label="Clear selection" onClick={clearSelection}>
            <X className="size-4" aria-hidden />
          </Button>
        </div>
      </div>
      {problem && <Alert>{problem}</Alert>}
      <ConfirmDialog
        open={confirming}
        title={`Delete ${plural(count, 'contact')}?`}
        confirmLabel={`Delete ${plural(count, 'contact')}`}
        busy={busy}
        onCancel={() => setConfirming(false)}
        onConfirm={() => void act('delete')}
      >
        Their messages and the photos and files in them are erased too. This cannot be undone.
      </ConfirmDialog>
    </div>
  );
}
