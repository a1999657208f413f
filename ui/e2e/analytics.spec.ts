// The analytics dashboard end to end against whatsflow-server --demo: customers write through the WhatsApp
// Web simulator and the business answers through the REST API, so every figure is known; the dashboard then
// shows those figures and the server-drawn charts (actually loaded, in the window's theme), changes with the
// range, offers the PNG and CSV downloads, and follows a new message live. With WhatsApp connected and
// history, it is the screen the app opens on. With SCREENSHOTS=1 it also takes
// the dashboard's pictures for docs/screenshots/ in light and dark.

import type { Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { expect, test, type RunningServer } from './server';

test.use({ serverArgs: ['--demo'] });

/** Generous: the server starts Chromium and loads the simulator before the phone can scan. */
const LINK_TIMEOUT = 30_000;
/** Messages travel simulator → page → link → engine, and acks back. */
const LIVE_TIMEOUT = 15_000;

const CHARTS = ['messages', 'contacts', 'funnel', 'heatmap', 'response-time', 'campaigns'];

/**
 * A fixed-offset zone where it is around noon now, so "today" in the business's zone cannot end while the
 * test runs (Etc/GMT-N is UTC+N: the sign is POSIX's).
 */
function noonZone(): string {
  const offset = 12 - new Date().getUTCHours();
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}

async function control(page: Page, simulatorUrl: string, action: string, body: unknown = {}) {
  const response = await page.request.post(`${simulatorUrl}control/${action}`, { data: body });
  expect(response.ok(), `control/${action}: ${await response.text()}`).toBe(true);
  return response.json();
}

const CUSTOMERS = [
  { from: '+14155550131', pushName: 'Ana', bodies: ['Hi! Are you open on Sunday?', 'And do you deliver?'] },
  { from: '+14155550132', pushName: 'Ben', bodies: ['Can I order 12 red roses?'] },
  { from: '+14155550133', pushName: 'Cleo', bodies: ['Thanks for the lovely bouquet!'] },
];

/**
 * Today's known history: three customers write four messages (three new contacts, three conversations they
 * started), and the business answers two of them, both read by now.
 */
async function arrange(page: Page, server: RunningServer): Promise<string> {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: "Rosa's Flowers", country: 'US', timezone: noonZone() });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  const simulatorUrl = (await server.api('GET', '/api/v1/app/state')).body.data.simulatorUrl as string;
  // The link's browser must show the QR before the phone can scan it.
  await expect
    .poll(async () => (await (await page.request.get(`${simulatorUrl}control/state`)).json()).qr ?? null, { timeout: LINK_TIMEOUT })
    .not.toBeNull();
  await control(page, simulatorUrl, 'scan', { phoneNumber: '+14155550100', pushName: "Rosa's Flowers" });
  await expect
    .poll(async () => (await server.api('GET', '/api/v1/whatsapp/status')).body.data.state, { timeout: LINK_TIMEOUT })
    .toBe('connected');

  for (const customer of CUSTOMERS) {
    for (const body of customer.bodies) await control(page, simulatorUrl, 'inbound', { from: customer.from, pushName: customer.pushName, body });
  }
  await expect
    .poll(async () => (await server.api('GET', '/api/v1/analytics/overview?period=today')).body.data.messagesReceived, { timeout: LIVE_TIMEOUT })
    .toBe(4);

  for (const [to, message] of [
    ['+14155550131', 'Yes, Sundays 9 to 2, and we deliver in town.'],
    ['+14155550132', 'Of course! Ready at 5 pm.'],
  ]) {
    const sent = await server.api('POST', '/api/v1/messages/send', { phoneNumber: to, message });
    expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  }
  // The simulated phones deliver and read by themselves; the figures are final once both are read.
  await expect
    .poll(async () => (await server.api('GET', '/api/v1/analytics/overview?period=today')).body.data.messagesRead, { timeout: LIVE_TIMEOUT })
    .toBe(2);
  return simulatorUrl;
}

