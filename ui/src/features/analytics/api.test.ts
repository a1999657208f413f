// The dashboard's calls: the range, chart and export parameters as the analytics routes read them.
import { beforeEach, describe, expect, it, vi } from 'vitest';

const client = vi.hoisted(() => ({ api: { get: vi.fn(), blob: vi.fn() } }));
vi.mock('../../api/client', () => client);

import { exportSeries, getCampaignFigures, getChart, getOverview } from './api';

describe('analytics calls', () => {
  beforeEach(() => {
    client.api.get.mockReset().mockResolvedValue({});
    client.api.blob.mockReset().mockResolvedValue(new Blob());
  });

  it('ask for a named period or for two dates', async () => {
    await getOverview({ kind: 'period', period: '90d' });
    expect(client.api.get).toHaveBeenLastCalledWith('/api/v1/analytics/overview', { period: '90d' });
    await getCampaignFigures({ kind: 'custom', from: '2026-01-01', to: '2026-01-31' });
    expect(client.api.get).toHaveBeenLastCalledWith('/api/v1/analytics/campaigns', { from: '2026-01-01', to: '2026-01-31' });
  });

  it('fetch a chart as a file in the theme and size asked', async () => {
    await getChart({ chart: 'response-time', range: { kind: 'period', period: 'today' }, theme: 'dark', width: 520, height: 320 }, 'svg');
    expect(client.api.blob).toHaveBeenLastCalledWith('/api/v1/analytics/charts/response-time', {
      period: 'today',
      format: 'svg',
      theme: 'dark',
      width: 520,
      height: 320,
    });
  });

  it('export a series as CSV for the range', async () => {
    await exportSeries('contacts', { kind: 'custom', from: '2026-03-01', to: '2026-03-07' });
    expect(client.api.blob).toHaveBeenLastCalledWith('/api/v1/analytics/contacts/export', { from: '2026-03-01', to: '2026-03-07', format: 'csv' });
  });
});
