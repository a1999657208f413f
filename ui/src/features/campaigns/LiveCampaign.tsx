// A campaign's live page: status and why, progress, counters and the funnel, the next send and the
// estimated finish as it runs, pause / resume / cancel (send and edit while a draft), and the recipient
// table with a status filter, pages in send order and the CSV export. Events keep it current; what moves
// without an event (the next send time, what it waits for) is re-read every few seconds while it sends.

import { ArrowLeft, Copy, Download, Pause, Pencil, Play, Send, XCircle } from 'lucide-react';
import { useEffect, useState } from 'react';
import type { Campaign, RecipientStatus } from '../../api/types';
import { Alert, Button, Card, Spinner } from '../../components/ui';
import { saveBlob } from '../../lib/download';
import { cn } from '../../lib/cn';
import { hrefTo, navigateTo } from '../../lib/router';
import { ConfirmDialog } from '../../screens/connect/ConfirmDialog';
import { toast } from '../../store/toast';
import { plural } from '../contacts/logic';
import { exportRecipients } from './api';
import { durationText, funnelOf, isRunning, liveActionsFor, problemText, progressOf, RECIPIENT_STATUS_LABEL, RECIPIENT_STATUSES, waitingText, whenText, type LiveAction } from './logic';
import { CampaignStatusBadge, HeaderRow, ProgressBar, RecipientStatusBadge, useBusinessZone, useNow } from './parts';
import { useCampaigns } from './store';

const RECIPIENT_COLUMNS = 'grid-cols-[3rem_minmax(8rem,1.3fr)_minmax(8rem,1fr)_7rem_minmax(8rem,1.3fr)_6rem]';

/** While sending, the campaign is re-read this often for what has no event (next send, waiting). */
const SENDING_REFRESH_MS = 5_000;

const ACTION_LOOK: Record<LiveAction, { label: string; icon: typeof Pause; variant: 'primary' | 'secondary' | 'danger' }> = {
  send: { label: 'Send now', icon: Send, variant: 'primary' },
  pause: { label: 'Pause', icon: Pause, variant: 'secondary' },
  resume: { label: 'Resume', icon: Play, variant: 'primary' },
  cancel: { label: 'Cancel campaign', icon: XCircle, variant: 'danger' },
};


function Figure({ label, value, detail, testId }: { label: string; value: string; detail?: string; testId?: string }) {
  return (
    <div className="min-w-0">
      <p className="text-xs font-medium text-zinc-500 dark:text-zinc-400">{label}</p>
      <p className="mt-0.5 truncate text-[15px] font-semibold tabular-nums" data-testid={testId}>
        {value}
      </p>
      {detail && <p className="text-xs text-zinc-500 dark:text-zinc-400">{detail}</p>}
    </div>
  );
}

