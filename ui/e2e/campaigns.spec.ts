// Campaigns end to end against whatsflow-server --demo (the in-process WhatsApp Web simulator): a campaign
// for a tag built in the wizard, with a fast pace set in the advanced panel, watched live on its page —
// paused and resumed midway, completed, each recipient's status reaching read — and the simulator's
// outbound log holding exactly one message per eligible recipient, and the recipients' CSV. A second test
// sends the wizard bad input and finds the server's errors on their fields, then schedules it with a photo
// and edits it.

import type { Page } from '@playwright/test';
import { expect, test, type RunningServer } from './server';

test.use({ serverArgs: ['--demo'] });

/** Generous: the server starts Chromium and loads the simulator before the first QR appears. */
const LINK_TIMEOUT = 30_000;
/** Sends and acks travel scheduler → outbox → link → simulator → acks → engine → event stream → UI. */
const LIVE_TIMEOUT = 20_000;

async function onboard(server: RunningServer): Promise<string> {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Rosa Flowers', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  return (await server.api('GET', '/api/v1/app/state')).body.data.simulatorUrl as string;
}

async function control(page: Page, simulatorUrl: string, action: string, body?: unknown) {
  const response = body === undefined ? await page.request.get(`${simulatorUrl}control/${action}`) : await page.request.post(`${simulatorUrl}control/${action}`, { data: body });
  expect(response.ok(), `control/${action}: ${await response.text()}`).toBe(true);
  return response.json();
}

async function addContact(server: RunningServer, phoneNumber: string, name: string, tags: string[], optedOut = false) {
  const created = await server.api('POST', '/api/v1/contacts', { phoneNumber, name, tags, optedOut });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
}

/** Links WhatsApp the way a demo user does: the simulated phone panel on the inbox scans the QR code. */
async function linkFromPanel(page: Page) {
  const phone = page.getByTestId('simulated-phone');
  const scan = phone.getByRole('button', { name: 'Scan the QR code' });
  await expect(scan).toBeEnabled({ timeout: LINK_TIMEOUT });
  await scan.click();
  await expect(page.getByTestId('connection-status')).toContainText('WhatsApp connected', { timeout: LINK_TIMEOUT });
}

async function openCampaigns(page: Page) {
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Campaigns' }).click();
  await expect(page.getByRole('heading', { name: 'Campaigns', exact: true })).toBeVisible();
}

