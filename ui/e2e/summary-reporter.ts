// Prints one plain closing line, `e2e: N passed, N failed, N skipped`, after Playwright's own summary, so
// CI logs (which read a plain "N passed, N failed" line) count the end-to-end tests.

import type { FullResult, Reporter, TestCase, TestResult } from '@playwright/test/reporter';

export default class SummaryReporter implements Reporter {
  private passed = 0;
  private failed = 0;
  private skipped = 0;

  onTestEnd(test: TestCase, result: TestResult): void {
    // Only a test's final attempt counts (retries would otherwise count twice).
    if (result.retry < test.retries && result.status !== 'passed' && result.status !== 'skipped') return;
    if (result.status === 'passed') this.passed += 1;
    else if (result.status === 'skipped') this.skipped += 1;
    else this.failed += 1;
  }

  onEnd(result: FullResult): void {
    // A run that broke before any test (e.g. a bad config) must not look clean.
    if (result.status !== 'passed' && this.failed === 0) this.failed = 1;
    console.log(`e2e: ${this.passed} passed, ${this.failed} failed, ${this.skipped} skipped`);
  }

  printsToStdio(): boolean {
    return false;
  }
}
