// The campaigns that sent messages in the range, with their funnel side by side, each linking to the
// Campaigns screen.

import type { CampaignFigures } from '../../api/types';
import { href } from '../../lib/router';
import { formatCount, formatRate } from './logic';

export function CampaignTable({ campaigns }: { campaigns: CampaignFigures[] }) {
  const head = 'px-4 py-2 text-right font-medium first:text-left';
  const cell = 'px-4 py-2.5 text-right tabular-nums first:text-left';
  return (
    <section aria-label="Campaigns in this period" className="overflow-hidden rounded-xl bg-white ring-1 ring-zinc-200 dark:bg-zinc-900/60 dark:ring-zinc-800">
      <h2 className="border-b border-zinc-200 px-4 py-2.5 text-sm font-semibold text-zinc-900 dark:border-zinc-800 dark:text-zinc-100">
        Campaigns in this period
      </h2>
      {campaigns.length === 0 ? (
        <p className="px-4 py-6 text-sm text-zinc-500 dark:text-zinc-400">No campaign sent messages in this period.</p>
      ) : (
        <div className="overflow-x-auto">
          <table className="w-full text-sm">
            <thead className="text-[13px] text-zinc-500 dark:text-zinc-400">
              <tr>
                <th className={head}>Campaign</th>
                <th className={head}>Sent</th>
                <th className={head}>Delivered</th>
                <th className={head}>Read</th>
                <th className={head}>Replied</th>
                <th className={head}>Failed</th>
                <th className={head}>Opted out</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-zinc-100 dark:divide-zinc-800">
              {campaigns.map((c) => (
                <tr key={c.campaignId} data-testid="campaign-row">
                  <td className={cell}>
                    <a href={href('campaigns')} className="font-medium text-zinc-900 hover:underline dark:text-zinc-100">
                      {c.name}
                    </a>
                    <span className="ml-2 text-xs text-zinc-500 capitalize dark:text-zinc-400">{c.status}</span>
                  </td>
                  <td className={cell}>{formatCount(c.sent)}</td>
                  <td className={cell}>{formatRate(c.deliveryRate)}</td>
                  <td className={cell}>{formatRate(c.readRate)}</td>
                  <td className={cell}>{formatRate(c.replyRate)}</td>
                  <td className={cell}>{formatCount(c.failed)}</td>
                  <td className={cell}>{formatCount(c.optedOut)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