const CUSTOMERS = [
  ['+14155550101', 'Ana Lima'],
  ['+14155550102', 'Bruno Costa'],
  ['+14155550103', 'Carla Dias'],
  ['+14155550104', 'Davi Rocha'],
] as const;
const OPTED_OUT = '+14155550105';
/** A 2×2 PNG, enough for a campaign's photo. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg==', 'base64');
const UNTAGGED = '+14155550106';

test('a campaign for a tag is built in the wizard, paused and resumed midway, and completes with every recipient read', async ({ page, server }) => {
  test.setTimeout(150_000);
  const simulatorUrl = await onboard(server);
  await control(page, simulatorUrl, 'config', { ackDelaysMs: [50, 100, 150] });
  for (const [phone, name] of CUSTOMERS) await addContact(server, phone, name, ['spring']);
  await addContact(server, OPTED_OUT, 'Elisa Opted', ['spring'], true);
  await addContact(server, UNTAGGED, 'Fabio Untagged', []);

  await page.goto(server.url);
  await linkFromPanel(page);
  await openCampaigns(page);
  await expect(page.getByRole('heading', { name: 'No campaigns yet' })).toBeVisible();
  await page.getByRole('button', { name: 'New campaign' }).click();

  // Audience: the tag, with the live count leaving the opted-out contact out.
  await expect(page.getByRole('heading', { name: 'New campaign' })).toBeVisible();
  await page.getByLabel('Campaign name').fill('Spring sale');
  await expect(page.getByText('Choose at least one tag')).toBeVisible();
  await page.getByRole('group', { name: 'Tags', exact: true }).getByRole('button', { name: /spring/ }).click();
  await expect(page.getByTestId('recipient-count')).toHaveText('4 recipients');
  await expect(page.getByText('1 opted-out contact skipped')).toBeVisible();
  await page.getByRole('button', { name: 'Next' }).click();

  // Message: a misspelt variable is refused on the field; the picker inserts a correct one with its fallback.
  const message = page.getByRole('textbox', { name: 'Message' });
  await message.fill('Hi {{frist_name}}');
  await expect(page.getByTestId('wizard-message').locator('[data-field-error]')).toContainText('frist_name');
  await message.fill('{Hi|Hello} ');
  await page.getByLabel('When a contact has none, use').fill('there');
  await page.getByRole('group', { name: 'Insert a variable' }).getByRole('button', { name: '{{first_name}}' }).click();
  await message.press('End');
  await message.pressSequentially(', spring bouquets are 20% off today!');
  await expect(message).toHaveValue('{Hi|Hello} {{first_name|there}}, spring bouquets are 20% off today!');
  await expect(page.getByTestId('wizard-message').locator('[data-field-error]')).toHaveCount(0);
  await expect(page.getByTestId('variant-count')).toHaveText('2 possible versions');
  await expect(page.getByTestId('preview-variant')).toHaveCount(2);
  await page.getByLabel('Preview for recipient').selectOption({ label: 'Carla Dias' });
  await expect(page.getByTestId('preview-recipient')).toHaveText(/^(Hi|Hello) Carla, spring bouquets are 20% off today!$/);
  await page.getByRole('button', { name: 'Next' }).click();

  // Pacing: a fast test pace through the advanced panel. The gap of 3–4 s leaves room to pause between two
  // sends; no caps in the way, no quiet hours, no typing, no warm-up.
  await expect(page.getByRole('radio', { name: /Normal/ })).toBeChecked();
  await page.getByText('Advanced settings').click();
  await page.getByLabel('Shortest gap').fill('3');
  await page.getByLabel('Longest gap').fill('4');
  await page.getByLabel('Messages per hour at most').fill('1000');
  await page.getByLabel('Messages per day at most').fill('1000');
  await page.getByLabel('Burst size').fill('1000');
  await page.getByLabel('Rest after a burst').fill('0');
  await page.getByLabel('Quiet hours').uncheck();
  await page.getByLabel('Show “typing…” before each message').uncheck();
  await page.getByLabel('Warm-up for a newly linked number').uncheck();
  await expect(page.getByText('Custom pace')).toBeVisible();
  await expect(page.getByTestId('pacing-eta')).toContainText('4 messages take about');
  await page.getByRole('button', { name: 'Next' }).click();

  // Schedule: now. Review: saved as a draft, with the recipients and an estimated finish.
  await expect(page.getByRole('radio', { name: /When I start it/ })).toBeChecked();
  await page.getByRole('button', { name: 'Save and review' }).click();
  await expect(page.getByTestId('wizard-review')).toBeVisible();
  await expect(page.getByTestId('review-recipients')).toContainText('4 recipients');
  await expect(page.getByTestId('review-eta')).not.toHaveText('—');
  const drafts = (await server.api('GET', '/api/v1/campaigns')).body.data;
  expect(drafts).toHaveLength(1);
  expect(drafts[0]).toMatchObject({ status: 'draft', targetType: 'tags', pacing: { minGapMs: 3000, maxGapMs: 4000, quietHours: null, typing: false, warmUp: false } });
  await page.getByRole('button', { name: 'Send now' }).click();

  // The live page: sending; paused once the first message is out, before the rest.
  const live = page.getByTestId('live-campaign');
  await expect(live.getByTestId('live-name')).toHaveText('Spring sale');
  await expect(live.getByTestId('live-total')).toHaveText('5 recipients');
  const rows = live.getByTestId('recipient-row');
  await expect(rows).toHaveCount(5);
  await expect(rows.filter({ hasText: 'Elisa Opted' })).toHaveAttribute('data-status', 'skipped');
  await expect(rows.filter({ hasText: 'Elisa Opted' })).toContainText('opted out');
  await expect(rows.and(page.locator('[data-status="sent"], [data-status="delivered"], [data-status="read"]')).first()).toBeVisible({ timeout: LIVE_TIMEOUT });
  await live.getByRole('button', { name: 'Pause' }).click();
  await expect(live.getByTestId('campaign-status')).toHaveAttribute('data-status', 'paused');
  const paused = (await server.api('GET', `/api/v1/campaigns/${drafts[0].id}`)).body.data;
  expect(paused.status).toBe('paused');
  expect(paused.sentCount, 'paused midway: at least one sent').toBeGreaterThan(0);
  expect(paused.pendingCount, 'paused midway: some still to send').toBeGreaterThan(0);
  // (A message already handed to the outbox still goes out, so the figure may yet drop by one.)
  await expect(live.getByTestId('live-pending')).not.toHaveText('0');
  await expect(live.getByRole('button', { name: 'Resume' })).toBeVisible();

  // Resumed, it completes; every eligible recipient's status reaches read.
  await live.getByRole('button', { name: 'Resume' }).click();
  await expect(live.getByTestId('campaign-status')).toHaveAttribute('data-status', 'sending');
  await expect(live.getByTestId('campaign-status')).toHaveAttribute('data-status', 'completed', { timeout: LIVE_TIMEOUT * 2 });
  const id = drafts[0].id as number;
  const stored = async () => ((await server.api('GET', `/api/v1/campaigns/${id}/recipients`)).body.data as Array<{ name: string; status: string }>).map((r) => `${r.name}: ${r.status}`);
  await expect.poll(stored, { timeout: LIVE_TIMEOUT }).toEqual([...CUSTOMERS.map(([, name]) => `${name}: read`), 'Elisa Opted: skipped']);
  // The page shows what is stored, without a reload.
  for (const [, name] of CUSTOMERS) await expect(rows.filter({ hasText: name })).toHaveAttribute('data-status', 'read');
  await expect(live.getByTestId('live-done')).toHaveText('5');
  await expect(live.getByTestId('funnel-read')).toContainText('4');
  await live.getByRole('radiogroup', { name: 'Recipient status' }).getByRole('radio', { name: 'Read' }).click();
  await expect(rows).toHaveCount(4);

  // The CSV export has every recipient with status and reason.
  const [download] = await Promise.all([page.waitForEvent('download'), live.getByRole('button', { name: 'CSV' }).click()]);
  const { readFileSync } = await import('node:fs');
  const csv = readFileSync(await download.path()).toString().trim().split(/\r?\n/);
  expect(csv[0]).toBe('position,phone_number,name,status,reason,sent_at,delivered_at,read_at,replied_at');
  expect(csv).toHaveLength(6);
  expect(csv[5]).toContain(`${OPTED_OUT},Elisa Opted,skipped,opted out`);

  // The phone received exactly one message per eligible recipient, personalised, and none for the others.
  const outbound = (await control(page, simulatorUrl, 'outbound')) as Array<{ to: string; body: string }>;
  const digits = (phone: string) => phone.replace(/\D/g, '');
  for (const [phone, name] of CUSTOMERS) {
    const theirs = outbound.filter((m) => m.to.startsWith(digits(phone)));
    expect(theirs, `one message to ${name}`).toHaveLength(1);
    expect(theirs[0]!.body).toMatch(new RegExp(`^(Hi|Hello) ${name.split(' ')[0]}, spring bouquets are 20% off today!$`));
  }
  expect(outbound.filter((m) => m.to.startsWith(digits(OPTED_OUT)) || m.to.startsWith(digits(UNTAGGED)))).toHaveLength(0);

  // The list shows it completed, all sent.
  await live.getByRole('link', { name: 'Campaigns' }).click();
  const listed = page.getByTestId('campaign-row').filter({ hasText: 'Spring sale' });
  await expect(listed.getByTestId('campaign-status')).toHaveAttribute('data-status', 'completed');
  await expect(listed.getByTestId('campaign-progress')).toHaveText('4 / 5 sent');
});

test('the wizard shows the server’s errors on their fields and saves nothing bad', async ({ page, server }) => {
  await onboard(server);
  await addContact(server, '+14155550101', 'Ana Lima', ['spring']);
  await page.goto(`${server.url}#/campaigns/new`);
  await expect(page.getByRole('heading', { name: 'New campaign' })).toBeVisible();
  await page.getByRole('group', { name: 'Tags', exact: true }).getByRole('button', { name: /spring/ }).click();
  await expect(page.getByTestId('recipient-count')).toHaveText('1 recipient');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('textbox', { name: 'Message' }).fill('Hello {Ana|there');
  // An unbalanced brace is refused while typing, as it is when saving.
  await expect(page.getByTestId('wizard-message').locator('[data-field-error]')).toBeVisible();
  await page.getByRole('textbox', { name: 'Message' }).fill('Hello {{first_name|there}}');
  // A photo goes with it; the text becomes its caption.
  await page.getByLabel('Attach a file').setInputFiles({ name: 'bouquet.png', mimeType: 'image/png', buffer: PNG });
  await expect(page.getByTestId('campaign-media')).toContainText('bouquet.png');
  await expect(page.getByRole('textbox', { name: 'Caption' })).toHaveValue('Hello {{first_name|there}}');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('Advanced settings').click();
  await page.getByLabel('Shortest gap').fill('60');
  await page.getByLabel('Longest gap').fill('10');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByText('At a date and time').click();
  // 02:30 on 14 March 2027 does not exist in New York: the clocks jump from 02:00 to 03:00.
  await page.getByLabel('Start at').fill('2027-03-14T02:30');
  await page.getByRole('button', { name: 'Save and review' }).click();

  // Back to the first step with a problem: the name, then the others where they are.
  await expect(page.getByTestId('wizard-audience')).toBeVisible();
  await expect(page.getByLabel('Campaign name')).toHaveAttribute('aria-invalid', 'true');
  await page.getByLabel('Campaign name').fill('Spring');
  await page.getByRole('button', { name: 'Next' }).click();
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByLabel('Longest gap')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('wizard-pacing').locator('[data-field-error]')).toContainText('longest gap');
  await page.getByLabel('Longest gap').fill('90');
  await page.getByRole('button', { name: 'Next' }).click();
  await expect(page.getByLabel('Start at')).toHaveAttribute('aria-invalid', 'true');
  await expect(page.getByTestId('wizard-schedule').locator('[data-field-error]')).toContainText('does not exist');
  expect((await server.api('GET', '/api/v1/campaigns')).body.data, 'nothing was saved').toEqual([]);

  // A time that exists is accepted; the review shows it and its estimated finish.
  await page.getByLabel('Start at').fill('2027-03-14T10:30');
  await page.getByRole('button', { name: 'Save and review' }).click();
  await expect(page.getByTestId('wizard-review')).toBeVisible();
  await expect(page.getByTestId('review-eta')).not.toHaveText('—');
  await page.getByRole('button', { name: 'Schedule campaign' }).click();
  await expect(page.getByTestId('live-campaign').getByTestId('campaign-status')).toHaveAttribute('data-status', 'scheduled');
  const [saved] = (await server.api('GET', '/api/v1/campaigns')).body.data;
  expect(saved).toMatchObject({ name: 'Spring', status: 'scheduled', scheduledLocal: '2027-03-14T10:30', media: { mimetype: 'image/png', filename: 'bouquet.png' } });

  // Still scheduled, it can be edited: the wizard opens with what was saved, and keeps the photo.
  await page.getByTestId('live-campaign').getByRole('button', { name: 'Edit' }).click();
  await expect(page.getByRole('heading', { name: 'Edit campaign' })).toBeVisible();
  await expect(page.getByLabel('Campaign name')).toHaveValue('Spring');
  await page.getByLabel('Campaign name').fill('Spring fair');
  await page.getByRole('list', { name: 'Steps' }).getByRole('button', { name: 'Review' }).click();
  await expect(page.getByTestId('wizard-review')).toContainText('With the file bouquet.png');
  await page.getByRole('button', { name: 'Done' }).click();
  const row = page.getByTestId('campaign-row').filter({ hasText: 'Spring fair' });
  await expect(row.getByTestId('campaign-status')).toHaveAttribute('data-status', 'scheduled');
  const [edited] = (await server.api('GET', '/api/v1/campaigns')).body.data;
  expect(edited).toMatchObject({ id: saved.id, name: 'Spring fair', status: 'scheduled', scheduledLocal: '2027-03-14T10:30', media: { filename: 'bouquet.png' } });
});
