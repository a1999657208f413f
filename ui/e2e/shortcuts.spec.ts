// Keyboard shortcuts end to end: Ctrl+1…5 change screens, Ctrl+K focuses the screen's search (or the
// inbox's), Ctrl+N opens "New message" and sends from it, and Esc closes every kind of dialog: the shared
// form modal, the confirmation dialog, the new message dialog and the emoji picker. Settings → About
// lists them.

import type { Page } from '@playwright/test';
import { expect, test, type RunningServer } from './server';

/** Ctrl on Linux and Windows, ⌘ on a Mac, as the app reads it. */
const MOD = process.platform === 'darwin' ? 'Meta' : 'Control';

/** A business that finished onboarding, with one contact (so the contacts screen shows its search). */
async function onboarded(server: RunningServer) {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Corner Bakery', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const contact = await server.api('POST', '/api/v1/contacts', { phoneNumber: '+14155550199', name: 'Dana' });
  expect(contact.status, JSON.stringify(contact.body)).toBe(200);
}

const heading = (page: Page, name: string) => page.getByRole('heading', { name, exact: true, level: 1 });

test('Ctrl+1…5 go to the screens and Ctrl+K focuses the search', async ({ page, server }) => {
  await onboarded(server);
  await page.goto(server.url);
  await expect(heading(page, 'Inbox')).toBeVisible();

  await page.keyboard.press(`${MOD}+2`);
  await expect(page).toHaveURL(/#\/contacts$/);
  await page.keyboard.press(`${MOD}+k`);
  await expect(page.getByRole('searchbox', { name: 'Search contacts' })).toBeFocused();

  await page.keyboard.press(`${MOD}+5`);
  await expect(page).toHaveURL(/#\/settings$/);
  // Settings has no search of its own: Ctrl+K goes to the inbox's.
  await page.keyboard.press(`${MOD}+k`);
  await expect(page).toHaveURL(/#\/inbox$/);
  await expect(page.getByRole('searchbox', { name: 'Search chats and messages' })).toBeFocused();

  await page.keyboard.press(`${MOD}+3`);
  await expect(page).toHaveURL(/#\/campaigns$/);
  await page.keyboard.press(`${MOD}+4`);
  await expect(page).toHaveURL(/#\/analytics$/);
  await page.keyboard.press(`${MOD}+1`);
  await expect(page).toHaveURL(/#\/inbox$/);

  await page.goto(`${server.url}#/settings/about`);
  const shortcuts = page.getByRole('definition').filter({ hasText: 'K' });
  await expect(page.getByText('Search', { exact: true })).toBeVisible();
  await expect(shortcuts.first()).toBeVisible();
  for (const label of ['New message', 'Close a dialog', 'Go to Inbox', 'Go to Settings']) {
    await expect(page.getByText(label, { exact: true })).toBeVisible();
  }
});

test('Ctrl+N writes a new message; Esc closes it and every other dialog', async ({ page, server }) => {
  await onboarded(server);
  const draft = await server.api('POST', '/api/v1/campaigns', { name: 'Spring sale', messageContent: 'Hi!', targetType: 'all' });
  expect(draft.status, JSON.stringify(draft.body)).toBe(200);
  await page.goto(server.url);
  await expect(heading(page, 'Inbox')).toBeVisible();

  // New message: Ctrl+N from any screen, Esc closes it.
  await page.keyboard.press(`${MOD}+2`);
  await page.keyboard.press(`${MOD}+n`);
  const newMessage = page.getByRole('dialog', { name: 'New message' });
  await expect(newMessage).toBeVisible();
  await expect(newMessage.getByLabel('Phone number')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(newMessage).toBeHidden();

  // A bad number is refused under its field; a good one sends and opens the chat in the inbox.
  await page.keyboard.press(`${MOD}+n`);
  await newMessage.getByLabel('Phone number').fill('12');
  await newMessage.getByLabel('Message').fill('Your order is ready');
  await newMessage.getByRole('button', { name: 'Send' }).click();
  await expect(newMessage.getByLabel('Phone number')).toHaveAttribute('aria-invalid', 'true');
  await newMessage.getByLabel('Phone number').fill('(415) 555-0132');
  await newMessage.getByRole('button', { name: 'Send' }).click();
  await expect(newMessage).toBeHidden();
  await expect(page).toHaveURL(/#\/inbox$/);
  await expect(page.getByTestId('thread-title')).toHaveText('(415) 555-0132');
  await expect(page.getByText('Your order is ready').last()).toBeVisible();

  // The emoji picker closes on Esc even when focus is on one of its emoji.
  await page.getByRole('button', { name: 'Emoji' }).click();
  const picker = page.getByRole('dialog', { name: 'Pick an emoji' });
  await picker.getByRole('button').first().focus();
  await page.keyboard.press('Escape');
  await expect(picker).toBeHidden();

  // The shared form modal (a new contact).
  await page.keyboard.press(`${MOD}+2`);
  await page.getByRole('button', { name: 'New contact' }).click();
  const contactForm = page.getByRole('dialog');
  await expect(contactForm).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(contactForm).toBeHidden();

  // The confirmation dialog (deleting a campaign): Esc cancels, nothing is deleted.
  await page.keyboard.press(`${MOD}+3`);
  await page.getByRole('button', { name: 'Delete Spring sale' }).click();
  const confirm = page.getByRole('dialog', { name: 'Delete “Spring sale”?' });
  await expect(confirm).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(confirm).toBeHidden();
  expect((await server.api('GET', `/api/v1/campaigns/${draft.body.data.id}`)).status).toBe(200);
});
