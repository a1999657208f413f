// Settings → Notifications: every kind is on at first, and a kind switched off is saved for the desktop's
// notifications (and this tab's) to follow.

import { expect, test } from './server';

test('each kind of notification can be switched off in Settings', async ({ page, server }) => {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Corner Bakery', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Notifications' }).click();

  const kinds = ['Customer messages', 'WhatsApp needs a new QR code', 'Campaigns', 'Webhooks'];
  for (const kind of kinds) await expect(page.getByRole('checkbox', { name: kind })).toBeChecked();
  await page.getByRole('checkbox', { name: 'Webhooks' }).uncheck();
  await page.getByRole('checkbox', { name: 'Campaigns' }).uncheck();
  await expect
    .poll(async () => (await server.api('GET', '/api/v1/settings/notifications')).body.data)
    .toEqual({ messages: true, whatsapp: true, campaigns: false, webhooks: false });

  await page.reload();
  await expect(page.getByRole('checkbox', { name: 'Campaigns' })).not.toBeChecked();
  await expect(page.getByRole('checkbox', { name: 'Customer messages' })).toBeChecked();
});
