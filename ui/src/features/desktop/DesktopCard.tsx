// Settings → Desktop: start WhatsFlow at login (hidden in the tray). Only the desktop app has the switch;
// a browser served by whatsflow-server is told so.

import { useEffect, useState } from 'react';
import type { DesktopStatus } from '../../api/types';
import { Alert, Card, CardHeader, Spinner, StatusPill, Switch } from '../../components/ui';
import { toast } from '../../store/toast';
import { getDesktop, saveDesktop } from './api';

const messageOf = (e: unknown) => (e instanceof Error ? e.message : String(e));

export function DesktopCard() {
  const [status, setStatus] = useState<DesktopStatus | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    getDesktop().then(setStatus, (e: unknown) => setError(messageOf(e)));
  }, []);

  const apply = async (startAtLogin: boolean) => {
    setBusy(true);
    setError(null);
    try {
      setStatus(await saveDesktop({ startAtLogin }));
      toast(startAtLogin ? 'WhatsFlow starts in the tray when you log in' : 'WhatsFlow no longer starts when you log in');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  };

  if (!status) return error ? <Alert title="Could not read the desktop settings">{error}</Alert> : <Spinner label="Loading…" />;

  return (
    <Card>
      <CardHeader
        title="Start at login"
        description={
          status.switchable
            ? 'Start WhatsFlow in the tray when you log in to this computer, so messages arrive and campaigns send without opening it.'
            : 'This WhatsFlow runs as whatsflow-server, started by whoever runs it: starting at login is a setting of the desktop app.'
        }
        aside={status.switchable && <StatusPill on={status.startAtLogin} />}
      />
      {status.switchable && (
        <div className="space-y-3 px-6 py-5">
          {error && <Alert>{error}</Alert>}
          <Switch checked={status.startAtLogin} disabled={busy} onChange={(on) => void apply(on)}>
            Start WhatsFlow when I log in (hidden in the tray)
          </Switch>
        </div>
      )}
    </Card>
  );
}
