// Scripting from Settings → REST API, in a browser served by whatsflow-server: there the REST API is this
// very server (the on/off switch exists only in the desktop app), so the section shows its address. A key
// created in Settings works for a script (Playwright's `request`) and is refused once revoked; a webhook
// added in Settings gets a signed test delivery at a receiver started here, and the delivery log shows it.

import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from '@playwright/test';
import { expect, test, type RunningServer } from './server';

async function openScripting(page: Page, server: RunningServer) {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Corner Bakery', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('navigation', { name: 'Settings sections' }).getByRole('link', { name: 'REST API' }).click();
}

test('an API key made in Settings serves a script until it is revoked', async ({ page, server, request }) => {
  await openScripting(page, server);
  // A browser is served by whatsflow-server: no switch, its own address for scripts.
  await expect(page.getByRole('switch')).toHaveCount(0);
  await expect(page.getByTestId('rest-api-base-url')).toHaveText(server.origin);
  const docsLink = page.getByRole('link', { name: `${server.origin}/api/v1/docs` });
  const docs = await request.get((await docsLink.getAttribute('href')) ?? '');
  expect(docs.status()).toBe(200);
  expect(await docs.text()).toContain('/api/v1/settings/rest-api');

  await page.getByLabel('Key name').fill('order sync');
  await page.getByRole('checkbox', { name: /^Send/ }).check();
  await page.getByRole('button', { name: 'Create key' }).click();
  const key = (await page.getByTestId('new-api-key').textContent()) ?? '';
  expect(key).toMatch(/^wf_/);
  await expect(page.getByTestId('rest-api-curl')).toContainText(`Bearer ${key}`);
  const listed = page.getByRole('list', { name: 'API keys' }).getByRole('listitem').filter({ hasText: 'order sync' });
  await expect(listed).toContainText('read, send');
  await expect(listed).toContainText(key.slice(0, 11));

  const asScript = () => request.get(`${server.origin}/api/v1/contacts?limit=5`, { headers: { Authorization: `Bearer ${key}` } });
  const served = await asScript();
  expect(served.status(), await served.text()).toBe(200);
  expect((await served.json()).success).toBe(true);
  // The key's scopes hold: read and send, not admin.
  const keys = await request.get(`${server.origin}/api/v1/keys`, { headers: { Authorization: `Bearer ${key}` } });
  expect(keys.status()).toBe(403);

  await listed.getByRole('button', { name: 'Revoke' }).click();
  await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
  await expect(listed).toContainText('Revoked');
  expect((await asScript()).status()).toBe(401);
});

test('a webhook added in Settings gets a signed test delivery, shown in its log', async ({ page, server }) => {
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      received.push({ headers: req.headers, body });
      res.writeHead(200, { 'Content-Type': 'text/plain' }).end('thanks');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  try {
    await openScripting(page, server);
    await page.getByRole('button', { name: 'Add webhook' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Receiver URL').fill(hookUrl);
    await dialog.getByRole('checkbox', { name: /Contact created/ }).check();
    await dialog.getByRole('button', { name: 'Add webhook' }).click();

    const hook = page.getByRole('region', { name: `Webhook ${hookUrl}` });
    await expect(hook).toContainText('message.received, contact.created');
    const secret = (await hook.getByLabel('Signing secret', { exact: true }).textContent()) ?? '';
    expect(secret).toMatch(/^whsec_/);

    await hook.getByRole('button', { name: 'Send test event' }).click();
    const log = hook.getByRole('table', { name: 'Delivery log' });
    const row = log.getByRole('row').filter({ hasText: 'webhook.test' });
    await expect(row).toContainText('delivered');
    await expect(row).toContainText('HTTP 200');

    // The receiver got it once, signed per Standard Webhooks with the secret Settings shows.
    expect(received).toHaveLength(1);
    const [delivery] = received;
    const id = String(delivery!.headers['webhook-id']);
    const timestamp = String(delivery!.headers['webhook-timestamp']);
    const expected = createHmac('sha256', Buffer.from(secret.slice('whsec_'.length), 'base64'))
      .update(`${id}.${timestamp}.${delivery!.body}`)
      .digest('base64');
    expect(String(delivery!.headers['webhook-signature']).split(' ')).toContain(`v1,${expected}`);
    expect(JSON.parse(delivery!.body).type).toBe('webhook.test');
  } finally {
    await new Promise((resolve) => receiver.close(resolve));
  }
});
