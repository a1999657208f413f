// Onboarding end to end: field errors from the client and from the server, nothing stored on refusal,
// the saved profile survives a reload and shows up in Settings → Profile.

import { expect, test } from './server';

test('onboarding: validate, save, reload, see the profile in Settings', async ({ page, server }) => {
  await page.goto(server.url);

  await expect(page.getByRole('heading', { name: 'Welcome! Tell us about your business' })).toBeVisible();
  // The session token moves to sessionStorage and leaves the address bar.
  await expect.poll(() => page.url()).not.toContain('token=');

  const name = page.getByLabel('Business name');
  const description = page.getByLabel('Description');
  const country = page.getByLabel('Country');
  const continueButton = page.getByRole('button', { name: 'Continue' });

  // An empty name is refused under the name field.
  await continueButton.click();
  await expect(name).toHaveAttribute('aria-invalid', 'true');
  await expect(name).toHaveAccessibleDescription('Enter your business name');

  // A 100 000-character description is refused under the description field, and nothing is stored.
  await name.fill("Rosa's Flowers");
  await page.getByLabel('Industry').fill('Florist');
  await page.getByLabel('Website').fill('https://rosas-flowers.example');
  await page.getByLabel('Business type').selectOption('retail');
  await description.fill('x'.repeat(100_000));
  await continueButton.click();
  await expect(description).toHaveAttribute('aria-invalid', 'true');
  await expect(description).toHaveAccessibleDescription(/at most 2,000 characters/);
  expect((await server.api('GET', '/api/v1/profile')).status, 'a refused profile must not be stored').toBe(404);
  expect((await server.api('GET', '/api/v1/app/state')).body.data.onboarded).toBe(false);

  // The server is the authority: a country it does not know comes back as a 400 shown under Country.
  await description.fill('Fresh flowers and same-day delivery.');
  await country.evaluate((select: HTMLSelectElement) => select.add(new Option('Nowhere', 'ZZ')));
  await country.selectOption('ZZ');
  await page.getByLabel('Time zone').selectOption('Europe/Berlin');
  await continueButton.click();
  await expect(country).toHaveAttribute('aria-invalid', 'true');
  await expect(country).toHaveAccessibleDescription(/.+/);
  await expect(description).not.toHaveAttribute('aria-invalid', 'true');
  expect((await server.api('GET', '/api/v1/profile')).status, 'a profile the server refused must not be stored').toBe(404);

  // Now a valid profile: saved, then the optional passcode step is skipped.
  await country.selectOption('DE');
  await continueButton.click();
  await expect(page.getByRole('heading', { name: 'Lock WhatsFlow with a passcode?' })).toBeVisible();
  await page.getByRole('button', { name: 'Skip for now' }).click();

  await expect(page.getByRole('heading', { name: 'Inbox', exact: true })).toBeVisible();
  await expect(page.getByTestId('connection-status')).toContainText('WhatsApp');

  // A reload keeps the session (token in sessionStorage) and goes straight to the app.
  await page.reload();
  await expect(page.getByRole('heading', { name: 'Inbox', exact: true })).toBeVisible();
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'Profile' }).click();

  await expect(page.getByLabel('Business name')).toHaveValue("Rosa's Flowers");
  await expect(page.getByLabel('Industry')).toHaveValue('Florist');
  await expect(page.getByLabel('Website')).toHaveValue('https://rosas-flowers.example');
  await expect(page.getByLabel('Description')).toHaveValue('Fresh flowers and same-day delivery.');
  await expect(page.getByLabel('Business type')).toHaveValue('retail');
  await expect(page.getByLabel('Country')).toHaveValue('DE');
  await expect(page.getByLabel('Time zone')).toHaveValue('Europe/Berlin');

  // And an edit made there is saved with PUT and read back by the server.
  await page.getByLabel('Industry').fill('Flower shop');
  await page.getByRole('button', { name: 'Save changes' }).click();
  await expect(page.getByText('Profile saved')).toBeVisible();
  expect((await server.api('GET', '/api/v1/profile')).body.data.industry).toBe('Flower shop');
});

test('a page opened without the session token says how to get in', async ({ page, server }) => {
  await page.goto(server.origin + '/');
  await expect(page.getByRole('heading', { name: 'Session token missing or expired' })).toBeVisible();
  await expect(page.getByText('whatsflow-server', { exact: true })).toBeVisible();
});
