// A screenshot walk through the WhatsApp connection states in light and dark, for people reviewing the look
// (`SCREENSHOTS=1 npm run test:e2e -- connect-screens`, pictures in e2e/screenshots/). Not part of normal runs.
// Real states come from the simulator; the short-lived or hard-to-cause ones (syncing, browser restart,
// WhatsApp Web changed) are shown by answering the status route with a recorded-looking status.

import type { Page } from '@playwright/test';
import { expect, test } from './server';

test.use({ serverArgs: ['--demo'] });

const shots = 'e2e/screenshots';

async function showStatus(page: Page, status: Record<string, unknown>) {
  // No live events, so the pinned status stays on screen.
  await page.route('**/api/v1/events**', (route) => route.abort());
  await page.route('**/api/v1/whatsapp/status', (route) =>
    route.fulfill({ contentType: 'application/json', body: JSON.stringify({ success: true, data: status }) }),
  );
  await page.reload();
}

for (const scheme of ['light', 'dark'] as const) {
  test(`connection screens in ${scheme} mode`, async ({ page, server }) => {
    test.setTimeout(120_000);
    const snap = (name: string) => page.screenshot({ path: `${shots}/${scheme}-20-connect-${name}.png` });
    await page.emulateMedia({ colorScheme: scheme });
    await server.api('PUT', '/api/v1/profile', { businessName: "Rosa's Flowers", country: 'US', timezone: 'America/New_York' });
    const sim = (await server.api('GET', '/api/v1/app/state')).body.data.simulatorUrl as string;
    const phone = (action: string, data: unknown = {}) => page.request.post(`${sim}control/${action}`, { data });

    await page.goto(server.url);
    await expect(page.getByRole('heading', { name: 'Inbox', exact: true })).toBeVisible();
    await expect(page.getByTestId('connection-banner')).toBeVisible({ timeout: 30_000 });
    await snap('banner-qr');
    await page.getByTestId('connection-status').click();
    const qr = page.getByRole('img', { name: 'QR code to scan with WhatsApp on your phone' });
    await expect(qr).toBeVisible({ timeout: 30_000 });
    await snap('qr');
    await page.getByRole('button', { name: 'Link with phone number instead' }).click();
    await page.getByLabel("Your business's WhatsApp number").fill('+1 555 000 0002');
    await page.getByRole('button', { name: 'Get pairing code' }).click();
    await expect(page.getByText(/not a valid number/)).toBeVisible();
    await snap('phone-number');
    await page.getByLabel("Your business's WhatsApp number").fill('+1 415 555 2671');
    await page.getByRole('button', { name: 'Get pairing code' }).click();
    await expect(page.getByTestId('pairing-code')).toBeVisible({ timeout: 30_000 });
    await snap('pairing-code');
    await page.getByRole('button', { name: 'Simulate entering the code on the phone' }).click();
    await expect(page.getByRole('heading', { name: 'WhatsApp is connected' })).toBeVisible({ timeout: 30_000 });
    await snap('connected');
    await page.getByRole('button', { name: 'Log out' }).click();
    await expect(page.getByRole('dialog')).toBeVisible();
    await snap('logout-confirm');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();

    await phone('offline');
    await expect(page.getByRole('heading', { name: 'Your phone is offline' })).toBeVisible({ timeout: 30_000 });
    await snap('phone-offline');
    await phone('online');
    await expect(page.getByRole('heading', { name: 'WhatsApp is connected' })).toBeVisible({ timeout: 30_000 });
    await phone('conflict');
    await expect(page.getByRole('heading', { name: 'WhatsApp is open in another window' })).toBeVisible({ timeout: 30_000 });
    await snap('conflict');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
    await expect(page.getByTestId('connection-banner')).toBeVisible();
    await snap('banner-conflict');
    await page.getByRole('button', { name: 'Use here' }).click();
    await expect(page.getByTestId('connection-banner')).toHaveCount(0, { timeout: 30_000 });
    await phone('logout');
    await expect(page.getByTestId('connection-banner')).toContainText('logged out from your phone', { timeout: 30_000 });
    await snap('banner-logged-out');
    await page.getByTestId('connection-status').click();
    await snap('logged-out-phone');
    await page.getByRole('button', { name: 'Link again' }).click();
    await expect(qr).toBeVisible({ timeout: 30_000 });
    await phone('scan');
    await expect(page.getByRole('heading', { name: 'WhatsApp is connected' })).toBeVisible({ timeout: 30_000 });
    await phone('ban');
    await expect(page.getByRole('heading', { name: 'WhatsApp has blocked this number' })).toBeVisible({ timeout: 30_000 });
    await snap('banned');

    const base = { phoneNumber: '+14155552671', pushName: "Rosa's Flowers", waVersion: '2.3000.1029384756', since: new Date().toISOString(), keyLocation: 'file' };
    await showStatus(page, { ...base, state: 'syncing', syncPercent: 60, detail: 'Linked; catching up on messages' });
    await expect(page.getByRole('progressbar')).toBeVisible();
    await snap('syncing');
    await showStatus(page, { ...base, state: 'browser-crashed', detail: 'Chromium exited (signal 9); restarting in 2 s' });
    await expect(page.getByRole('heading', { name: "Restarting WhatsApp's browser" })).toBeVisible();
    await snap('browser-crashed');
    await showStatus(page, { ...base, state: 'whatsapp-changed', detail: 'WhatsApp Web module "WAWebSendMsgChatAction" is missing' });
    await expect(page.getByRole('heading', { name: 'WhatsFlow needs an update' })).toBeVisible();
    await snap('whatsapp-changed');
    await showStatus(page, { state: 'disconnected', detail: 'Not connected', keyLocation: 'file' });
    await expect(page.getByRole('button', { name: 'Connect WhatsApp' })).toBeVisible();
    await snap('disconnected');
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Inbox' }).click();
    await expect(page.getByTestId('connection-banner')).toBeVisible();
    await snap('banner-disconnected');
  });
}
