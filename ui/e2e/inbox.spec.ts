// The inbox end to end against whatsflow-server --demo (real Chromium driving the in-process WhatsApp Web
// simulator): link by scanning from the simulated phone panel, a customer's message arriving live with its
// contact created, a reply from the composer whose ticks move to read as the phone acknowledges it, a
// message queued while the phone is offline, and search jumping to the message in its thread.

import type { Page } from '@playwright/test';
import { expect, test, type RunningServer } from './server';

test.use({ serverArgs: ['--demo'] });

/** Generous: the server starts Chromium and loads the simulator before the first QR appears. */
const LINK_TIMEOUT = 30_000;
/** Inbound messages travel simulator → page → link → engine → event stream → UI. */
const LIVE_TIMEOUT = 15_000;

async function onboard(server: RunningServer): Promise<string> {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Rosa Flowers', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const state = (await server.api('GET', '/api/v1/app/state')).body.data;
  expect(state.demo, '--demo runs in demo mode').toBe(true);
  return state.simulatorUrl as string;
}

async function control(page: Page, simulatorUrl: string, action: string, body: unknown = {}) {
  const response = await page.request.post(`${simulatorUrl}control/${action}`, { data: body });
  expect(response.ok(), `control/${action}: ${await response.text()}`).toBe(true);
  return response.json();
}

/** Links WhatsApp the way a demo user does: the simulated phone panel scans the QR code. */
async function linkFromPanel(page: Page) {
  const phone = page.getByTestId('simulated-phone');
  await expect(phone).toBeVisible();
  const scan = phone.getByRole('button', { name: 'Scan the QR code' });
  await expect(scan).toBeEnabled({ timeout: LINK_TIMEOUT });
  await scan.click();
  await expect(phone.getByTestId('sim-linked')).toBeVisible({ timeout: LINK_TIMEOUT });
  await expect(page.getByTestId('connection-status')).toContainText('WhatsApp connected', { timeout: LINK_TIMEOUT });
  return phone;
}

test('a customer writes, the chat appears live; the reply ticks move to read', async ({ page, server }) => {
  const simulatorUrl = await onboard(server);
  // Acks move only when the test says so, so each tick can be seen.
  await control(page, simulatorUrl, 'config', { ackDelaysMs: [100, null, null] });
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Inbox', exact: true })).toBeVisible();
  await expect(page.getByRole('heading', { name: 'Connect WhatsApp to start' })).toBeVisible();
  const phone = await linkFromPanel(page);

  // The customer writes from the simulated phone; nothing is reloaded.
  await phone.getByLabel("Customer's number").fill('+14155550110');
  await phone.getByLabel("Customer's name").fill('Ana Customer');
  await phone.getByLabel("Customer's message").fill('Hello! Do you deliver on Sundays?');
  await phone.getByRole('button', { name: 'Send to the business' }).click();

  const row = page.getByTestId('chat-row').filter({ hasText: 'Ana Customer' });
  await expect(row).toBeVisible({ timeout: LIVE_TIMEOUT });
  await expect(row.getByTestId('chat-preview')).toHaveText('Hello! Do you deliver on Sundays?');
  await expect(row.getByTestId('unread-badge')).toHaveText('1');

  // The contact was created from the conversation, with the number and WhatsApp name.
  const chats = (await server.api('GET', '/api/v1/chats')).body;
  expect(chats.data).toHaveLength(1);
  expect(chats.data[0].contact).toMatchObject({ displayName: 'Ana Customer', phoneNumber: '+14155550110' });
  const contact = (await server.api('GET', `/api/v1/contacts/${chats.data[0].contact.id}`)).body.data;
  expect(contact.source).toBe('conversation');

  // A second message while the list is open moves the unread count without a reload.
  await control(page, simulatorUrl, 'inbound', { from: '+14155550110', pushName: 'Ana Customer', body: 'And can I pay by card?' });
  await expect(row.getByTestId('unread-badge')).toHaveText('2', { timeout: LIVE_TIMEOUT });

  // Opening the chat shows the thread and marks it read, here and in the store.
  await row.click();
  await expect(page.getByTestId('thread-title')).toHaveText('Ana Customer');
  const thread = page.getByTestId('thread');
  await expect(thread.getByTestId('message')).toHaveCount(2);
  await expect(thread.getByTestId('date-separator').first()).toHaveText('Today');
  await expect(row.getByTestId('unread-badge')).toHaveCount(0);
  await expect.poll(async () => (await server.api('GET', '/api/v1/chats')).body.data[0].unreadCount).toBe(0);

  // Reply to the second message from the composer: Shift+Enter is a new line, Enter sends.
  await thread.getByTestId('message').filter({ hasText: 'pay by card' }).hover();
  await thread.getByTestId('message').filter({ hasText: 'pay by card' }).getByRole('button', { name: 'Reply' }).click();
  await expect(page.getByTestId('reply-preview')).toContainText('And can I pay by card?');
  const box = page.getByRole('textbox', { name: 'Type a message' });
  await box.fill('Yes, every Sunday until 2 pm.');
  await box.press('Shift+Enter');
  await box.pressSequentially('Cards are fine too!');
  await box.press('Enter');
  await expect(box).toHaveValue('');

  const reply = thread.getByTestId('message').filter({ hasText: 'Cards are fine too!' });
  await expect(reply).toHaveAttribute('data-direction', 'out');
  await expect(reply).toContainText('Yes, every Sunday until 2 pm.');
  await expect(reply.getByTestId('quoted')).toContainText('And can I pay by card?');
  await expect(reply.locator('[data-tick="sent"]')).toBeVisible({ timeout: LIVE_TIMEOUT });

  // The phone got it, lines intact, then reports delivery and reading: the ticks follow.
  await expect(phone.getByTestId('sim-outbound')).toContainText('Cards are fine too!', { timeout: LIVE_TIMEOUT });
  const sent = ((await (await page.request.get(`${simulatorUrl}control/outbound`)).json()) as Array<{ id: string; body: string }>).find((m) =>
    m.body.includes('Cards are fine too!'),
  );
  expect(sent, 'the simulator received the reply').toBeTruthy();
  expect(sent!.body).toBe('Yes, every Sunday until 2 pm.\nCards are fine too!');
  await phone.getByRole('button', { name: 'Deliver', exact: true }).click();
  await expect(reply.locator('[data-tick="delivered"]')).toBeVisible({ timeout: LIVE_TIMEOUT });
  await phone.getByRole('button', { name: 'Read', exact: true }).click();
  await expect(reply.locator('[data-tick="read"]')).toBeVisible({ timeout: LIVE_TIMEOUT });
  await expect(reply).toHaveAttribute('data-status', 'read');
  // The chat list shows the same: the last message is ours, read.
  await expect(row.locator('[data-tick="read"]')).toBeVisible();
});

