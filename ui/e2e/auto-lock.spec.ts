// Auto-lock in the browser UI: with a passcode set, the app locks itself after the saved idle minutes
// without input, and input in the meantime pushes that back. The page's clock is Playwright's fake one,
// moved forward by hand, so nothing waits for real minutes.

import { expect, test } from './server';

test('the app locks after the idle minutes, counted from the last input', async ({ page, server }) => {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Corner Bakery', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await server.api('PUT', '/api/v1/lock', { newPasscode: '2468' })).status).toBe(200);
  const autoLock = await server.api('PUT', '/api/v1/settings/auto-lock', { enabled: true, minutes: 2 });
  expect(autoLock.status, JSON.stringify(autoLock.body)).toBe(200);

  await page.clock.install();
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Inbox', exact: true })).toBeVisible();

  // A minute and a half idle, then the mouse moves: the two minutes start again from there.
  await page.clock.fastForward('01:30');
  await page.mouse.move(200, 200);
  await page.mouse.move(220, 240);
  await page.clock.fastForward('01:30');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  expect((await server.api('GET', '/api/v1/lock')).body.data.locked).toBe(false);

  await page.clock.fastForward('00:40');
  await expect(page.getByRole('heading', { name: 'WhatsFlow is locked' })).toBeVisible();
  expect((await server.api('GET', '/api/v1/lock')).body.data).toEqual({ enabled: true, locked: true });
});

test('auto-lock can be switched off in Settings → App lock', async ({ page, server }) => {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Corner Bakery', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await server.api('PUT', '/api/v1/lock', { newPasscode: '2468' })).status).toBe(200);

  await page.clock.install();
  await page.goto(`${server.url}#/settings/lock`);
  const minutes = page.getByLabel('Minutes idle');
  await expect(minutes).toHaveValue('15');
  await minutes.fill('0');
  await page.getByRole('button', { name: 'Save' }).click();
  await expect(minutes).toHaveAccessibleDescription(/between 1 and 720/);
  await minutes.fill('15');
  // The switch shows what the server saved, so it turns off once the save is answered, not on the click.
  const autoLock = page.getByRole('switch', { name: 'Lock after a while without input' });
  await autoLock.click();
  await expect(autoLock).not.toBeChecked();
  await expect.poll(async () => (await server.api('GET', '/api/v1/settings/auto-lock')).body.data).toEqual({ enabled: false, minutes: 15 });

  await page.clock.fastForward('20:00');
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  expect((await server.api('GET', '/api/v1/lock')).body.data.locked).toBe(false);
});