/** A campaign to the three customers, sent at once (no pacing), and read by all. */
async function runCampaign(server: RunningServer) {
  const created = await server.api('POST', '/api/v1/campaigns', {
    name: 'Spring roses',
    messageContent: '{Hi|Hello} {{first_name|there}}! Spring roses are in: 20% off this week.',
    targetType: 'all',
    pacing: { minGapMs: 0, maxGapMs: 0, hourlyCap: 1000, dailyCap: 1000, quietHours: null, burstSize: 100, burstPauseMs: 0, typing: false, warmUp: false },
  });
  expect(created.status, JSON.stringify(created.body)).toBe(200);
  const id = created.body.data.id as number;
  const sent = await server.api('POST', `/api/v1/campaigns/${id}/send`);
  expect(sent.status, JSON.stringify(sent.body)).toBe(200);
  await expect.poll(async () => (await server.api('GET', `/api/v1/campaigns/${id}`)).body.data.status, { timeout: LIVE_TIMEOUT }).toBe('completed');
  await expect
    .poll(async () => (await server.api('GET', '/api/v1/analytics/overview?period=today')).body.data.messagesRead, { timeout: LIVE_TIMEOUT })
    .toBe(5);
}

/** Opens the app: with WhatsApp connected and history, its first screen is the dashboard, unasked. */
async function openDashboard(page: Page, server: RunningServer) {
  await page.goto(server.url);
  await expect(page.getByRole('heading', { name: 'Analytics', exact: true })).toBeVisible();
  await expect(page).toHaveURL(/#\/analytics$/);
  await expect(page.getByTestId('dashboard')).toBeVisible();
}

const figure = (page: Page, id: string) => page.getByTestId(`figure-${id}`).getByTestId('figure-value');
const previous = (page: Page, id: string) => page.getByTestId(`figure-${id}`).getByTestId('figure-previous');
const period = (page: Page, name: string) => page.getByRole('group', { name: 'Period' }).getByRole('button', { name, exact: true });

/** Every chart is an image the browser decoded and laid out, none still loading. */
async function expectChartsDrawn(page: Page) {
  for (const chart of CHARTS) {
    const card = page.getByTestId(`chart-${chart}`);
    await expect(card).toHaveAttribute('aria-busy', 'false');
    const image = card.getByRole('img');
    await expect(image).toBeVisible();
    await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0 && img.naturalHeight > 0)).toBe(true);
    const box = await image.boundingBox();
    expect(box && box.width > 100 && box.height > 100, `${chart} is laid out: ${JSON.stringify(box)}`).toBe(true);
  }
}

/** The address each chart was last asked for by the page: which range, theme and size the UI wanted. */
function recordCharts(page: Page): Map<string, URL> {
  const charts = new Map<string, URL>();
  page.on('request', (request) => {
    const url = new URL(request.url());
    const match = /\/api\/v1\/analytics\/charts\/([a-z-]+)$/.exec(url.pathname);
    if (match && url.searchParams.get('format') === 'svg') charts.set(match[1]!, url);
  });
  return charts;
}

/**
 * The SVG a chart's address answers (the page's security policy keeps its object URLs from being read
 * back, so the same request is made again here).
 */
async function chartSvg(page: Page, server: RunningServer, url: URL | undefined): Promise<string> {
  expect(url, 'the page asked for the chart').toBeDefined();
  const response = await page.request.get(url!.href, { headers: { Authorization: `Bearer ${server.token}` } });
  expect(response.headers()['content-type']).toBe('image/svg+xml');
  return response.text();
}