test('a reply written while the phone is offline waits with a clock, then goes out', async ({ page, server }) => {
  const simulatorUrl = await onboard(server);
  await page.goto(server.url);
  await linkFromPanel(page);
  await control(page, simulatorUrl, 'inbound', { from: '+14155550120', pushName: 'Ben', body: 'Is the shop open today?' });
  const row = page.getByTestId('chat-row').filter({ hasText: 'Ben' });
  await expect(row).toBeVisible({ timeout: LIVE_TIMEOUT });
  await row.click();

  await control(page, simulatorUrl, 'offline');
  await expect(page.getByTestId('connection-status')).not.toContainText('WhatsApp connected', { timeout: LIVE_TIMEOUT });
  await expect(page.getByTestId('queued-notice')).toBeVisible();
  const box = page.getByRole('textbox', { name: 'Type a message' });
  await box.fill('Yes, until 6 pm.');
  await box.press('Enter');
  const reply = page.getByTestId('thread').getByTestId('message').filter({ hasText: 'Yes, until 6 pm.' });
  await expect(reply.locator('[data-tick="clock"]')).toBeVisible({ timeout: LIVE_TIMEOUT });

  await control(page, simulatorUrl, 'online');
  // Back online, the outbox sends it and the automatic acks carry it to read.
  await expect(reply.locator('[data-tick="read"]')).toBeVisible({ timeout: LINK_TIMEOUT });
});

test('search finds a message and opens its chat at it, highlighted', async ({ page, server }) => {
  const simulatorUrl = await onboard(server);
  await page.goto(server.url);
  await linkFromPanel(page);
  await control(page, simulatorUrl, 'inbound', { from: '+14155550130', pushName: 'Carla', body: 'I would like twelve red tulips for Friday' });
  for (let i = 1; i <= 3; i++) {
    await control(page, simulatorUrl, 'inbound', { from: '+14155550140', pushName: 'Dan', body: `Order number ${i} for Dan` });
  }
  await expect(page.getByTestId('chat-row')).toHaveCount(2, { timeout: LIVE_TIMEOUT });

  await page.getByRole('searchbox', { name: 'Search chats and messages' }).fill('tulip');
  const hit = page.getByTestId('search-hit');
  await expect(hit).toHaveCount(1);
  await expect(hit).toContainText('Carla');
  await expect(hit.locator('mark')).toHaveText('tulips');
  await hit.click();
  await expect(page.getByTestId('thread-title')).toHaveText('Carla');
  const found = page.getByTestId('thread').getByTestId('message').filter({ hasText: 'twelve red tulips' });
  await expect(found).toBeVisible();
  await expect(found.locator('div').first()).toHaveClass(/ring-amber-400/);
});

/** A 2×2 PNG, enough for the browser to decode and lay out. */
const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==',
  'base64',
);

test('photos arrive inline, and a picked file goes out with its caption', async ({ page, server }) => {
  const simulatorUrl = await onboard(server);
  await page.goto(server.url);
  await linkFromPanel(page);
  await control(page, simulatorUrl, 'inbound', {
    from: '+14155550150',
    pushName: 'Eva',
    type: 'image',
    body: 'This one, please',
    media: { data: PNG.toString('base64'), mimetype: 'image/png', filename: 'bouquet.png' },
  });
  const row = page.getByTestId('chat-row').filter({ hasText: 'Eva' });
  await expect(row).toBeVisible({ timeout: LIVE_TIMEOUT });
  await row.click();
  const image = page.getByTestId('thread').getByTestId('message-image');
  await expect(image).toBeVisible();
  // Decoded by the browser from the bytes the media route served, not a broken image.
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth)).toBe(2);

  await page.getByTestId('file-input').setInputFiles({ name: 'price-list.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 price list') });
  await expect(page.getByTestId('attachment-preview')).toContainText('price-list.pdf');
  const box = page.getByRole('textbox', { name: 'Type a message' });
  await box.fill('Our prices');
  await box.press('Enter');
  const sent = page.getByTestId('thread').getByTestId('message').filter({ hasText: 'Our prices' });
  await expect(sent.getByTestId('message-file')).toContainText('price-list.pdf');
  await expect(page.getByTestId('simulated-phone').getByTestId('sim-outbound')).toContainText('price-list.pdf', { timeout: LIVE_TIMEOUT });
  // The download is the very file that was sent.
  const [download] = await Promise.all([page.waitForEvent('download'), sent.getByRole('button', { name: 'Download price-list.pdf' }).click()]);
  expect(download.suggestedFilename()).toBe('price-list.pdf');
  const { readFileSync } = await import('node:fs');
  expect(readFileSync(await download.path()).toString()).toBe('%PDF-1.4 price list');
});
