// Settings → REST API, webhooks: add or edit one (URL, the events it gets, on/off), its signing secret with
// copy and rotate, "Send test event", and the delivery log with each attempt's status and "Redeliver". A
// webhook the app turned off after repeated failures says so, with the reason.

import { formatDistanceToNow } from 'date-fns';
import { Plus, RefreshCw, Send } from 'lucide-react';
import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import type { Webhook, WebhookDelivery, WebhookInput } from '../../api/types';
import { Alert, Button, Card, CardHeader, Field, HeaderRow, Input, Spinner, StatusPill } from '../../components/ui';
import { cn } from '../../lib/cn';
import { ConfirmDialog } from '../../screens/connect/ConfirmDialog';
import { toast } from '../../store/toast';
import { FormFooter, Modal } from '../contacts/Modal';
import { createWebhook, deleteWebhook, listDeliveries, listWebhooks, redeliver, redeliverFailed, sendTestEvent, updateWebhook } from './api';
import { Checkboxes } from './Checkboxes';
import { Copyable, messageOf } from './Copyable';
import { WEBHOOK_EVENTS } from './logic';

/** While a delivery is pending the log is read again this often, so its outcome shows up by itself. */
const PENDING_REFRESH_MS = 1000;

export function WebhooksCard() {
  const [hooks, setHooks] = useState<Webhook[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);

  const load = useCallback(
    () =>
      listWebhooks().then(
        (h) => {
          setHooks(h);
          setError(null);
        },
        (e: unknown) => setError(messageOf(e)),
      ),
    [],
  );
  useEffect(() => {
    void load();
  }, [load]);

  return (
    <Card>
      <CardHeader
        title="Webhooks"
        description="WhatsFlow posts events to your URL as they happen, signed per Standard Webhooks. Nothing is lost while your receiver is down: deliveries are retried for 24 hours."
        aside={
          <Button className="whitespace-nowrap" onClick={() => setEditing('new')} icon={<Plus className="size-4" aria-hidden />}>
            Add webhook
          </Button>
        }
      />
      <div className="space-y-4 px-6 py-5">
        {error && <Alert title="Webhooks">{error}</Alert>}
        {hooks === null && !error ? (
          <Spinner label="Loading webhooks…" />
        ) : hooks && hooks.length === 0 ? (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">No webhooks yet.</p>
        ) : (
          hooks?.map((hook) => <WebhookItem key={hook.id} hook={hook} onEdit={() => setEditing(hook)} onChanged={() => void load()} />)
        )}
      </div>
      {editing !== null && (
        <WebhookForm
          hook={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void load();
          }}
        />
      )}
    </Card>
  );
}

