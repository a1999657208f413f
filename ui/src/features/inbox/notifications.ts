// Desktop notifications for inbound messages while the window is not focused. The Web Notification API
// works both in a browser tab and in Tauri's webview. Clicking one focuses the window and opens the chat.

import type { Chat, Message } from '../../api/types';
import { navigate } from '../../lib/router';

export type NotificationPermissionState = NotificationPermission | 'unsupported';

export function notificationPermission(): NotificationPermissionState {
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
export function notifyInbound(chat: Chat, message: Message, open: (contactId: number) => void): void {
  if (notificationPermission() !== 'granted') return;
  if (typeof document !== 'undefined' && !document.hidden && document.hasFocus()) return;
  const body = chat.lastMessage?.id === message.id ? chat.lastMessage.preview : message.body || message.caption || 'New message';
  try {
    const notification = new Notification(chat.contact.displayName, {
      body,
      tag: `whatsflow-chat-${chat.contact.id}`,
    });
    notification.onclick = () => {
      window.focus();
      navigate('inbox');
      open(chat.contact.id);
      notification.close();
    };
  } catch {
    // Some webviews only allow notifications from a service worker; the unread badge still shows it.
  }
}
