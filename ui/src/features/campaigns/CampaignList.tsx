// The campaign list: each campaign with its status, progress (sent of total), next send and estimated
// finish, opening its live page; duplicate, edit and delete where its status allows them.

import { Copy, Megaphone, Pencil, Plus, Trash2 } from 'lucide-react';
import { useState } from 'react';
import type { Campaign } from '../../api/types';
import { EmptyState } from '../../components/Page';
import { Alert, Button, Spinner } from '../../components/ui';
import { hrefTo, navigateTo } from '../../lib/router';
import { ConfirmDialog } from '../../screens/connect/ConfirmDialog';
import { toast } from '../../store/toast';
import { isRunning, listActionsFor, problemText, waitingText, whenText } from './logic';
import { CampaignStatusBadge, HeaderRow, ProgressBar, useBusinessZone, useNow } from './parts';
import { useCampaigns } from './store';

const COLUMNS = 'grid-cols-[minmax(12rem,2fr)_7rem_minmax(9rem,1.3fr)_minmax(8rem,1fr)_minmax(8rem,1fr)_6.5rem]';


function Row({ campaign, onDelete }: { campaign: Campaign; onDelete: (c: Campaign) => void }) {
  const zone = useBusinessZone();
  const now = useNow(isRunning(campaign.status), 30_000);
  const act = useCampaigns((s) => s.act);
  const actions = listActionsFor(campaign.status);
  const duplicate = async () => {
    try {
      const copy = await act(campaign.id, 'duplicate');
      toast(`Duplicated as “${copy.name}”`);
    } catch (error) {
      toast(problemText(error), 'info');
    }
  };
  const next =
    campaign.status === 'sending'
      ? campaign.waitingFor === 'whatsapp'
        ? waitingText(campaign.waitingFor)
        : whenText(campaign.nextSendAt, zone, now)
      : campaign.status === 'scheduled'
        ? whenText(campaign.scheduledAt, zone, now)
        : '—';
  return (
    <div role="row" data-testid="campaign-row" data-campaign-id={campaign.id} className={`grid ${COLUMNS} items-center gap-4 border-b border-zinc-100 px-6 py-3 text-sm hover:bg-zinc-50 dark:border-zinc-800/70 dark:hover:bg-zinc-900/60`}>
      <div role="cell" className="min-w-0">
        <a href={hrefTo('campaigns', campaign.id)} className="block truncate font-medium text-zinc-900 hover:underline dark:text-zinc-100">
          {campaign.name}
        </a>
        <p className="truncate text-[13px] text-zinc-500 dark:text-zinc-400">{campaign.messageContent || (campaign.media ? campaign.media.filename ?? 'Media' : '')}</p>
      </div>
      <div role="cell">
        <CampaignStatusBadge status={campaign.status} />
      </div>
      <div role="cell" className="space-y-1">
        <ProgressBar campaign={campaign} />
        <p className="text-xs text-zinc-500 tabular-nums dark:text-zinc-400" data-testid="campaign-progress">
          {campaign.totalRecipients > 0 ? `${campaign.sentCount.toLocaleString('en-US')} / ${campaign.totalRecipients.toLocaleString('en-US')} sent` : 'Not started'}
        </p>
      </div>
      <div role="cell" className="text-[13px] text-zinc-600 tabular-nums dark:text-zinc-300">
        {next}
      </div>
      <div role="cell" className="text-[13px] text-zinc-600 tabular-nums dark:text-zinc-300">
        {campaign.status === 'completed' || campaign.status === 'cancelled' || campaign.status === 'failed'
          ? whenText(campaign.completedAt, zone, now)
          : whenText(campaign.estimatedFinishAt, zone, now)}
      </div>
      <div role="cell" className="flex justify-end gap-1">
        {actions.includes('edit') && (
          <Button variant="ghost" size="sm" className="px-2" aria-label={`Edit ${campaign.name}`} title="Edit" onClick={() => navigateTo('campaigns', campaign.id, 'edit')}>
            <Pencil className="size-4" aria-hidden />
          </Button>
        )}
        <Button variant="ghost" size="sm" className="px-2" aria-label={`Duplicate ${campaign.name}`} title="Duplicate" onClick={() => void duplicate()}>
          <Copy className="size-4" aria-hidden />
        </Button>
        {actions.includes('delete') && (
          <Button variant="ghost" size="sm" className="px-2 hover:text-red-600" aria-label={`Delete ${campaign.name}`} title="Delete" onClick={() => onDelete(campaign)}>
            <Trash2 className="size-4" aria-hidden />
          </Button>
        )}
      </div>
    </div>
  );
}

export function CampaignList() {
  const list = useCampaigns((s) => s.list);
  const loaded = useCampaigns((s) => s.listLoaded);
  const error = useCampaigns((s) => s.listError);
  const cursor = useCampaigns((s) => s.listCursor);
  const loadMore = useCampaigns((s) => s.loadMoreList);
  const remove = useCampaigns((s) => s.remove);
  const [deleting, setDeleting] = useState<Campaign | null>(null);
  const [busy, setBusy] = useState(false);

  const confirmDelete = async () => {
    if (!deleting) return;
    setBusy(true);
    try {
      await remove(deleting.id);
      toast(`Deleted “${deleting.name}”`);
      setDeleting(null);
    } catch (e) {
      toast(problemText(e), 'info');
    } finally {
      setBusy(false);
    }
  };

  if (!loaded) {
    return (
      <div className="p-6">
        <Spinner label="Loading campaigns…" />
      </div>
    );
  }
  if (list.length === 0 && !error) {
    return (
      <EmptyState
        icon={Megaphone}
        title="No campaigns yet"
        action={
          <Button icon={<Plus className="size-4" aria-hidden />} onClick={() => navigateTo('campaigns', 'new')}>
            Create a campaign
          </Button>
        }
      >
        A campaign sends one message to a group of contacts — say, everyone tagged “regulars” — at a safe, human pace, and shows
        who received, read and replied.
      </EmptyState>
    );
  }
  return (
    <div role="table" aria-label="Campaigns" className="min-w-[56rem]">
      {error && (
        <div className="px-6 pt-4">
          <Alert>{error}</Alert>
        </div>
      )}
      <HeaderRow
        columns={COLUMNS}
        labels={['Campaign', 'Status', 'Progress', 'Next send', 'Finish (est.)', '']}
        className="gap-4 border-b border-zinc-200 px-6 py-2 dark:border-zinc-800"
      />
      {list.map((campaign) => (
        <Row key={campaign.id} campaign={campaign} onDelete={setDeleting} />
      ))}
      {cursor && (
        <div className="flex justify-center p-4">
          <Button variant="secondary" size="sm" onClick={() => void loadMore()}>
            Show older campaigns
          </Button>
        </div>
      )}
      <ConfirmDialog
        open={deleting !== null}
        title={`Delete “${deleting?.name ?? ''}”?`}
        confirmLabel="Delete campaign"
        busy={busy}
        onConfirm={() => void confirmDelete()}
        onCancel={() => setDeleting(null)}
      >
        <p>The campaign and its recipient list are removed. Messages it already sent stay in the conversations.</p>
      </ConfirmDialog>
    </div>
  );
}
