// Settings → REST API, the server: in the desktop app the switch and the port (a busy port is shown on the
// port field), the base URL, the docs and a curl example. A browser is served by whatsflow-server, whose
// API is always on at its own address: there is no switch to show, only where scripts reach it.

import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import type { RestApiStatus } from '../../api/types';
import { Alert, Button, Card, CardHeader, Field, Input, Spinner, StatusPill, Switch } from '../../components/ui';
import { toast } from '../../store/toast';
import { getRestApi, saveRestApi } from './api';
import { Copyable, messageOf } from './Copyable';
import { curlExample, parsePort, scriptBaseUrl } from './logic';

export function RestApiCard({ lastKey }: { lastKey: string | null }) {
  const [status, setStatus] = useState<RestApiStatus | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [portText, setPortText] = useState('');
  const [portError, setPortError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    getRestApi().then(
      (s) => {
        setStatus(s);
        setPortText(String(s.port));
      },
      (e: unknown) => setLoadError(messageOf(e)),
    );
  }, []);

  const apply = async (enabled: boolean) => {
    const parsed = parsePort(portText);
    if ('error' in parsed) {
      setPortError(parsed.error);
      return;
    }
    setBusy(true);
    setPortError(null);
    try {
      const saved = await saveRestApi({ enabled, port: parsed.port });
      setStatus(saved);
      toast(enabled ? `REST API on at ${saved.baseUrl ?? `port ${parsed.port}`}` : 'REST API off');
    } catch (e) {
      const onPort = e instanceof ApiError ? e.details.find((d) => d.field === 'port') : undefined;
      setPortError(onPort?.message ?? messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (loadError) return <Alert title="Could not read the REST API setting">{loadError}</Alert>;
  if (!status) return <Spinner label="Loading…" />;

  const baseUrl = scriptBaseUrl(status, window.location.origin);
  const running = status.switchable ? status.listeningPort !== null : true;

  return (
    <Card>
      <CardHeader
        title="REST API"
        description={
          status.switchable
            ? 'Let your own scripts on this computer use WhatsFlow over HTTP, on 127.0.0.1 only. Scripts sign in with an API key.'
            : 'This WhatsFlow runs as whatsflow-server: its REST API is this server, always on while it runs (its port is set with --port). Scripts sign in with an API key.'
        }
        aside={status.switchable && <StatusPill on={running} onLabel="Running" />}
      />
      <div className="space-y-4 px-6 py-5">
        {status.switchable && (
          <div className="space-y-3">
            <Switch checked={status.enabled} disabled={busy} onChange={(on) => void apply(on)}>
              Serve the REST API on this computer
            </Switch>
            <div className="flex max-w-sm items-end gap-2">
              <Field label="Port" error={portError ?? undefined} className="flex-1">
                {(props) => <Input {...props} inputMode="numeric" value={portText} onChange={(event) => setPortText(event.target.value)} />}
              </Field>
              {status.enabled && Number(portText) !== status.listeningPort && (
                <Button variant="secondary" busy={busy} onClick={() => void apply(true)}>
                  Use this port
                </Button>
              )}
            </div>
            {status.enabled && status.error && !portError && <Alert title="The REST API is not running">{status.error}</Alert>}
          </div>
        )}
        {baseUrl ? (
          <dl className="space-y-3 text-sm">
            <div>
              <dt className="mb-1 text-zinc-500 dark:text-zinc-400">Base URL</dt>
              <dd>
                <Copyable label="Base URL" value={baseUrl} testId="rest-api-base-url" />
              </dd>
            </div>
            <div>
              <dt className="mb-1 text-zinc-500 dark:text-zinc-400">Documentation</dt>
              <dd>
                <a className="font-medium text-brand-700 underline dark:text-brand-400" href={`${baseUrl}/api/v1/docs`} target="_blank" rel="noreferrer">
                  {baseUrl}/api/v1/docs
                </a>{' '}
                <span className="text-zinc-500 dark:text-zinc-400">
                  (OpenAPI document:{' '}
                  <a className="underline" href={`${baseUrl}/api/v1/openapi.json`} target="_blank" rel="noreferrer">
                    openapi.json
                  </a>
                  )
                </span>
              </dd>
            </div>
            <div>
              <dt className="mb-1 text-zinc-500 dark:text-zinc-400">Try it</dt>
              <dd>
                <Copyable label="curl example" value={curlExample(baseUrl, lastKey)} testId="rest-api-curl" />
              </dd>
            </div>
          </dl>
        ) : (
          <p className="text-sm text-zinc-500 dark:text-zinc-400">Off: WhatsFlow listens on no port. Turn it on to get the address for your scripts.</p>
        )}
      </div>
    </Card>
  );
}