test('the dashboard shows the known figures and charts, and changes with the range', async ({ page, server }) => {
  const simulatorUrl = await arrange(page, server);
  const charts = recordCharts(page);
  await openDashboard(page, server);

  // The last 7 days (the default): everything happened today, nothing in the 7 days before.
  await expect(period(page, '7 days')).toHaveAttribute('aria-pressed', 'true');
  await expect(figure(page, 'received')).toHaveText('4');
  await expect(previous(page, 'received')).toHaveText('previous: 0');
  await expect(figure(page, 'sent')).toHaveText('2');
  await expect(figure(page, 'delivered')).toHaveText('2');
  await expect(figure(page, 'read')).toHaveText('2');
  await expect(figure(page, 'delivery-rate')).toHaveText('100%');
  await expect(figure(page, 'read-rate')).toHaveText('100%');
  await expect(figure(page, 'conversations-customers')).toHaveText('3');
  await expect(figure(page, 'conversations-business')).toHaveText('0');
  await expect(figure(page, 'new-contacts')).toHaveText('3');
  await expect(page.getByTestId('figure-new-contacts')).toContainText('3 from chats');
  await expect(figure(page, 'active-contacts')).toHaveText('3');
  await expect(figure(page, 'opted-out')).toHaveText('0');
  // Two customers were written to; neither has written back since.
  await expect(figure(page, 'reply-rate')).toHaveText('0%');
  await expect(page.getByTestId('figure-reply-rate')).toContainText('0 of 2 contacts answered within 24 h');
  // Two of the three customers got an answer, within seconds.
  await expect(figure(page, 'median-response')).toHaveText(/^\d+ s$/);
  await expect(page.getByTestId('figure-median-response')).toContainText('over 2 answered messages');
  await expect(figure(page, 'campaigns-run')).toHaveText('0');
  await expectChartsDrawn(page);
  // Drawn in the light theme, with the data: not the empty chart's sentence.
  expect(charts.get('messages')!.searchParams.get('theme')).toBe('light');
  expect(charts.get('messages')!.searchParams.get('period')).toBe('7d');
  const messagesSvg = await chartSvg(page, server, charts.get('messages'));
  expect(messagesSvg).toContain('Messages sent and received');
  expect(messagesSvg).not.toContain('No messages in this period.');
  expect(await chartSvg(page, server, charts.get('campaigns'))).toContain('No campaign sent messages in this period.');

  // Yesterday: nothing happened. The cards say zero and the charts their own sentence, not an error.
  await period(page, 'Yesterday').click();
  await expect(figure(page, 'received')).toHaveText('0');
  await expect(figure(page, 'sent')).toHaveText('0');
  await expect(figure(page, 'delivery-rate')).toHaveText('–');
  await expect(figure(page, 'median-response')).toHaveText('–');
  await expect(page.getByTestId('dashboard')).toHaveAttribute('aria-busy', 'false');
  await expectChartsDrawn(page);
  expect(charts.get('messages')!.searchParams.get('period')).toBe('yesterday');
  expect(await chartSvg(page, server, charts.get('messages'))).toContain('No messages in this period.');
  expect(await chartSvg(page, server, charts.get('funnel'))).toContain('Nothing was sent in this period.');
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Today: the figures again, with yesterday as the period before.
  await period(page, 'Today').click();
  await expect(figure(page, 'received')).toHaveText('4');
  await expect(previous(page, 'received')).toHaveText('previous: 0');
  await expect(page.getByTestId('figure-received')).toContainText('new');

  // A custom range: a wrong one is explained at its field; a right one long ago is empty.
  await page.getByRole('group', { name: 'Period' }).getByRole('button', { name: 'Custom' }).click();
  await page.getByLabel('From', { exact: true }).fill('2025-02-10');
  await page.getByLabel('To', { exact: true }).fill('2025-02-01');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByRole('alert')).toHaveText('The first day must not be after the last day');
  await expect(figure(page, 'received')).toHaveText('4');
  await page.getByLabel('From', { exact: true }).fill('2025-01-01');
  await page.getByRole('button', { name: 'Apply' }).click();
  await expect(page.getByTestId('range-label')).toContainText('Jan 1 – Feb 1, 2025');
  await expect(figure(page, 'received')).toHaveText('0');
  await expect(page.getByRole('alert')).toHaveCount(0);

  // Back to today, a customer writes: the dashboard follows without a reload.
  await period(page, 'Today').click();
  await expect(figure(page, 'received')).toHaveText('4');
  await expectChartsDrawn(page);
  await control(page, simulatorUrl, 'inbound', { from: '+14155550134', pushName: 'Dora', body: 'Do you make wedding bouquets?' });
  await expect(figure(page, 'received')).toHaveText('5', { timeout: LIVE_TIMEOUT });
  await expect(figure(page, 'new-contacts')).toHaveText('4');
});

