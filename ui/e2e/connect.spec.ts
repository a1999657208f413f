// Linking WhatsApp end to end against whatsflow-server --demo (real Chromium driving the in-process
// WhatsApp Web simulator): the live QR, the demo's simulated scan, the banner for a conflict and "Use here",
// a logout from the phone, and the pairing-code path.

import type { Page } from '@playwright/test';
import { expect, test, type RunningServer } from './server';

test.use({ serverArgs: ['--demo'] });

/** Generous: the server starts Chromium and loads the simulator before the first QR appears. */
const LINK_TIMEOUT = 30_000;

/** Onboarding through the API (it has its own spec), then the simulator's address from the app state. */
async function onboard(server: RunningServer): Promise<string> {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Corner Bakery', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const state = (await server.api('GET', '/api/v1/app/state')).body.data;
  expect(state.demo, '--demo runs in demo mode').toBe(true);
  expect(state.simulatorUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  return state.simulatorUrl as string;
}

/** Drives the simulated phone through its control API, as a person with the phone would. */
async function phone(page: Page, simulatorUrl: string, action: string, body: unknown = {}) {
  const response = await page.request.post(`${simulatorUrl}control/${action}`, { data: body });
  expect(response.ok(), `control/${action}: ${await response.text()}`).toBe(true);
}

async function openConnect(page: Page, server: RunningServer) {
  await page.goto(server.url);
  await page.getByTestId('connection-status').click();
  await expect(page.getByRole('heading', { name: 'WhatsApp connection' })).toBeVisible();
}

async function expectQrShown(page: Page) {
  const qr = page.getByRole('img', { name: 'QR code to scan with WhatsApp on your phone' });
  await expect(qr).toBeVisible({ timeout: LINK_TIMEOUT });
  // A real picture: the server's SVG decoded by the browser, not an empty or broken image.
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBeGreaterThan(100);
  await expect(qr).toHaveAttribute('src', /^data:image\/svg\+xml.*%3Cpath/);
  return qr;
}

test('link with the QR, take over after a conflict, logged out from the phone', async ({ page, server }) => {
  const simulatorUrl = await onboard(server);
  await openConnect(page, server);

  await expect(page.getByRole('heading', { name: 'Link WhatsApp to WhatsFlow' })).toBeVisible({ timeout: LINK_TIMEOUT });
  await expect(page.getByText('Tap Link a device')).toBeVisible();
  const qr = await expectQrShown(page);

  // The QR rotates; the picture follows the new code without a reload.
  const firstCode = await qr.getAttribute('data-qr');
  await phone(page, simulatorUrl, 'config', { qrRotateMs: 1500 });
  await expect.poll(() => qr.getAttribute('data-qr'), { timeout: LINK_TIMEOUT }).not.toBe(firstCode);
  await expect.poll(() => qr.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBeGreaterThan(100);

  // The demo's simulated phone scans the code on screen.
  await page.getByRole('button', { name: 'Simulate scanning with the phone' }).click();
  await expect(page.getByRole('heading', { name: 'WhatsApp is connected' })).toBeVisible({ timeout: LINK_TIMEOUT });
  const linked = (await server.api('GET', '/api/v1/whatsapp/status')).body.data;
  expect(linked.state).toBe('connected');
  await expect(page.getByRole('main').getByText(linked.phoneNumber, { exact: true })).toBeVisible();
  await expect(page.getByText(linked.pushName, { exact: true })).toBeVisible();
  await expect(page.getByText(linked.waVersion, { exact: true })).toBeVisible();
  await expect(page.getByTestId('connection-status')).toContainText('WhatsApp connected');
  await expect(page.getByTestId('connection-status')).toContainText(linked.phoneNumber);
  // This machine has no keychain: the gentle note says where the key is.
  if (linked.keyLocation === 'file') await expect(page.getByTestId('key-in-file')).toBeVisible();

  // Elsewhere in the app: no banner while connected.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await expect(page.getByRole('heading', { name: 'Campaigns', exact: true })).toBeVisible();
  await expect(page.getByTestId('connection-banner')).toHaveCount(0);

  // WhatsApp Web opened somewhere else: the banner says so and "Use here" takes it back.
  await phone(page, simulatorUrl, 'conflict');
  const banner = page.getByTestId('connection-banner');
  await expect(banner).toContainText('WhatsApp is open in another window', { timeout: LINK_TIMEOUT });
  await expect(page.getByTestId('connection-status')).toContainText('Open in another window');
  await banner.getByRole('button', { name: 'Use here' }).click();
  await expect(page.getByTestId('connection-status')).toContainText('WhatsApp connected', { timeout: LINK_TIMEOUT });
  await expect(banner).toHaveCount(0);
  expect((await server.api('GET', '/api/v1/whatsapp/status')).body.data.state).toBe('connected');

  // The phone removes this computer from its linked devices.
  await phone(page, simulatorUrl, 'logout');
  await expect(banner).toContainText('logged out from your phone', { timeout: LINK_TIMEOUT });
  await expect(page.getByTestId('connection-status')).toContainText('Logged out by phone');
  await banner.getByRole('button', { name: 'Link again' }).click();
  await expect(page.getByRole('heading', { name: 'WhatsApp connection' })).toBeVisible();
  await expectQrShown(page);
});

test('the Connect screen explains a logout from the phone before showing a new code', async ({ page, server }) => {
  const simulatorUrl = await onboard(server);
  await openConnect(page, server);
  await expectQrShown(page);
  await phone(page, simulatorUrl, 'scan', { phoneNumber: '+14155552671', pushName: 'Corner Bakery' });
  await expect(page.getByRole('heading', { name: 'WhatsApp is connected' })).toBeVisible({ timeout: LINK_TIMEOUT });
  await expect(page.getByRole('main').getByText('+14155552671', { exact: true })).toBeVisible();

  await phone(page, simulatorUrl, 'logout');
  await expect(page.getByRole('heading', { name: 'Logged out from your phone' })).toBeVisible({ timeout: LINK_TIMEOUT });
  await page.getByRole('button', { name: 'Link again' }).click();
  await expectQrShown(page);
});

test('log out from WhatsFlow asks first, then offers to link again', async ({ page, server }) => {
  const simulatorUrl = await onboard(server);
  await openConnect(page, server);
  await expectQrShown(page);
  await page.getByRole('button', { name: 'Simulate scanning with the phone' }).click();
  await expect(page.getByRole('heading', { name: 'WhatsApp is connected' })).toBeVisible({ timeout: LINK_TIMEOUT });

  // Cancel keeps the link.
  await page.getByRole('button', { name: 'Log out' }).click();
  const dialog = page.getByRole('dialog', { name: 'Log out of WhatsApp?' });
  await expect(dialog).toBeVisible();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect((await server.api('GET', '/api/v1/whatsapp/status')).body.data.state).toBe('connected');

  await page.getByRole('button', { name: 'Log out' }).click();
  await dialog.getByRole('button', { name: 'Log out' }).click();
  await expect(page.getByRole('heading', { name: 'WhatsApp is logged out' })).toBeVisible({ timeout: LINK_TIMEOUT });
  expect((await server.api('GET', '/api/v1/whatsapp/status')).body.data.state).toBe('logged-out');
  expect((await (await page.request.get(`${simulatorUrl}control/state`)).json()).paired, 'the phone no longer lists this computer').toBe(false);

  await page.getByRole('button', { name: 'Link again' }).click();
  await expectQrShown(page);
});

test('link with a phone number: the code is shown as XXXX-XXXX and the phone accepts it', async ({ page, server }) => {
  const simulatorUrl = await onboard(server);
  await openConnect(page, server);
  await expectQrShown(page);

  await page.getByRole('button', { name: 'Link with phone number instead' }).click();
  const number = page.getByLabel("Your business's WhatsApp number");
  // Pre-filled with the business country's calling code (the profile says US).
  await expect(number).toHaveValue('+1 ', { timeout: 15_000 });
  await number.fill('12');
  await page.getByRole('button', { name: 'Get pairing code' }).click();
  await expect(number).toHaveAttribute('aria-invalid', 'true');
  // The server is the judge of a real number: a fictional 555 number is refused under the field.
  await number.fill('+1 555 000 0002');
  await page.getByRole('button', { name: 'Get pairing code' }).click();
  await expect(number).toHaveAccessibleDescription(/not a valid number/);

  await number.fill('+1 415 555 2671');
  await page.getByRole('button', { name: 'Get pairing code' }).click();
  const code = page.getByTestId('pairing-code');
  await expect(code).toHaveText(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/, { timeout: LINK_TIMEOUT });
  await expect(page.getByText('Tap Link with phone number instead')).toBeVisible();
  const shown = (await code.textContent())!.replace('-', '');
  expect((await server.api('GET', '/api/v1/whatsapp/status')).body.data.pairingCode).toBe(shown);

  await page.getByRole('button', { name: 'Simulate entering the code on the phone' }).click();
  await expect(page.getByRole('heading', { name: 'WhatsApp is connected' })).toBeVisible({ timeout: LINK_TIMEOUT });
  await expect(page.getByRole('main').getByText('+14155552671', { exact: true })).toBeVisible();
  expect((await (await page.request.get(`${simulatorUrl}control/state`)).json()).phoneNumber).toBe('+14155552671');
});
