// Settings → App lock: after how many idle minutes the app locks by itself (shown while a passcode is set).

import { useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { Alert, Button, Card, CardHeader, Field, Input, Spinner, StatusPill, Switch } from '../../components/ui';
import { toast } from '../../store/toast';
import { useAutoLockSetting } from './autoLock';

export function AutoLockCard() {
  const setting = useAutoLockSetting((s) => s.setting);
  const { load, save } = useAutoLockSetting.getState();
  const [minutesText, setMinutesText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | Error | null>(null);

  useEffect(() => {
    void load();
  }, [load]);
  useEffect(() => {
    if (setting) setMinutesText(String(setting.minutes));
  }, [setting]);

  const apply = async (enabled: boolean) => {
    setBusy(true);
    setError(null);
    try {
      await save({ enabled, minutes: Number(minutesText) });
      toast(enabled ? `WhatsFlow locks after ${minutesText} idle minutes` : 'Auto-lock is off');
    } catch (e) {
      setError(e instanceof Error ? e : new Error(String(e)));
    } finally {
      setBusy(false);
    }
  };

  const minutesError = error instanceof ApiError ? error.fieldMessage('minutes') : undefined;
  return (
    <Card>
      <CardHeader
        title="Lock when idle"
        description="Lock WhatsFlow by itself when nobody has typed, clicked or moved the mouse in it for a while."
        aside={setting && <StatusPill on={setting.enabled} />}
      />
      <div className="max-w-md space-y-3 px-6 py-5">
        {error && !minutesError && <Alert>{error.message}</Alert>}
        {setting ? (
          <>
            <Switch checked={setting.enabled} disabled={busy} onChange={(on) => void apply(on)}>
              Lock after a while without input
            </Switch>
            <div className="flex items-end gap-2">
              <Field label="Minutes idle" error={minutesError} className="flex-1">
                {(props) => <Input {...props} inputMode="numeric" value={minutesText} onChange={(event) => setMinutesText(event.target.value)} />}
              </Field>
              {Number(minutesText) !== setting.minutes && (
                <Button variant="secondary" busy={busy} onClick={() => void apply(setting.enabled)}>
                  Save
                </Button>
              )}
            </div>
          </>
        ) : (
          <Spinner label="Loading…" />
        )}
      </div>
    </Card>
  );
}
