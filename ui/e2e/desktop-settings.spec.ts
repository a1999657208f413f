// Settings → Desktop in a browser served by whatsflow-server: start at login belongs to the desktop app, so
// the page says so and offers no switch, and the API refuses the switch (409) and a restart. A restore
// staged here asks for a restart by hand (the desktop app restarts by itself: scripts/desktop-e2e.sh).

import { expect, test } from './server';

test('start at login and restart are the desktop app’s', async ({ page, server }) => {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Corner Bakery', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Desktop' }).click();
  await expect(page.getByRole('heading', { name: 'Start at login' })).toBeVisible();
  await expect(page.getByText('starting at login is a setting of the desktop app')).toBeVisible();
  await expect(page.getByRole('switch')).toHaveCount(0);

  const status = await server.api('GET', '/api/v1/settings/desktop');
  expect(status.body.data).toEqual({ startAtLogin: false, switchable: false });
  const refused = await server.api('PUT', '/api/v1/settings/desktop', { startAtLogin: true });
  expect(refused.status).toBe(409);
  expect((await server.api('GET', '/api/v1/settings/desktop')).body.data.startAtLogin, 'nothing saved').toBe(false);
  expect((await server.api('POST', '/api/v1/app/restart')).status).toBe(409);

  // A staged restore here waits for a restart by whoever runs the server.
  const backup = await server.api('POST', '/api/v1/backups');
  expect(backup.status, JSON.stringify(backup.body)).toBe(200);
  const restored = await server.api('POST', `/api/v1/backups/${encodeURIComponent(backup.body.data.name)}/restore`);
  expect(restored.body.data).toMatchObject({ restartRequired: true, restartAvailable: false });
  expect(restored.body.data.message).toContain('Restart WhatsFlow');
});
