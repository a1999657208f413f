// The dashboard's data for a range: the overview cards and the campaigns, read again (and the charts told to
// redraw) when live events say the figures moved. A burst of events (a campaign going out) causes one
// reload per second at most; an answer for a range no longer shown is dropped.

import { useEffect, useState } from 'react';
import { api, ApiError } from '../../api/client';
import type { AnalyticsOverview, CampaignFigures } from '../../api/types';
import { getCampaignFigures, getOverview } from './api';
import { affectsAnalytics, rangeKey, type RangeChoice } from './logic';

/** Live events are gathered this long before the dashboard reloads. */
const EVENT_BATCH_MS = 1000;

export interface Dashboard {
  overview: AnalyticsOverview | null;
  campaigns: CampaignFigures[];
  /** The range the overview shown is for (it may lag the picker while the next one loads). */
  shownKey: string | null;
  error: string | null;
  /** Bumped after live events changed the data. */
  version: number;
}

export function useDashboard(range: RangeChoice): Dashboard {
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<Omit<Dashboard, 'version'>>({ overview: null, campaigns: [], shownKey: null, error: null });
  const key = rangeKey(range);

  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | null = null;
    const unsubscribe = api.subscribe((event) => {
      if (!affectsAnalytics(event) || timer) return;
      timer = setTimeout(() => {
        timer = null;
        setVersion((v) => v + 1);
      }, EVENT_BATCH_MS);
    });
    return () => {
      if (timer) clearTimeout(timer);
      unsubscribe();
    };
  }, []);

  useEffect(() => {
    let current = true;
    Promise.all([getOverview(range), getCampaignFigures(range)]).then(
      ([overview, campaigns]) => {
        if (current) setState({ overview, campaigns, shownKey: key, error: null });
      },
      (error: unknown) => {
        if (current) setState((s) => ({ ...s, error: error instanceof ApiError ? error.message : String(error) }));
      },
    );
    return () => {
      current = false;
    };
    // `key` stands for the range.
  }, [key, version]);

  return { ...state, version };
}