test('charts follow the dark theme and download as PNG and CSV', async ({ page, server }) => {
  await arrange(page, server);
  await page.emulateMedia({ colorScheme: 'dark' });
  const charts = recordCharts(page);
  await openDashboard(page, server);
  await expectChartsDrawn(page);
  for (const chart of CHARTS) expect(charts.get(chart)?.searchParams.get('theme'), chart).toBe('dark');
  // The dark palette's background (zinc-900), as the chart card's.
  const svg = (await chartSvg(page, server, charts.get('funnel'))).toUpperCase();
  expect(svg).toContain('#18181B');
  expect(svg).not.toContain('#FFFFFF');

  const funnel = page.getByTestId('chart-funnel');
  const [png] = await Promise.all([page.waitForEvent('download'), funnel.getByRole('button', { name: /as PNG/ }).click()]);
  expect(png.suggestedFilename()).toMatch(/^whatsflow-funnel-\d{4}-\d{2}-\d{2}-to-\d{4}-\d{2}-\d{2}\.png$/);
  const pngBytes = readFileSync(await png.path());
  expect([...pngBytes.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  // IHDR: 1600 × 720, big-endian, after the signature and the chunk header.
  expect(pngBytes.readUInt32BE(16)).toBe(1600);
  expect(pngBytes.readUInt32BE(20)).toBe(720);

  const [csv] = await Promise.all([page.waitForEvent('download'), funnel.getByRole('button', { name: /as CSV/ }).click()]);
  expect(csv.suggestedFilename()).toMatch(/^whatsflow-messages-.*\.csv$/);
  const rows = readFileSync(await csv.path(), 'utf8').replace(/^\uFEFF/, '').trim().split(/\r?\n/);
  expect(rows[0]).toMatch(/^date,sent,delivered,read,received,replied,/);
  // Seven days, the last one today's: 2 sent, 2 delivered, 2 read, 4 received.
  expect(rows).toHaveLength(8);
  expect(rows[7]).toMatch(/^\d{4}-\d{2}-\d{2},2,2,2,4,/);

  // The heatmap has no series of its own to export.
  await expect(page.getByTestId('chart-heatmap').getByRole('button', { name: /as CSV/ })).toHaveCount(0);
});

for (const scheme of ['light', 'dark'] as const) {
  test(`screenshot of the dashboard in ${scheme} mode`, async ({ page, server }) => {
    test.skip(!process.env.SCREENSHOTS, 'pictures for docs/screenshots/, taken with SCREENSHOTS=1');
    await arrange(page, server);
    await runCampaign(server);
    await page.emulateMedia({ colorScheme: scheme });
    await page.setViewportSize({ width: 1440, height: 900 });
    await openDashboard(page, server);
    await expect(figure(page, 'campaigns-run')).toHaveText('1');
    await expectChartsDrawn(page);
    // Tall enough for the whole dashboard in one picture (a taller window draws the same charts).
    const bottom = await page.getByTestId('dashboard').evaluate((e) => e.getBoundingClientRect().bottom);
    await page.setViewportSize({ width: 1440, height: Math.ceil(bottom) + 24 });
    await expectChartsDrawn(page);
    for (const button of await page.getByRole('button', { name: 'Dismiss' }).all()) await button.click();
    await expect(page.getByRole('button', { name: 'Dismiss' })).toHaveCount(0);
    await page.screenshot({ path: `../docs/screenshots/analytics-${scheme}.png` });
  });
}