function WebhookForm({ hook, onClose, onSaved }: { hook: Webhook | null; onClose: () => void; onSaved: () => void }) {
  const [url, setUrl] = useState(hook?.url ?? '');
  const [events, setEvents] = useState<string[]>(hook?.events ?? ['message.received']);
  const [enabled, setEnabled] = useState(hook?.enabled ?? true);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  const save = async (event: React.FormEvent) => {
    event.preventDefault();
    const input: WebhookInput = { url: url.trim(), events, enabled };
    const local: Record<string, string> = {};
    if (!/^https?:\/\/\S+$/i.test(input.url)) local.url = 'Enter an http:// or https:// address.';
    if (events.length === 0) local.events = 'Choose at least one event.';
    setErrors(local);
    if (Object.keys(local).length > 0) return;
    setBusy(true);
    try {
      if (hook) await updateWebhook(hook.id, input);
      else await createWebhook(input);
      toast(hook ? 'Webhook saved' : 'Webhook added');
      onSaved();
    } catch (e) {
      if (e instanceof ApiError && e.details.length > 0) setErrors(Object.fromEntries(e.details.map((d) => [d.field, d.message])));
      else setErrors({ form: messageOf(e) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      title={hook ? 'Edit webhook' : 'Add webhook'}
      onClose={onClose}
      busy={busy}
      footer={<FormFooter form="webhook-form" submitLabel={hook ? 'Save webhook' : 'Add webhook'} busy={busy} onCancel={onClose} />}
    >
      <form id="webhook-form" onSubmit={(event) => void save(event)} className="space-y-4">
        {errors.form && <Alert>{errors.form}</Alert>}
        <Field label="Receiver URL" error={errors.url} hint="Your own machine or your network is fine, e.g. http://127.0.0.1:5000/hook">
          {(props) => <Input {...props} value={url} placeholder="https://example.com/whatsflow" onChange={(event) => setUrl(event.target.value)} />}
        </Field>
        <Checkboxes
          legend="Events"
          options={WEBHOOK_EVENTS.map((e) => ({ id: e.name, label: e.label, hint: <code className="text-xs">{e.name}</code> }))}
          isChecked={(name) => events.includes(name)}
          onToggle={(name, on) => setEvents((now) => (on ? [...now, name] : now.filter((n) => n !== name)))}
          error={errors.events}
        />
        <label className="flex items-center gap-2 text-sm font-medium">
          <input type="checkbox" className="size-4 accent-brand-600" checked={enabled} onChange={(event) => setEnabled(event.target.checked)} />
          Enabled
        </label>
      </form>
    </Modal>
  );
}

function WebhookItem({ hook, onEdit, onChanged }: { hook: Webhook; onEdit: () => void; onChanged: () => void }) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);
  const [logVersion, setLogVersion] = useState(0);

  const act = async (what: string, action: () => Promise<unknown>, done: string) => {
    setBusy(what);
    setError(null);
    try {
      await action();
      toast(done);
      onChanged();
      setLogVersion((n) => n + 1);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-label={`Webhook ${hook.url}`} className="space-y-3 rounded-xl p-4 ring-1 ring-zinc-200 dark:ring-zinc-800">
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <p className="font-mono text-sm font-medium break-all">{hook.url}</p>
          <p className="text-xs text-zinc-500 dark:text-zinc-400">{hook.events.join(', ')}</p>
        </div>
        <StatusPill on={hook.enabled} />
      </div>
      {!hook.enabled && hook.disabledReason && (
        <Alert title="WhatsFlow turned this webhook off">
          <p>{hook.disabledReason}</p>
          <Button
            className="mt-2"
            size="sm"
            variant="secondary"
            busy={busy === 'enable'}
            onClick={() => void act('enable', () => updateWebhook(hook.id, { enabled: true }), 'Webhook turned on again')}
          >
            Turn on again
          </Button>
        </Alert>
      )}
      {error && <Alert>{error}</Alert>}
      <div>
        <p className="mb-1 text-xs text-zinc-500 dark:text-zinc-400">
          Signing secret
          {hook.previousSecretUntil && ` (the previous one also signs until ${new Date(hook.previousSecretUntil).toLocaleString()})`}
        </p>
        <Copyable label="Signing secret" value={hook.secret} />
      </div>
      <div className="flex flex-wrap gap-2">
        <Button
          size="sm"
          icon={<Send className="size-4" aria-hidden />}
          busy={busy === 'test'}
          onClick={() => void act('test', () => sendTestEvent(hook.id), 'Test event queued')}
        >
          Send test event
        </Button>
        <Button size="sm" variant="secondary" onClick={onEdit}>
          Edit
        </Button>
        <Button
          size="sm"
          variant="secondary"
          busy={busy === 'rotate'}
          onClick={() => void act('rotate', () => updateWebhook(hook.id, { rotateSecret: true }), 'New secret made; the old one keeps signing for 24 hours')}
        >
          Rotate secret
        </Button>
        <Button size="sm" variant="danger" onClick={() => setDeleting(true)}>
          Delete
        </Button>
      </div>
      <DeliveryLog hookId={hook.id} version={logVersion} />
      <ConfirmDialog
        open={deleting}
        title="Delete this webhook?"
        confirmLabel="Delete webhook"
        busy={busy === 'delete'}
        onConfirm={() => void act('delete', () => deleteWebhook(hook.id), 'Webhook deleted').then(() => setDeleting(false))}
        onCancel={() => setDeleting(false)}
      >
        {hook.url} gets no more events, and its delivery log is deleted.
      </ConfirmDialog>
    </section>
  );
}

const STATE_LOOK: Record<WebhookDelivery['state'], string> = {
  delivered: 'text-brand-700 dark:text-brand-400',
  pending: 'text-amber-700 dark:text-amber-400',
  failed: 'text-red-700 dark:text-red-400',
};

function DeliveryLog({ hookId, version }: { hookId: number; version: number }) {
  const [deliveries, setDeliveries] = useState<WebhookDelivery[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [refresh, setRefresh] = useState(0);

  useEffect(() => {
    let live = true;
    listDeliveries(hookId).then(
      (page) => {
        if (!live) return;
        setDeliveries(page.data);
        setError(null);
      },
      (e: unknown) => live && setError(messageOf(e)),
    );
    return () => {
      live = false;
    };
  }, [hookId, version, refresh]);

  // A pending delivery's outcome shows up without a click.
  const pending = deliveries?.some((d) => d.state === 'pending') ?? false;
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => setRefresh((n) => n + 1), PENDING_REFRESH_MS);
    return () => clearTimeout(timer);
  }, [pending, deliveries]);

  const again = async (action: () => Promise<unknown>) => {
    try {
      await action();
      setRefresh((n) => n + 1);
    } catch (e) {
      setError(messageOf(e));
    }
  };

  const failed = deliveries?.some((d) => d.state === 'failed') ?? false;
  return (
    <div className="border-t border-zinc-100 pt-3 dark:border-zinc-800">
      <div className="mb-2 flex items-center justify-between gap-2">
        <h4 className="text-[13px] font-medium text-zinc-700 dark:text-zinc-300">Delivery log</h4>
        <div className="flex gap-2">
          {failed && (
            <Button size="sm" variant="secondary" onClick={() => void again(() => redeliverFailed(hookId))}>
              Redeliver all failed
            </Button>
          )}
          <Button size="sm" variant="ghost" aria-label="Refresh the delivery log" icon={<RefreshCw className="size-4" aria-hidden />} onClick={() => setRefresh((n) => n + 1)} />
        </div>
      </div>
      {error && <Alert>{error}</Alert>}
      {deliveries === null && !error ? (
        <Spinner label="Loading deliveries…" />
      ) : deliveries && deliveries.length === 0 ? (
        <p className="text-sm text-zinc-500 dark:text-zinc-400">Nothing delivered yet. “Send test event” tries your receiver now.</p>
      ) : (
        <table aria-label="Delivery log" className="w-full text-left text-xs">
          <thead className="text-zinc-500 dark:text-zinc-400">
            <HeaderRow labels={['Event', 'State', 'Response', 'Attempts', 'When', '']} cellClassName="py-1 font-medium" />
          </thead>
          <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
            {deliveries?.map((d) => (
              <tr key={d.id}>
                <td className="py-1.5 font-mono">{d.eventType}</td>
                <td className={cn('py-1.5 font-medium', STATE_LOOK[d.state])}>{d.state}</td>
                <td className="py-1.5" title={d.responseExcerpt ?? undefined}>
                  {d.responseStatus !== null ? `HTTP ${d.responseStatus}` : (d.error ?? '—')}
                  {d.durationMs !== null && <span className="text-zinc-500"> · {d.durationMs} ms</span>}
                </td>
                <td className="py-1.5 tabular-nums">{d.attempts}</td>
                <td className="py-1.5 text-zinc-500">{formatDistanceToNow(new Date(d.lastAttemptAt ?? d.createdAt), { addSuffix: true })}</td>
                <td className="py-1.5 text-right">
                  {d.state !== 'pending' && (
                    <Button size="sm" variant="ghost" onClick={() => void again(() => redeliver(hookId, d.id))}>
                      Redeliver
                    </Button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