function Overview({ campaign }: { campaign: Campaign }) {
  const zone = useBusinessZone();
  const now = useNow(isRunning(campaign.status));
  const p = progressOf(campaign);
  const waiting = campaign.status === 'sending' ? waitingText(campaign.waitingFor) : null;
  const nextIn = campaign.nextSendAt ? new Date(campaign.nextSendAt).getTime() - now.getTime() : null;
  const next =
    campaign.status === 'sending'
      ? campaign.waitingFor === 'whatsapp'
        ? 'Waiting for WhatsApp'
        : campaign.nextSendAt
          ? nextIn !== null && nextIn > 0
            ? `in ${durationText(nextIn)}`
            : 'now'
          : 'now'
      : campaign.status === 'scheduled'
        ? whenText(campaign.scheduledAt, zone, now)
        : '—';
  const finished = campaign.status === 'completed' || campaign.status === 'cancelled' || campaign.status === 'failed';
  return (
    <Card className="p-5">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <p className="text-sm text-zinc-600 dark:text-zinc-300">
          <span className="text-2xl font-semibold text-zinc-900 tabular-nums dark:text-zinc-100" data-testid="live-done">
            {p.done.toLocaleString('en-US')}
          </span>{' '}
          of <span data-testid="live-total">{plural(p.total, 'recipient')}</span> done
        </p>
        <p className="text-sm font-medium tabular-nums text-zinc-600 dark:text-zinc-300">{Math.floor(p.percent)}%</p>
      </div>
      <div className="mt-3">
        <ProgressBar campaign={campaign} large />
      </div>
      <div className="mt-2 flex flex-wrap gap-4 text-xs text-zinc-500 dark:text-zinc-400">
        <span className="inline-flex items-center gap-1.5">
          <span className="size-2 rounded-full bg-brand-500" aria-hidden /> Sent
        </span>
        <span className="inline-flex items-center gap-1.5">
          <span className="size-2 rounded-full bg-red-500" aria-hidden /> Failed
        </span>
        <span className="inline-flex items-center gap-1.5">
          <span className="size-2 rounded-full bg-zinc-300 dark:bg-zinc-600" aria-hidden /> Skipped
        </span>
      </div>
      <div className="mt-5 grid grid-cols-2 gap-4 border-t border-zinc-100 pt-4 sm:grid-cols-4 dark:border-zinc-800">
        <Figure label="Next send" value={next} detail={waiting ?? undefined} testId="live-next" />
        <Figure
          label={finished ? 'Finished' : 'Estimated finish'}
          value={finished ? whenText(campaign.completedAt, zone, now) : whenText(campaign.estimatedFinishAt, zone, now)}
          detail={!finished && campaign.estimatedFinishAt ? `in about ${durationText(new Date(campaign.estimatedFinishAt).getTime() - now.getTime())}` : undefined}
          testId="live-eta"
        />
        <Figure label="Started" value={whenText(campaign.startedAt, zone, now)} />
        <Figure label="Pending" value={campaign.pendingCount.toLocaleString('en-US')} detail={campaign.failedCount > 0 ? `${plural(campaign.failedCount, 'failure')}` : undefined} testId="live-pending" />
      </div>
    </Card>
  );
}

function Funnel({ campaign }: { campaign: Campaign }) {
  const steps = funnelOf(campaign);
  const top = Math.max(1, steps[0]?.count ?? 1);
  return (
    <Card className="p-5">
      <h2 className="mb-4 text-[15px] font-semibold">Funnel</h2>
      <ol className="space-y-3" data-testid="funnel">
        {steps.map((s, i) => (
          <li key={s.label} className="grid grid-cols-[5.5rem_minmax(0,1fr)_5.5rem] items-center gap-3 text-sm">
            <span className="text-zinc-600 dark:text-zinc-300">{s.label}</span>
            <div className="h-2.5 overflow-hidden rounded-full bg-zinc-100 dark:bg-zinc-800">
              <div className={cn('h-full rounded-full transition-[width] duration-500', i === 0 ? 'bg-zinc-400 dark:bg-zinc-500' : 'bg-brand-500')} style={{ width: `${(s.count / top) * 100}%` }} />
            </div>
            <span className="text-right tabular-nums" data-testid={`funnel-${s.label.toLowerCase().replace(' ', '-')}`}>
              <span className="font-semibold">{s.count.toLocaleString('en-US')}</span>
              {i > 0 && <span className="ml-1 text-xs text-zinc-500">{s.percent}%</span>}
            </span>
          </li>
        ))}
      </ol>
      <p className="mt-4 text-xs text-zinc-500 dark:text-zinc-400">
        {plural(campaign.skippedCount, 'recipient')} skipped · {plural(campaign.failedCount, 'failure')} · a reply within 72 hours of the message counts as
        replied.
      </p>
    </Card>
  );
}

