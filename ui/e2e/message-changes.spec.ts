// Deleted-for-everyone and edited messages end to end against whatsflow-server --demo (real Chromium
// driving the in-process WhatsApp Web simulator): the customer deletes one message and edits another on
// the phone, and the open thread shows "deleted" over the kept text and "Edited" beside the new text.

import type { Page } from '@playwright/test';
import { expect, test } from './server';

test.use({ serverArgs: ['--demo'] });

/** Generous: the server starts Chromium and loads the simulator before the first QR appears. */
const LINK_TIMEOUT = 30_000;
/** Changes travel simulator → page → link → engine → event stream → UI. */
const LIVE_TIMEOUT = 15_000;

async function control(page: Page, simulatorUrl: string, action: string, body: unknown = {}) {
  const response = await page.request.post(`${simulatorUrl}control/${action}`, { data: body });
  expect(response.ok(), `control/${action}: ${await response.text()}`).toBe(true);
  return response.json();
}

test('a message deleted and one edited by the customer change in the open thread', async ({ page, server }) => {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Rosa Flowers', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const simulatorUrl = (await server.api('GET', '/api/v1/app/state')).body.data.simulatorUrl as string;
  await page.goto(server.url);
  const phone = page.getByTestId('simulated-phone');
  const scan = phone.getByRole('button', { name: 'Scan the QR code' });
  await expect(scan).toBeEnabled({ timeout: LINK_TIMEOUT });
  await scan.click();
  await expect(page.getByTestId('connection-status')).toContainText('WhatsApp connected', { timeout: LINK_TIMEOUT });

  const from = { from: '+14155550110', pushName: 'Ana Customer' };
  const deleted = (await control(page, simulatorUrl, 'inbound', { ...from, body: 'My card number is 4111' })).id as string;
  const edited = (await control(page, simulatorUrl, 'inbound', { ...from, body: 'Pick-up at 5 pm' })).id as string;
  const row = page.getByTestId('chat-row').filter({ hasText: 'Ana Customer' });
  await expect(row).toBeVisible({ timeout: LIVE_TIMEOUT });
  await row.click();
  const thread = page.getByTestId('thread');
  await expect(thread.getByTestId('message')).toHaveCount(2, { timeout: LIVE_TIMEOUT });

  await control(page, simulatorUrl, 'revoke', { id: deleted });
  await control(page, simulatorUrl, 'edit', { id: edited, body: 'Pick-up at 6 pm' });

  const gone = thread.getByTestId('message').filter({ hasText: 'My card number is 4111' });
  await expect(gone.getByTestId('revoked')).toContainText('This message was deleted', { timeout: LIVE_TIMEOUT });
  const changed = thread.getByTestId('message').filter({ hasText: 'Pick-up at 6 pm' });
  await expect(changed.getByTestId('edited')).toBeVisible({ timeout: LIVE_TIMEOUT });
  await expect(changed.getByTestId('edited')).toHaveAttribute('title', 'Before the edit: Pick-up at 5 pm');
  await expect(thread.getByTestId('message')).toHaveCount(2);

  // The REST API answers the same, so a reloaded thread shows it too.
  const messages = (await server.api('GET', '/api/v1/messages')).body.data as Array<Record<string, unknown>>;
  const byWaId = (id: string) => messages.find((m) => m.waMessageId === id);
  expect(byWaId(deleted)).toMatchObject({ body: 'My card number is 4111', revokedAt: expect.any(String) });
  expect(byWaId(edited)).toMatchObject({ body: 'Pick-up at 6 pm', originalText: 'Pick-up at 5 pm', editedAt: expect.any(String) });
});
