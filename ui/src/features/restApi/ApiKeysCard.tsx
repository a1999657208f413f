// Settings → REST API, the keys scripts sign in with: create one with a name and scopes (its secret shown
// once, with a copy button), the list with prefix, scopes, created and last-used time, and revoke.

import { formatDistanceToNow } from 'date-fns';
import { KeyRound } from 'lucide-react';
import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import type { ApiKey, ApiScope, CreatedApiKey } from '../../api/types';
import { Alert, Button, Card, CardHeader, Field, Input, Spinner } from '../../components/ui';
import { ConfirmDialog } from '../../screens/connect/ConfirmDialog';
import { toast } from '../../store/toast';
import { createKey, listKeys, revokeKey } from './api';
import { Checkboxes } from './Checkboxes';
import { Copyable, messageOf } from './Copyable';
import { normalizeScopes, SCOPES } from './logic';

const ago = (at: string) => formatDistanceToNow(new Date(at), { addSuffix: true });

export function ApiKeysCard({ onCreated }: { onCreated: (key: string) => void }) {
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<ApiScope[]>(['read']);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<CreatedApiKey | null>(null);
  const [revoking, setRevoking] = useState<ApiKey | null>(null);
  const [revokeBusy, setRevokeBusy] = useState(false);

  const load = () =>
    listKeys().then(
      (k) => {
        setKeys(k);
        setError(null);
      },
      (e: unknown) => setError(messageOf(e)),
    );
  useEffect(() => {
    void load();
  }, []);

  const toggleScope = (scope: ApiScope, on: boolean) => setScopes((now) => (on ? [...now, scope] : now.filter((s) => s !== scope)));

  const create = async (event: React.FormEvent) => {
    event.preventDefault();
    const errors: Record<string, string> = {};
    if (!name.trim()) errors.name = 'Name the key after what uses it, e.g. “order sync”.';
    if (scopes.length === 0) errors.scopes = 'Choose at least one scope.';
    setFieldErrors(errors);
    if (Object.keys(errors).length > 0) return;
    setBusy(true);
    try {
      const made = await createKey(name.trim(), normalizeScopes(scopes));
      setCreated(made);
      onCreated(made.key);
      setName('');
      setScopes(['read']);
      await load();
    } catch (e) {
      if (e instanceof ApiError && e.details.length > 0) setFieldErrors(Object.fromEntries(e.details.map((d) => [d.field, d.message])));
      else setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  const revoke = async () => {
    if (!revoking) return;
    setRevokeBusy(true);
    try {
      await revokeKey(revoking.id);
      toast(`Key “${revoking.name}” revoked`);
      await load();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setRevoking(null);
      setRevokeBusy(false);
    }
  };

  const adminChosen = scopes.includes('admin');

  return (
    <Card>
      <CardHeader title="API keys" description="Each script gets its own key, limited to what it needs. A key is shown once; WhatsFlow keeps only a fingerprint of it." />
      <div className="space-y-5 px-6 py-5">
        {error && <Alert title="API keys">{error}</Alert>}
        {created && (
          <Alert tone="success" title={`Key “${created.name}” created`}>
            <p className="mb-2">Copy it now: it is not shown again.</p>
            <Copyable label="New API key" value={created.key} testId="new-api-key" />
          </Alert>
        )}
        <form onSubmit={(event) => void create(event)} className="space-y-3" aria-label="Create an API key">
          <Field label="Key name" error={fieldErrors.name}>
            {(props) => <Input {...props} value={name} maxLength={100} placeholder="order sync script" onChange={(event) => setName(event.target.value)} />}
          </Field>
          <Checkboxes
            legend="Scopes"
            options={SCOPES.map((scope) => ({ id: scope.id, label: scope.label, hint: `— ${scope.hint}` }))}
            isChecked={(id) => adminChosen || scopes.includes(id)}
            isDisabled={(id) => adminChosen && id !== 'admin'}
            onToggle={toggleScope}
            error={fieldErrors.scopes}
          />
          <Button type="submit" busy={busy} icon={<KeyRound className="size-4" aria-hidden />}>
            Create key
          </Button>
        </form>
        {keys === null && !error ? (
          <Spinner label="Loading keys…" />
        ) : keys && keys.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">No keys yet.</p>
        ) : (
          keys && (
            <ul aria-label="API keys" className="divide-y divide-zinc-100 border-t border-zinc-100 text-sm dark:divide-zinc-800 dark:border-zinc-800">
              {keys.map((key) => (
                <li key={key.id} className="flex items-center justify-between gap-4 py-2.5">
                  <div className="min-w-0">
                    <p className="font-medium text-zinc-900 dark:text-zinc-100">
                      {key.name} <code className="ml-1 font-mono text-xs text-zinc-500">{key.prefix}…</code>
                    </p>
                    <p className="text-xs text-zinc-500 dark:text-zinc-400">
                      {key.scopes.join(', ')} · created {ago(key.createdAt)} · {key.lastUsedAt ? `last used ${ago(key.lastUsedAt)}` : 'never used'}
                      {key.revokedAt && ` · revoked ${ago(key.revokedAt)}`}
                    </p>
                  </div>
                  {key.revokedAt ? (
                    <span className="text-xs font-medium text-zinc-500">Revoked</span>
                  ) : (
                    <Button variant="danger" size="sm" onClick={() => setRevoking(key)}>
                      Revoke
                    </Button>
                  )}
                </li>
              ))}
            </ul>
          )
        )}
      </div>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke this key?"
        confirmLabel="Revoke key"
        busy={revokeBusy}
        onConfirm={() => void revoke()}
        onCancel={() => setRevoking(null)}
      >
        Scripts using “{revoking?.name}” are refused from their next request on. This cannot be undone.
      </ConfirmDialog>
    </Card>
  );
}