function RecipientTable({ campaign }: { campaign: Campaign }) {
  const zone = useBusinessZone();
  const live = useCampaigns((s) => s.live);
  const setFilter = useCampaigns((s) => s.setRecipientFilter);
  const loadMore = useCampaigns((s) => s.loadMoreRecipients);
  const [exporting, setExporting] = useState(false);
  if (!live) return null;

  const runExport = async () => {
    setExporting(true);
    try {
      const file = await exportRecipients(campaign.id);
      saveBlob(file, `whatsflow-campaign-${campaign.id}-recipients.csv`);
      toast('Recipients exported');
    } catch (error) {
      toast(problemText(error), 'info');
    } finally {
      setExporting(false);
    }
  };

  const filters: Array<RecipientStatus | null> = [null, ...RECIPIENT_STATUSES];
  return (
    <Card>
      <div className="flex flex-wrap items-center justify-between gap-3 border-b border-zinc-200 px-5 py-3 dark:border-zinc-800">
        <h2 className="text-[15px] font-semibold">Recipients</h2>
        <div className="flex flex-wrap items-center gap-2">
          <div className="flex flex-wrap gap-1" role="radiogroup" aria-label="Recipient status">
            {filters.map((f) => (
              <button
                key={f ?? 'all'}
                type="button"
                role="radio"
                aria-checked={live.filter === f}
                onClick={() => void setFilter(f)}
                className={cn(
                  'rounded-full px-2.5 py-1 text-xs font-medium',
                  live.filter === f ? 'bg-zinc-900 text-white dark:bg-zinc-100 dark:text-zinc-900' : 'text-zinc-600 hover:bg-zinc-100 dark:text-zinc-300 dark:hover:bg-zinc-800',
                )}
              >
                {f === null ? 'All' : RECIPIENT_STATUS_LABEL[f]}
              </button>
            ))}
          </div>
          <Button variant="secondary" size="sm" busy={exporting} icon={<Download className="size-4" aria-hidden />} onClick={() => void runExport()}>
            CSV
          </Button>
        </div>
      </div>
      <div role="table" aria-label="Recipients" className="text-sm">
        <HeaderRow columns={RECIPIENT_COLUMNS} labels={['#', 'Name', 'Number', 'Status', 'Reason', 'Updated']} className="gap-3 border-b border-zinc-100 px-5 py-2 dark:border-zinc-800" />
        {live.recipients.map((r) => (
          <div
            role="row"
            key={r.id}
            data-testid="recipient-row"
            data-status={r.status}
            className={`grid ${RECIPIENT_COLUMNS} items-center gap-3 border-b border-zinc-100 px-5 py-2 last:border-0 dark:border-zinc-800/70`}
          >
            <div role="cell" className="text-zinc-400 tabular-nums">
              {r.position}
            </div>
            <div role="cell" className="truncate font-medium">
              {r.name || '—'}
            </div>
            <div role="cell" className="truncate text-zinc-600 tabular-nums dark:text-zinc-300">
              {r.phoneNumber}
            </div>
            <div role="cell">
              <RecipientStatusBadge status={r.status} />
            </div>
            <div role="cell" className="truncate text-[13px] text-zinc-500" title={r.reason ?? undefined}>
              {r.reason ?? ''}
            </div>
            <div role="cell" className="text-[13px] text-zinc-500 tabular-nums">
              {whenText(r.repliedAt ?? r.readAt ?? r.deliveredAt ?? r.sentAt, zone)}
            </div>
          </div>
        ))}
        {live.recipients.length === 0 && !live.recipientsLoading && (
          <p className="px-5 py-6 text-center text-sm text-zinc-500">
            {campaign.totalRecipients === 0 ? 'Recipients are listed once the campaign starts.' : 'No recipient has this status.'}
          </p>
        )}
        {live.recipientsLoading && (
          <div className="px-5 py-3">
            <Spinner label="Loading recipients…" />
          </div>
        )}
        {!live.recipientsComplete && !live.recipientsLoading && live.recipients.length > 0 && (
          <div className="flex justify-center p-3">
            <Button variant="secondary" size="sm" onClick={() => void loadMore()}>
              Show more
            </Button>
          </div>
        )}
      </div>
    </Card>
  );
}

