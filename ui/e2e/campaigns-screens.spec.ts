// Screenshots of the campaigns screens (`SCREENSHOTS=1 npx playwright test e2e/campaigns-screens.spec.ts`): for
// the docs (docs/screenshots/) the wizard's message step with its preview and a campaign's live page while it
// sends; for reviewing the look (e2e/screenshots/) the other wizard steps and the list. Not part of normal runs.

import { expect, test } from './server';

test.use({ serverArgs: ['--demo'], viewport: { width: 1280, height: 1000 } });

const docs = '../docs/screenshots';
const shots = 'e2e/screenshots';

const CUSTOMERS: Array<[string, string, string]> = [
  ['+14155550101', 'Ana Lima', 'Recife'],
  ['+14155550102', 'Bruno Costa', 'Lisbon'],
  ['+14155550103', 'Carla Dias', 'Porto'],
  ['+14155550104', 'Davi Rocha', ''],
  ['+14155550105', 'Elena Martins', 'Braga'],
  ['+14155550106', 'Felipe Souza', 'Faro'],
  ['+14155550107', 'Gabriela Nunes', ''],
  ['+14155550108', 'Hugo Almeida', 'Coimbra'],
  ['+14155550109', 'Iris Barros', 'Aveiro'],
  ['+14155550110', 'João Pires', ''],
  ['+14155550111', 'Karina Lopes', 'Évora'],
  ['+14155550112', 'Luís Teixeira', 'Sintra'],
];

for (const scheme of ['light', 'dark'] as const) {
  test(`campaign screens in ${scheme} mode`, async ({ page, server }) => {
    test.setTimeout(180_000);
    await page.emulateMedia({ colorScheme: scheme });
    // The docs show the light look; both looks go to e2e/screenshots/ for review.
    const snap = async (name: string, doc?: string) => {
      await page.screenshot({ path: `${shots}/${scheme}-${name}.png` });
      if (doc && scheme === 'light') await page.screenshot({ path: `${docs}/${doc}.png` });
    };
    await server.api('PUT', '/api/v1/profile', { businessName: "Rosa's Flowers", country: 'US', timezone: 'America/New_York' });
    const sim = (await server.api('GET', '/api/v1/app/state')).body.data.simulatorUrl as string;
    await page.request.post(`${sim}control/config`, { data: { ackDelaysMs: [200, 1500, 4000], notOnWhatsApp: ['+14155550107'] } });
    for (const [phoneNumber, name, city] of CUSTOMERS) {
      await server.api('POST', '/api/v1/contacts', { phoneNumber, name, tags: ['regulars'], fields: city ? { city } : {} });
    }
    await server.api('POST', '/api/v1/contacts', { phoneNumber: '+14155550113', name: 'Marta Opted', tags: ['regulars'], optedOut: true });
    await server.api('POST', '/api/v1/contacts', { phoneNumber: '+14155550114', name: 'Nuno Wholesale', tags: ['wholesale'] });

    await page.goto(server.url);
    const scan = page.getByTestId('simulated-phone').getByRole('button', { name: 'Scan the QR code' });
    await expect(scan).toBeEnabled({ timeout: 30_000 });
    await scan.click();
    await expect(page.getByTestId('connection-status')).toContainText('WhatsApp connected', { timeout: 30_000 });

    await page.goto(`${server.url}#/campaigns/new`);
    await page.getByLabel('Campaign name').fill('Mother’s Day bouquets');
    await page.getByRole('group', { name: 'Tags', exact: true }).getByRole('button', { name: /regulars/ }).click();
    await expect(page.getByTestId('recipient-count')).toHaveText('12 recipients');
    await snap('30-campaigns-audience');
    await page.getByRole('button', { name: 'Next' }).click();
    await page
      .getByRole('textbox', { name: 'Message' })
      .fill('{Hi|Hello|Good morning} {{first_name|there}}! Mother’s Day is on Sunday: {order|book} a bouquet for delivery in {{city|your city}} before Friday and get 15% off. Reply STOP to opt out.');
    await expect(page.getByTestId('variant-count')).toHaveText('6 possible versions');
    await expect(page.getByTestId('preview-variant')).toHaveCount(5);
    await page.getByLabel('Preview for recipient').selectOption({ label: 'Bruno Costa' });
    await expect(page.getByTestId('preview-recipient')).toContainText('Bruno');
    await expect(page.getByTestId('preview-recipient')).toContainText('Lisbon');
    await page.mouse.move(0, 0);
    await snap('31-campaigns-message', 'campaigns-wizard-preview');

    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('Advanced settings').click();
    await page.getByLabel('Shortest gap').fill('2');
    await page.getByLabel('Longest gap').fill('3');
    await page.getByLabel('Quiet hours').uncheck();
    await page.getByLabel('Show “typing…” before each message').uncheck();
    await page.getByLabel('Warm-up for a newly linked number').uncheck();
    // The estimate follows the last change (no quiet hours: minutes, not hours).
    await expect(page.getByTestId('pacing-eta')).toContainText(/take about \d+ min/);
    await snap('32-campaigns-pacing');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByText('At a date and time').click();
    await snap('33-campaigns-schedule');
    await page.getByText('When I start it').click();
    await page.getByRole('button', { name: 'Save and review' }).click();
    await expect(page.getByTestId('review-eta')).not.toHaveText('—');
    await snap('34-campaigns-review');
    await page.getByRole('button', { name: 'Send now' }).click();

    const live = page.getByTestId('live-campaign');
    await expect(live.getByTestId('campaign-status')).toHaveAttribute('data-status', 'sending');
    // Midway, with some messages read, some delivered and some still to go.
    await expect(live.getByTestId('recipient-row').and(page.locator('[data-status="read"]'))).toHaveCount(3, { timeout: 60_000 });
    await expect(live.getByTestId('recipient-row').and(page.locator('[data-status="pending"]')).first()).toBeVisible();
    for (const button of await page.getByRole('button', { name: 'Dismiss' }).all()) await button.click();
    await expect(page.getByRole('button', { name: 'Dismiss' })).toHaveCount(0);
    await page.mouse.move(0, 0);
    await snap('35-campaigns-live', 'campaigns-live');

    await live.getByRole('link', { name: 'Campaigns' }).click();
    await expect(page.getByTestId('campaign-row')).toHaveCount(1);
    await snap('36-campaigns-list');
  });
}
