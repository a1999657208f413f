// Settings → Notifications: which desktop notifications WhatsFlow shows. The desktop app shows them
// natively; in a browser tab only customers' messages notify, through the browser's own notifications.

import { useEffect, useState } from 'react';
import { getNotificationSettings, saveNotificationSettings, transportKind } from '../../api/client';
import type { NotificationSettings } from '../../api/types';
import { Alert, Card, CardHeader, Spinner } from '../../components/ui';
import { setMessageNotifications } from '../inbox/notifications';
import { Checkboxes } from '../restApi/Checkboxes';

type Kind = keyof NotificationSettings;

const KINDS: Array<{ id: Kind; label: string; hint: string }> = [
  { id: 'messages', label: 'Customer messages', hint: 'one per chat, with the number of new messages' },
  { id: 'whatsapp', label: 'WhatsApp needs a new QR code', hint: 'it was logged out on this computer' },
  { id: 'campaigns', label: 'Campaigns', hint: 'finished, stopped, or paused by a ban sign' },
  { id: 'webhooks', label: 'Webhooks', hint: 'disabled because deliveries kept failing' },
];

export function NotificationsCard() {
  const [settings, setSettings] = useState<NotificationSettings | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    getNotificationSettings().then(setSettings, (e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);

  const toggle = async (kind: Kind, on: boolean) => {
    if (!settings) return;
    const previous = settings;
    const next = { ...settings, [kind]: on };
    setSettings(next);
    setError(null);
    try {
      const saved = await saveNotificationSettings(next);
      setSettings(saved);
      setMessageNotifications(saved.messages);
    } catch (e) {
      setSettings(previous);
      setError(e instanceof Error ? e.message : String(e));
    }
  };

  return (
    <Card>
      <CardHeader
        title="Notifications"
        description={
          transportKind === 'tauri'
            ? 'Shown while the WhatsFlow window is closed, hidden or in the background. A click opens the chat or screen it is about. With the app lock on, they never show message text.'
            : 'The desktop app shows these while its window is in the background. In this browser tab, customer messages notify once you allow notifications (the inbox asks).'
        }
      />
      <div className="space-y-3 px-6 py-5">
        {error && <Alert title="Could not save">{error}</Alert>}
        {settings ? (
          <Checkboxes legend="Notify me about" options={KINDS} isChecked={(kind) => settings[kind]} onToggle={(kind, on) => void toggle(kind, on)} />
        ) : (
          !error && <Spinner label="Loading…" />
        )}
      </div>
    </Card>
  );
}
