// Settings beyond the profile: the theme choice is stored by the server and survives a reload; About shows
// the version the server reports.

import { expect, test } from './server';

test('appearance and about', async ({ page, server }) => {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Corner Bakery', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  await page.emulateMedia({ colorScheme: 'light' });
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Inbox', exact: true })).toBeVisible();
  await expect(page.locator('html')).not.toHaveClass(/dark/);

  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Appearance' }).click();
  await page.getByRole('radio', { name: 'Dark' }).click();
  await expect(page.locator('html')).toHaveClass(/dark/);
  await expect.poll(async () => (await server.api('GET', '/api/v1/settings')).body.data.theme).toBe('dark');

  // The server's choice wins over this browser's stored one after a reload.
  await page.evaluate(() => localStorage.setItem('whatsflow.theme', 'light'));
  await page.reload();
  await expect(page.getByRole('radio', { name: 'Dark' })).toHaveAttribute('aria-checked', 'true');
  await expect(page.locator('html')).toHaveClass(/dark/);

  // Arrow keys move the choice, as in any radio group.
  await page.getByRole('radio', { name: 'Dark' }).focus();
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByRole('radio', { name: 'Light' })).toHaveAttribute('aria-checked', 'true');
  await expect(page.locator('html')).not.toHaveClass(/dark/);

  const { version } = (await server.api('GET', '/api/v1/health')).body.data;
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'About' }).click();
  await expect(page.getByTestId('about-version')).toHaveText(version);
});
