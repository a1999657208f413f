// Contacts end to end, in Chromium against a real whatsflow-server: create three contacts and a tag by
// hand, bulk-tag them and filter by the tag; import a CSV with bad rows (the report lists each with its
// line and reason, the good rows are in); export and re-import (nothing changes).

import { readFileSync } from 'node:fs';
import { expect, test, type RunningServer } from './server';
import type { Page } from '@playwright/test';

async function onboard(server: RunningServer) {
  const saved = await server.api('PUT', '/api/v1/profile', { businessName: 'Rosa Flowers', country: 'US', timezone: 'America/New_York' });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
}

async function openContacts(page: Page, server: RunningServer) {
  await page.goto(server.url);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Contacts' }).click();
  await expect(page.getByRole('heading', { name: 'Contacts', exact: true })).toBeVisible();
}

const rows = (page: Page) => page.getByTestId('contact-row');

test('create three contacts, bulk-tag them and filter by the tag', async ({ page, server }) => {
  await onboard(server);
  // Someone who must not be caught by the tag filter.
  expect((await server.api('POST', '/api/v1/contacts', { phoneNumber: '+44 7400 123456', name: 'Zed Outsider' })).status).toBe(200);
  await openContacts(page, server);
  await expect(rows(page)).toHaveCount(1);

  // A tag, from the tag manager.
  await page.getByRole('button', { name: 'Tags', exact: true }).click();
  await page.getByLabel('New tag name').fill('Spring fair');
  await page.getByRole('button', { name: 'Create' }).click();
  await expect(page.getByTestId('tag-row')).toHaveCount(1);
  await page.getByRole('button', { name: 'Close', exact: true }).click();

  for (const [phone, name] of [
    ['(415) 555-0132', 'Rosa Martínez'],
    ['+55 11 91234-5678', 'Ana Silva'],
    ['0049 171 2345678', 'Jürgen Müller'],
  ]) {
    await page.getByRole('button', { name: 'New contact' }).click();
    await page.getByLabel('Phone number', { exact: true }).fill(phone!);
    await page.getByRole('dialog').getByLabel(/^Name/).fill(name!);
    await page.getByRole('button', { name: 'Add contact' }).click();
    await expect(rows(page).filter({ hasText: name! })).toHaveCount(1);
  }
  // A number of the business's country reads in national format in the detail panel.
  await rows(page).filter({ hasText: 'Rosa Martínez' }).click();
  await expect(page.getByTestId('detail-phone')).toHaveText('(415) 555-0132');

  // The same number again is refused with a clear message under the field.
  await page.getByRole('button', { name: 'New contact' }).click();
  await page.getByLabel('Phone number', { exact: true }).fill('415 555 0132');
  await page.getByRole('button', { name: 'Add contact' }).click();
  await expect(page.getByRole('alert').filter({ hasText: 'already exists' })).toBeVisible();
  await page.getByRole('button', { name: 'Cancel' }).click();

  for (const name of ['Rosa Martínez', 'Ana Silva', 'Jürgen Müller']) {
    await page.getByRole('checkbox', { name: `Select ${name}` }).check();
  }
  await expect(page.getByTestId('selection-count')).toHaveText('3 contacts selected');
  await page.getByLabel('Add a tag to the selected contacts').selectOption({ label: 'Spring fair' });
  await expect(rows(page).getByTestId('tag-chip').filter({ hasText: 'Spring fair' })).toHaveCount(3);

  await page.getByRole('group', { name: 'Filter by tags' }).getByRole('button', { name: 'Spring fair' }).click();
  await expect(rows(page)).toHaveCount(3);
  await expect(rows(page).filter({ hasText: 'Zed Outsider' })).toHaveCount(0);
  await expect(page.getByTestId('contacts-total')).toHaveText('3 contacts');
  const tagged = await server.api('GET', '/api/v1/contacts/count?tag=1');
  expect(tagged.body.data.total).toBe(3);
});

