// A screenshot walk through every screen in light and dark, for people reviewing the look
// (`SCREENSHOTS=1 npm run test:e2e -- screens`, pictures in e2e/screenshots/). Not part of normal runs.

import { expect, test } from './server';

const shots = 'e2e/screenshots';

for (const scheme of ['light', 'dark'] as const) {
  test(`screens in ${scheme} mode`, async ({ page, server }) => {
    const snap = (name: string) => page.screenshot({ path: `${shots}/${scheme}-${name}.png` });
    // Toasts are dismissed rather than waited out, for clean pictures.
    const dismissToasts = async () => {
      for (const button of await page.getByRole('button', { name: 'Dismiss' }).all()) await button.click();
      await expect(page.getByRole('button', { name: 'Dismiss' })).toHaveCount(0);
    };
    await page.emulateMedia({ colorScheme: scheme });

    await page.goto(server.origin + '/');
    await expect(page.getByRole('heading', { name: 'Session token missing or expired' })).toBeVisible();
    await snap('00-session');

    await page.goto(server.url);
    await expect(page.getByRole('heading', { name: 'Welcome! Tell us about your business' })).toBeVisible();
    await snap('01-onboarding');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByLabel('Description').fill('x'.repeat(2500));
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByLabel('Description')).toHaveAttribute('aria-invalid', 'true');
    await snap('02-onboarding-errors');
    await page.getByLabel('Business name').fill("Rosa's Flowers");
    await page.getByLabel('Description').fill('Fresh flowers and same-day delivery in the city centre.');
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('heading', { name: 'Lock WhatsFlow with a passcode?' })).toBeVisible();
    await snap('03-onboarding-lock');
    await page.getByRole('button', { name: 'Skip for now' }).click();
    await expect(page.getByRole('heading', { name: 'Inbox', exact: true })).toBeVisible();
    await dismissToasts();
    await snap('04-inbox');
    for (const screen of ['Contacts', 'Campaigns', 'Analytics']) {
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: screen }).click();
      await expect(page.getByRole('heading', { name: screen, exact: true })).toBeVisible();
      await snap(`05-${screen.toLowerCase()}`);
    }
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
    await expect(page.getByLabel('Business name')).toHaveValue("Rosa's Flowers");
    await snap('06-settings-profile');
    for (const [section, name, heading] of [
      ['App lock', 'lock', 'App lock'],
      ['Appearance', 'appearance', 'Appearance'],
      ['About', 'about', 'About WhatsFlow'],
    ] as const) {
      await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: section }).click();
      await expect(page.getByRole('heading', { name: heading })).toBeVisible();
      await snap(`07-settings-${name}`);
    }
    await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'App lock' }).click();
    await page.getByLabel('Passcode', { exact: true }).fill('2468');
    await page.getByLabel('Repeat passcode').fill('2468');
    await page.getByRole('button', { name: 'Set passcode' }).click();
    await expect(page.getByRole('heading', { name: 'Change passcode' })).toBeVisible();
    await dismissToasts();
    await snap('08-settings-lock-on');
    await page.getByRole('button', { name: 'Lock now' }).click();
    await page.getByPlaceholder('Passcode').fill('1');
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect(page.getByText('Wrong passcode. Please try again.')).toBeVisible();
    await snap('09-locked');
  });
}