export function LiveCampaign({ id }: { id: number }) {
  const live = useCampaigns((s) => (s.live?.id === id ? s.live : null));
  const open = useCampaigns((s) => s.open);
  const close = useCampaigns((s) => s.close);
  const refresh = useCampaigns((s) => s.refresh);
  const act = useCampaigns((s) => s.act);
  const [busy, setBusy] = useState<LiveAction | 'duplicate' | null>(null);
  const [confirmCancel, setConfirmCancel] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    void open(id);
    return () => close();
  }, [id, open, close]);

  const sending = live?.campaign?.status === 'sending';
  useEffect(() => {
    if (!sending) return;
    const timer = setInterval(() => void refresh(id), SENDING_REFRESH_MS);
    return () => clearInterval(timer);
  }, [sending, id, refresh]);

  const run = async (action: LiveAction | 'duplicate') => {
    setBusy(action);
    setActionError(null);
    try {
      const answer = await act(id, action);
      if (action === 'duplicate') {
        toast(`Duplicated as “${answer.name}”`);
        navigateTo('campaigns', answer.id, 'edit');
      }
      setConfirmCancel(false);
    } catch (error) {
      setActionError(problemText(error));
      setConfirmCancel(false);
    } finally {
      setBusy(null);
    }
  };

  const campaign = live?.campaign ?? null;
  if (!campaign) {
    return <div className="p-6">{live?.error ? <Alert>{live.error}</Alert> : <Spinner label="Loading the campaign…" />}</div>;
  }
  const actions = liveActionsFor(campaign.status);
  return (
    <div className="mx-auto max-w-6xl space-y-5 p-6" data-testid="live-campaign">
      <div className="flex flex-wrap items-start justify-between gap-4">
        <div className="min-w-0">
          <a href={hrefTo('campaigns')} className="inline-flex items-center gap-1 text-[13px] text-zinc-500 hover:text-zinc-900 dark:hover:text-zinc-100">
            <ArrowLeft className="size-3.5" aria-hidden /> Campaigns
          </a>
          <div className="mt-1 flex items-center gap-3">
            <h2 className="truncate text-xl font-semibold tracking-tight" data-testid="live-name">
              {campaign.name}
            </h2>
            <CampaignStatusBadge status={campaign.status} />
          </div>
        </div>
        <div className="flex flex-wrap gap-2">
          {(campaign.status === 'draft' || campaign.status === 'scheduled') && (
            <Button variant="secondary" icon={<Pencil className="size-4" aria-hidden />} onClick={() => navigateTo('campaigns', id, 'edit')}>
              Edit
            </Button>
          )}
          <Button variant="secondary" busy={busy === 'duplicate'} icon={<Copy className="size-4" aria-hidden />} onClick={() => void run('duplicate')}>
            Duplicate
          </Button>
          {actions.map((action) => {
            const look = ACTION_LOOK[action];
            const Icon = look.icon;
            return (
              <Button
                key={action}
                variant={look.variant}
                busy={busy === action}
                disabled={busy !== null}
                icon={<Icon className="size-4" aria-hidden />}
                onClick={() => (action === 'cancel' ? setConfirmCancel(true) : void run(action))}
              >
                {look.label}
              </Button>
            );
          })}
        </div>
      </div>

      {campaign.statusReason && (campaign.status === 'paused' || campaign.status === 'failed') && (
        <Alert tone="error" title={campaign.status === 'paused' ? 'Sending was paused' : 'The campaign failed'}>
          {campaign.statusReason}
        </Alert>
      )}
      {campaign.status === 'sending' && campaign.waitingFor === 'whatsapp' && (
        <Alert tone="info" title="Waiting for WhatsApp">
          WhatsApp is not connected. The campaign goes on by itself once it is; no recipient is marked failed for it.
        </Alert>
      )}
      {actionError && <Alert>{actionError}</Alert>}
      {live?.error && <Alert>{live.error}</Alert>}

      <div className="grid gap-5 lg:grid-cols-[minmax(0,3fr)_minmax(0,2fr)]">
        <Overview campaign={campaign} />
        <Funnel campaign={campaign} />
      </div>
      <Card className="p-5">
        <h2 className="mb-2 text-[15px] font-semibold">Message</h2>
        <p className="text-sm whitespace-pre-wrap text-zinc-700 dark:text-zinc-300">{campaign.messageContent}</p>
        {campaign.media && <p className="mt-1 text-[13px] text-zinc-500">With the file {campaign.media.filename ?? campaign.media.mimetype}</p>}
      </Card>
      <RecipientTable campaign={campaign} />

      <ConfirmDialog
        open={confirmCancel}
        title={`Cancel “${campaign.name}”?`}
        confirmLabel="Cancel campaign"
        busy={busy === 'cancel'}
        onConfirm={() => void run('cancel')}
        onCancel={() => setConfirmCancel(false)}
      >
        <p>Nothing more is sent for it, and it cannot be restarted. A message already on its way still goes out. You can duplicate it later.</p>
      </ConfirmDialog>
    </div>
  );
}
