// The dashboard's calls to REST v1, typed, so components never spell paths. The charts come back as files
// (SVG to show, PNG to download) and the series as CSV, through the client's blob answers on either
// transport.

import { api } from '../../api/client';
import type { AnalyticsChart, AnalyticsOverview, AnalyticsSeries, CampaignFigures } from '../../api/types';
import { rangeQuery, type RangeChoice } from './logic';

const V1 = '/api/v1';

export type ChartTheme = 'light' | 'dark';

export const getOverview = (range: RangeChoice) => api.get<AnalyticsOverview>(`${V1}/analytics/overview`, rangeQuery(range));

export const getCampaignFigures = (range: RangeChoice) => api.get<CampaignFigures[]>(`${V1}/analytics/campaigns`, rangeQuery(range));

export interface ChartRequest {
  chart: AnalyticsChart;
  range: RangeChoice;
  theme: ChartTheme;
  width: number;
  height: number;
}

/** A chart drawn by the server, as an SVG or PNG file. */
export const getChart = ({ chart, range, theme, width, height }: ChartRequest, format: 'svg' | 'png'): Promise<Blob> =>
  api.blob(`${V1}/analytics/charts/${chart}`, { ...rangeQuery(range), format, theme, width, height });

/** A series as the server's CSV file. */
export const exportSeries = (series: AnalyticsSeries, range: RangeChoice): Promise<Blob> =>
  api.blob(`${V1}/analytics/${series}/export`, { ...rangeQuery(range), format: 'csv' });
