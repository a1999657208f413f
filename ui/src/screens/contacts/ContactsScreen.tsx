// The Contacts screen: filter bar, bulk actions, the virtualised table and the open contact; the tag
// manager, the import wizard, export and the create / edit form. Live: it listens to the engine's events
// while open, so edits made elsewhere (another window, the API, a new chat) show up without a reload.

import { Contact as ContactIcon, Download, Plus, Tags, Upload } from 'lucide-react';
import { useEffect, useState } from 'react';
import { api, ApiError } from '../../api/client';
import type { Contact } from '../../api/types';
import { EmptyState, Page } from '../../components/Page';
import { Alert, Button, Spinner } from '../../components/ui';
import { toast } from '../../store/toast';
import { exportContacts } from '../../features/contacts/api';
import { saveBlob } from '../../lib/download';
import { BulkBar } from '../../features/contacts/BulkBar';
import { ContactDetail } from '../../features/contacts/ContactDetail';
import { ContactForm } from '../../features/contacts/ContactForm';
import { ContactTable } from '../../features/contacts/ContactTable';
import { Filters } from '../../features/contacts/Filters';
import { ImportWizard } from '../../features/contacts/ImportWizard';
import { plural } from '../../features/contacts/logic';
import { useContacts } from '../../features/contacts/store';
import { TagManager } from '../../features/contacts/TagManager';

function isFiltered(filter: ReturnType<typeof useContacts.getState>['filter']): boolean {
  return Boolean(filter.q?.trim() || (filter.tags && filter.tags.length > 0) || filter.optedOut !== undefined || filter.source);
}

function ExportButtons() {
  const filter = useContacts((s) => s.filter);
  const total = useContacts((s) => s.total);
  const [busy, setBusy] = useState<'csv' | 'json' | null>(null);
  const filtered = isFiltered(filter);
  const run = async (format: 'csv' | 'json') => {
    setBusy(format);
    try {
      const file = await exportContacts(filtered ? filter : {}, format);
      const day = new Date().toISOString().slice(0, 10);
      // Saved byte for byte, so the CSV keeps the server's BOM that tells spreadsheets it is UTF-8.
      saveBlob(file, `whatsflow-contacts-${day}.${format}`);
      toast(`Exported ${filtered && total !== null ? plural(total, 'filtered contact') : 'all contacts'}`);
    } catch (error) {
      toast(error instanceof ApiError ? error.message : String(error), 'info');
    } finally {
      setBusy(null);
    }
  };
  const scope = filtered ? 'filtered' : 'all';
  return (
    <>
      <Button variant="secondary" size="sm" busy={busy === 'csv'} icon={<Download className="size-4" aria-hidden />} onClick={() => void run('csv')} title={`Export ${scope} contacts as CSV`}>
        CSV
      </Button>
      <Button variant="secondary" size="sm" busy={busy === 'json'} icon={<Download className="size-4" aria-hidden />} onClick={() => void run('json')} title={`Export ${scope} contacts as JSON`}>
        JSON
      </Button>
    </>
  );
}

export function ContactsScreen() {
  const reload = useContacts((s) => s.reload);
  const loadTags = useContacts((s) => s.loadTags);
  const applyEvent = useContacts((s) => s.applyEvent);
  const openId = useContacts((s) => s.openId);
  const total = useContacts((s) => s.total);
  const filter = useContacts((s) => s.filter);
  const error = useContacts((s) => s.error);
  const [form, setForm] = useState<{ open: boolean; contact: Contact | null }>({ open: false, contact: null });
  const [tagsOpen, setTagsOpen] = useState(false);
  const [importOpen, setImportOpen] = useState(false);

  useEffect(() => {
    void reload();
    void loadTags();
    return api.subscribe((event) => applyEvent(event));
  }, [reload, loadTags, applyEvent]);

  const empty = total === 0 && !isFiltered(filter);
  return (
    <Page
      title="Contacts"
      actions={
        <div className="flex items-center gap-2">
          <ExportButtons />
          <Button variant="secondary" size="sm" icon={<Tags className="size-4" aria-hidden />} onClick={() => setTagsOpen(true)}>
            Tags
          </Button>
          <Button variant="secondary" size="sm" icon={<Upload className="size-4" aria-hidden />} onClick={() => setImportOpen(true)}>
            Import
          </Button>
          <Button size="sm" icon={<Plus className="size-4" aria-hidden />} onClick={() => setForm({ open: true, contact: null })}>
            New contact
          </Button>
        </div>
      }
    >
      <div className="flex h-full min-h-0">
        <div className="flex min-w-0 flex-1 flex-col">
          {empty ? (
            <EmptyState
              icon={ContactIcon}
              title="No contacts yet"
              action={
                <div className="flex gap-2">
                  <Button variant="secondary" icon={<Upload className="size-4" aria-hidden />} onClick={() => setImportOpen(true)}>
                    Import a file
                  </Button>
                  <Button icon={<Plus className="size-4" aria-hidden />} onClick={() => setForm({ open: true, contact: null })}>
                    Add a contact
                  </Button>
                </div>
              }
            >
              People who message you are added here automatically. You can also add them by hand or import a spreadsheet (CSV),
              your phone’s address book (vCard) or a WhatsFlow export (JSON).
            </EmptyState>
          ) : (
            <>
              <Filters />
              <BulkBar />
              {error && (
                <div className="px-4 pt-3">
                  <Alert>{error}</Alert>
                </div>
              )}
              {total === null && !error ? (
                <div className="p-6">
                  <Spinner label="Loading contacts…" />
                </div>
              ) : (
                <ContactTable />
              )}
            </>
          )}
        </div>
        {openId !== null && <ContactDetail key={openId} id={openId} onEdit={(contact) => setForm({ open: true, contact })} />}
      </div>
      <ContactForm open={form.open} contact={form.contact} onClose={() => setForm({ open: false, contact: null })} />
      <TagManager open={tagsOpen} onClose={() => setTagsOpen(false)} />
      <ImportWizard open={importOpen} onClose={() => setImportOpen(false)} />
    </Page>
  );
}
