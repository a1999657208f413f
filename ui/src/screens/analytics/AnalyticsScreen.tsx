// The Analytics screen: the dashboard a shop owner opens every morning. The range picker, the cards with the
// previous period beside each figure, the server-drawn charts in the window's theme (PNG and CSV downloads),
// and the campaigns of the range. It follows live events, so it stays current while open.

import { useState } from 'react';
import { Page } from '../../components/Page';
import { Alert, Spinner } from '../../components/ui';
import { CampaignTable } from '../../features/analytics/CampaignTable';
import { ChartCard } from '../../features/analytics/ChartCard';
import { FigureCards } from '../../features/analytics/FigureCards';
import { CHARTS, DEFAULT_RANGE, rangeKey, rangeLabel, type RangeChoice } from '../../features/analytics/logic';
import { RangePicker } from '../../features/analytics/RangePicker';
import { useDashboard } from '../../features/analytics/useDashboard';
import { useColorScheme } from '../../lib/theme';

export function AnalyticsScreen() {
  const [range, setRange] = useState<RangeChoice>(DEFAULT_RANGE);
  const { overview, campaigns, shownKey, error, version } = useDashboard(range);
  const theme = useColorScheme();
  const resolved = overview?.range ?? null;
  const stale = shownKey !== rangeKey(range);

  return (
    <Page title="Analytics">
      <div className="mx-auto max-w-7xl space-y-6 p-6">
        <div className="flex flex-wrap items-start justify-between gap-3">
          <RangePicker value={range} onChange={setRange} resolved={resolved} />
          {resolved && (
            <p data-testid="range-label" className="text-sm text-zinc-500 dark:text-zinc-400">
              <span className="font-medium text-zinc-700 dark:text-zinc-300">{rangeLabel(resolved.from, resolved.to)}</span>
              {' · compared with '}
              {rangeLabel(resolved.previousFrom, resolved.previousTo)}
            </p>
          )}
        </div>
        {error && <Alert title="The figures could not be loaded">{error}</Alert>}
        {overview && resolved ? (
          <div data-testid="dashboard" aria-busy={stale} className={stale ? 'opacity-60 transition-opacity' : 'transition-opacity'}>
            <FigureCards overview={overview} />
            <div className="mt-8 grid grid-cols-1 gap-4 xl:grid-cols-2">
              {CHARTS.map((spec) => (
                <ChartCard key={spec.chart} spec={spec} range={range} days={resolved} theme={theme} version={version} />
              ))}
            </div>
            <div className="mt-8">
              <CampaignTable campaigns={campaigns} />
            </div>
          </div>
        ) : (
          !error && <Spinner label="Loading the figures…" />
        )}
      </div>
    </Page>
  );
}
