// Browser notifications for inbound messages while the tab is not focused, with the rules of the desktop's
// native ones (the engine's `notifications` policy): none when Settings → Notifications turns messages off,
// no message text while the app lock is set. The desktop app shows its own native notifications (even with
// the window closed), so this stays silent there. Clicking one focuses the tab and opens the chat.

import { getNotificationSettings, transportKind } from '../../api/client';
import type { Chat, Message } from '../../api/types';
import { navigateTo } from '../../lib/router';
import { useAppStore } from '../../store/app';

/** Whether messages notify, as saved in Settings; read once, then kept up to date by that card. */
let messagesOn: Promise<boolean> | null = null;

export function setMessageNotifications(on: boolean): void {
  messagesOn = Promise.resolve(on);
}

function messageNotifications(): Promise<boolean> {
  messagesOn ??= getNotificationSettings().then(
    (s) => s.messages,
    () => true,
  );
  return messagesOn;
}

export type NotificationPermissionState = NotificationPermission | 'unsupported';

export function notificationPermission(): NotificationPermissionState {
  // The desktop app notifies natively and needs no permission: nothing to ask for there.
  if (transportKind === 'tauri') return 'unsupported';
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks for permission (call it from a click: browsers ignore requests made without a gesture). */
export async function requestNotifications(): Promise<NotificationPermissionState> {
  if (typeof Notification === 'undefined') return 'unsupported';
  try {
    return await Notification.requestPermission();
  } catch {
    return Notification.permission;
  }
}

/** Shows one notification per chat (a newer message replaces the older one of the same chat). */
export async function notifyInbound(chat: Chat, message: Message): Promise<void> {
  if (notificationPermission() !== 'granted') return;
  if (typeof document !== 'undefined' && !document.hidden && document.hasFocus()) return;
  if (!(await messageNotifications())) return;
  const lockSet = useAppStore.getState().app?.lock.enabled ?? false;
  const preview = chat.lastMessage?.id === message.id ? chat.lastMessage.preview : message.body || message.caption || 'New message';
  const unread = chat.unreadCount > 1 ? `${chat.unreadCount} new messages` : '1 new message';
  try {
    const notification = new Notification(chat.contact.displayName, {
      body: lockSet ? unread : preview,
      tag: `whatsflow-chat-${chat.contact.id}`,
    });
    notification.onclick = () => {
      window.focus();
      navigateTo('inbox', chat.contact.id);
      notification.close();
    };
  } catch {
    // Some webviews only allow notifications from a service worker; the unread badge still shows it.
  }
}
