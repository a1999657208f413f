// One server-drawn chart of the dashboard: asked for at the width it has on screen, in the window's light or
// dark theme, shown as an image (an SVG in an <img> runs no script), with its PNG download and the CSV
// export of its series. An empty period is the chart's own sentence, drawn by the server like any chart.

import { Download, FileSpreadsheet } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import { ApiError } from '../../api/client';
import { Alert, Button, Spinner } from '../../components/ui';
import { saveBlob } from '../../lib/download';
import { toast } from '../../store/toast';
import { exportSeries, getChart, type ChartTheme } from './api';
import { CHART_HEIGHT, chartWidth, downloadName, PNG_SIZE, rangeKey, type ChartSpec, type RangeChoice } from './logic';

/** The downloads a chart offers: the picture, and the numbers where a series holds them. */
const DOWNLOADS = [
  { what: 'png', icon: Download, label: (title: string) => `Download ${title} as PNG`, title: 'Download as PNG' },
  { what: 'csv', icon: FileSpreadsheet, label: (title: string) => `Export the data of ${title} as CSV`, title: 'Export the numbers as CSV' },
] as const;

function messageOf(error: unknown): string {
  return error instanceof ApiError ? error.message : String(error);
}

/** The pixel width of an element, followed as it is resized, in the server's steps. */
function useStepWidth(): [React.RefObject<HTMLDivElement | null>, number | null] {
  const ref = useRef<HTMLDivElement | null>(null);
  const [width, setWidth] = useState<number | null>(null);
  useEffect(() => {
    const element = ref.current;
    if (!element) return;
    const measure = () => setWidth(chartWidth(element.clientWidth));
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return [ref, width];
}

export function ChartCard({
  spec,
  range,
  days,
  theme,
  version,
}: {
  spec: ChartSpec;
  range: RangeChoice;
  /** The resolved first and last day, for file names. */
  days: { from: string; to: string };
  theme: ChartTheme;
  /** Bumped when live events changed the data: the chart is fetched again. */
  version: number;
}) {
  const [box, width] = useStepWidth();
  const [image, setImage] = useState<{ url: string; key: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'png' | 'csv' | null>(null);
  const key = `${spec.chart}|${rangeKey(range)}|${theme}|${width}|${version}`;

  useEffect(() => {
    if (width === null) return;
    let current = true;
    getChart({ chart: spec.chart, range, theme, width, height: CHART_HEIGHT }, 'svg').then(
      (blob) => {
        if (!current) return;
        setImage({ url: URL.createObjectURL(blob), key });
        setError(null);
      },
      (failure: unknown) => {
        if (current) setError(messageOf(failure));
      },
    );
    return () => {
      current = false;
    };
    // `key` names everything the request depends on.
  }, [key]);

  // An image's object URL lives while it is shown: freed when the next one replaces it, or on leaving.
  const shownUrl = image?.url;
  useEffect(() => {
    if (!shownUrl) return;
    return () => URL.revokeObjectURL(shownUrl);
  }, [shownUrl]);

  const download = async (what: 'png' | 'csv') => {
    setBusy(what);
    try {
      if (what === 'png') {
        const blob = await getChart({ chart: spec.chart, range, theme, ...PNG_SIZE }, 'png');
        saveBlob(blob, downloadName(spec.chart, days.from, days.to, 'png'));
      } else if (spec.csv) {
        const blob = await exportSeries(spec.csv, range);
        saveBlob(blob, downloadName(spec.csv, days.from, days.to, 'csv'));
      }
    } catch (failure) {
      toast(`Could not download: ${messageOf(failure)}`, 'info');
    } finally {
      setBusy(null);
    }
  };

  const loading = image === null || image.key !== key;
  return (
    <section
      data-testid={`chart-${spec.chart}`}
      aria-label={spec.title}
      aria-busy={loading}
      className={`relative overflow-hidden rounded-xl bg-white ring-1 ring-zinc-200 dark:bg-zinc-900 dark:ring-zinc-800 ${spec.wide ? 'xl:col-span-2' : ''}`}
    >
      {/* The chart draws its own title and range at the top left; the downloads sit beside them. */}
      <div className="absolute top-2 right-2 z-10 flex items-center gap-1">
        {DOWNLOADS.filter((d) => d.what === 'png' || spec.csv).map(({ what, icon: Icon, label, title }) => (
          <Button
            key={what}
            variant="ghost"
            size="sm"
            busy={busy === what}
            icon={<Icon className="size-4" aria-hidden />}
            onClick={() => void download(what)}
            aria-label={label(spec.title)}
            title={title}
          >
            {what.toUpperCase()}
          </Button>
        ))}
      </div>
      <div ref={box} style={{ minHeight: CHART_HEIGHT }}>
        {error ? (
          <div className="p-4">
            <Alert title="The chart could not be drawn">{error}</Alert>
          </div>
        ) : image ? (
          <img
            src={image.url}
            alt={spec.title}
            width={width ?? undefined}
            height={CHART_HEIGHT}
            className={`block h-auto max-w-full transition-opacity ${loading ? 'opacity-60' : ''}`}
          />
        ) : (
          <div className="flex items-center justify-center" style={{ height: CHART_HEIGHT }}>
            <Spinner label="Drawing the chart…" />
          </div>
        )}
      </div>
    </section>
  );
}