test('import a CSV with bad rows: the report lists them and the good rows are in', async ({ page, server }) => {
  await onboard(server);
  await openContacts(page, server);
  const csv = [
    'Name;Mobile;Tags;Notes',
    'Rosa Martínez;(415) 555-0132;VIP, Wholesale;likes tulips',
    'Nobody;;;',
    'Typo;call me;;',
    '"Ana Silva";+55 11 91234-5678;VIP;"two',
    'lines"',
    'Rosa again;415-555-0132;;',
    'Bob;+1 555;;',
  ].join('\n');
  await page.getByRole('button', { name: 'Import', exact: true }).click();
  await page.getByTestId('import-file').setInputFiles({ name: 'customers.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

  const counts = page.getByTestId('import-counts');
  await expect(counts.getByTestId('count-new')).toHaveText('2');
  await expect(counts.getByTestId('count-rejected')).toHaveText('4');
  const rejected = page.getByTestId('rejected-rows');
  await expect(rejected.getByRole('listitem')).toHaveCount(4);
  await expect(rejected.getByRole('listitem').nth(0)).toContainText('Line 3');
  await expect(rejected.getByRole('listitem').nth(0)).toContainText('No phone number');
  await expect(rejected.getByRole('listitem').nth(1)).toContainText('Line 4');
  await expect(rejected.getByRole('listitem').nth(1)).toContainText('Not a phone number');
  await expect(rejected.getByRole('listitem').nth(2)).toContainText('Line 7');
  await expect(rejected.getByRole('listitem').nth(2)).toContainText('Duplicate in file');
  await expect(rejected.getByRole('listitem').nth(3)).toContainText('Line 8');
  await expect(rejected.getByRole('listitem').nth(3)).toContainText('Invalid phone number');
  // Nothing is stored before the confirmation.
  expect((await server.api('GET', '/api/v1/contacts/count')).body.data.total).toBe(0);

  const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download as CSV' }).click()]);
  const report = readFileSync((await file.path())!, 'utf8');
  expect(report).toContain('3,no_phone,no phone number');
  expect(report.trim().split(/\r?\n/)).toHaveLength(5);

  await page.getByTestId('confirm-import').click();
  await expect(page.getByTestId('import-result').getByTestId('count-new')).toHaveText('2');
  await page.getByRole('button', { name: 'Done' }).click();
  await expect(rows(page)).toHaveCount(2);
  await expect(rows(page).filter({ hasText: 'Ana Silva' })).toHaveCount(1);
  const stored = await server.api('GET', '/api/v1/contacts?q=ana');
  expect(stored.body.data[0].notes).toBe('two\nlines');
  expect(stored.body.data[0].source).toBe('import');
});

test('export and re-import: nothing changes', async ({ page, server }) => {
  await onboard(server);
  const tag = await server.api('POST', '/api/v1/tags', { name: 'Regulars', color: '#16a34a' });
  for (const [phoneNumber, name, notes] of [
    ['(415) 555-0132', 'Rosa Martínez', 'likes "tulips", and roses'],
    ['+55 11 91234-5678', 'Ana Silva', 'line one\nline two'],
    ['+44 7400 123456', '', ''],
  ]) {
    const created = await server.api('POST', '/api/v1/contacts', { phoneNumber, name, notes, tags: [tag.body.data.id], fields: { city: 'Lisbon' } });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
  }
  const before = (await server.api('GET', '/api/v1/contacts?limit=500')).body.data;
  await openContacts(page, server);
  await expect(rows(page)).toHaveCount(3);

  for (const format of ['CSV', 'JSON']) {
    const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: format, exact: true }).click()]);
    const path = (await file.path())!;
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByTestId('import-file').setInputFiles(path);
    const counts = page.getByTestId('import-counts');
    await expect(counts.getByTestId('count-unchanged')).toHaveText('3');
    await expect(counts.getByTestId('count-new')).toHaveText('0');
    await expect(counts.getByTestId('count-updated')).toHaveText('0');
    await expect(counts.getByTestId('count-rejected')).toHaveText('0');
    // Even overwriting changes nothing: the file holds exactly what is stored.
    await page.getByLabel('Existing numbers').selectOption('overwrite');
    await expect(counts.getByTestId('count-unchanged')).toHaveText('3');
    await expect(page.getByTestId('confirm-import')).toBeDisabled();
    await page.getByRole('button', { name: 'Close', exact: true }).click();
  }
  const after = (await server.api('GET', '/api/v1/contacts?limit=500')).body.data;
  expect(after).toEqual(before);
});
