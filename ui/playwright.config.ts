// Playwright end-to-end tests: the built UI served by a real whatsflow-server, driven in Debian's Chromium.
// Run `npm run build` first (the server serves ui/dist). Never downloads a browser.

import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: './e2e',
  // The screenshot walk is for reviewing the look, not a check: it runs only when asked for.
  testIgnore: process.env.SCREENSHOTS ? [] : ['**/screens.spec.ts', '**/connect-screens.spec.ts', '**/campaigns-screens.spec.ts'],
  // One worker: each test starts its own server and the machines have 2 cores.
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  // No retries: a test that sometimes fails is a bug to find, not to retry.
  retries: 0,
  timeout: 60_000,
  reporter: [['list'], ['./e2e/summary-reporter.ts']],
  outputDir: './test-results',
  use: {
    browserName: 'chromium',
    viewport: { width: 1280, height: 800 },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.WHATSFLOW_E2E_CHROMIUM ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    },
  },
});
