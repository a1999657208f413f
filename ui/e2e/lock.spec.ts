// App lock end to end: set a passcode in Settings, lock from the navigation, a wrong passcode is refused,
// the right one opens the app again.

import { expect, test } from './server';

test('app lock: set passcode, lock now, wrong then right passcode', async ({ page, server }) => {
  // Arrange a business that finished onboarding, through the same API the UI uses.
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Corner Bakery', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);

  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Inbox', exact: true })).toBeVisible();
  // No passcode yet, so nothing to lock with.
  await expect(page.getByRole('button', { name: 'Lock now' })).toHaveCount(0);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'App lock' }).click();

  // Too short and mismatched passcodes are refused under their fields.
  await page.getByLabel('Passcode', { exact: true }).fill('123');
  await page.getByLabel('Repeat passcode').fill('123');
  await page.getByRole('button', { name: 'Set passcode' }).click();
  await expect(page.getByLabel('Passcode', { exact: true })).toHaveAccessibleDescription(/at least 4 characters/);
  await page.getByLabel('Passcode', { exact: true }).fill('2468');
  await page.getByLabel('Repeat passcode').fill('2469');
  await page.getByRole('button', { name: 'Set passcode' }).click();
  await expect(page.getByLabel('Repeat passcode')).toHaveAccessibleDescription('The two passcodes do not match');

  await page.getByLabel('Repeat passcode').fill('2468');
  await page.getByRole('button', { name: 'Set passcode' }).click();
  await expect(page.getByRole('heading', { name: 'Change passcode' })).toBeVisible();
  expect((await server.api('GET', '/api/v1/lock')).body.data).toEqual({ enabled: true, locked: false });

  await page.getByRole('button', { name: 'Lock now' }).click();
  await expect(page.getByRole('heading', { name: 'WhatsFlow is locked' })).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' })).toHaveCount(0);
  expect((await server.api('GET', '/api/v1/profile')).body.error.code, 'the server must refuse data while locked').toBe('app_locked');

  const passcode = page.getByPlaceholder('Passcode');
  await passcode.fill('1111');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByText('Wrong passcode. Please try again.')).toBeVisible();
  await expect(page.getByRole('heading', { name: 'WhatsFlow is locked' })).toBeVisible();

  await passcode.fill('2468');
  await page.getByRole('button', { name: 'Unlock' }).click();
  await expect(page.getByRole('navigation', { name: 'Main' })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Change passcode' })).toBeVisible();
  expect((await server.api('GET', '/api/v1/lock')).body.data).toEqual({ enabled: true, locked: false });

  // Removing the passcode needs the current one.
  await page.getByRole('form', { name: 'Remove passcode' }).getByLabel('Current passcode').fill('0000');
  await page.getByRole('button', { name: 'Remove passcode' }).click();
  await expect(page.getByRole('form', { name: 'Remove passcode' }).getByLabel('Current passcode')).toHaveAttribute('aria-invalid', 'true');
  await page.getByRole('form', { name: 'Remove passcode' }).getByLabel('Current passcode').fill('2468');
  await page.getByRole('button', { name: 'Remove passcode' }).click();
  await expect(page.getByRole('button', { name: 'Set passcode' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Lock now' })).toHaveCount(0);
});
