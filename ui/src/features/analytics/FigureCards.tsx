// The dashboard's cards: each figure of the range, and beside it the previous period's and how it moved
// (green when that is good news: fewer opt-outs or faster answers are good too).

import { ArrowDownRight, ArrowRight, ArrowUpRight } from 'lucide-react';
import type { AnalyticsOverview } from '../../api/types';
import { cn } from '../../lib/cn';
import { CARD_GROUPS, change, formatFigure, type CardSpec } from './logic';

export function FigureCards({ overview }: { overview: AnalyticsOverview }) {
  return (
    <div className="@container space-y-6">
      {CARD_GROUPS.map((group) => (
        <section key={group.title} aria-label={group.title}>
          <h2 className="mb-2.5 text-[13px] font-semibold text-zinc-500 dark:text-zinc-400">{group.title}</h2>
          <div className="grid grid-cols-2 gap-3 @xl:grid-cols-3 @5xl:grid-cols-6">
            {group.cards.map((card) => (
              <FigureCard key={card.id} card={card} overview={overview} />
            ))}
          </div>
        </section>
      ))}
    </div>
  );
}

const tones = {
  good: 'text-brand-700 bg-brand-50 dark:text-brand-300 dark:bg-brand-900/30',
  bad: 'text-red-700 bg-red-50 dark:text-red-300 dark:bg-red-950/40',
  neutral: 'text-zinc-600 bg-zinc-100 dark:text-zinc-400 dark:bg-zinc-800',
};

function FigureCard({ card, overview }: { card: CardSpec; overview: AnalyticsOverview }) {
  const current = card.value(overview);
  const previous = card.value(overview.previous);
  const moved = change(current, previous, card.format, card.better);
  const Arrow = moved?.direction === 'up' ? ArrowUpRight : moved?.direction === 'down' ? ArrowDownRight : ArrowRight;
  return (
    <div data-testid={`figure-${card.id}`} className="flex flex-col rounded-xl bg-white p-4 ring-1 ring-zinc-200 dark:bg-zinc-900/60 dark:ring-zinc-800">
      <p className="min-h-[2lh] text-[13px] leading-snug text-zinc-500 dark:text-zinc-400">{card.label}</p>
      <p data-testid="figure-value" className="mt-1 text-2xl font-semibold tracking-tight text-zinc-900 tabular-nums dark:text-zinc-50">
        {formatFigure(current, card.format)}
      </p>
      {card.detail && <p className="mt-0.5 text-xs text-zinc-500 dark:text-zinc-400">{card.detail(overview)}</p>}
      <div className="mt-auto flex flex-wrap items-center gap-x-2 gap-y-1 pt-3 text-xs">
        {moved && (
          <span className={cn('inline-flex items-center gap-0.5 rounded-md px-1.5 py-0.5 font-medium tabular-nums', tones[moved.tone])}>
            <Arrow className="size-3" aria-hidden />
            {moved.text}
          </span>
        )}
        <span data-testid="figure-previous" className="text-zinc-500 tabular-nums dark:text-zinc-400">
          previous: {formatFigure(previous, card.format)}
        </span>
      </div>
    </div>
  );
}
