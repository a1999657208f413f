// The Campaigns screen: the list (#/campaigns), the wizard for a new campaign (#/campaigns/new) or to edit
// one (#/campaigns/12/edit), and a campaign's live page (#/campaigns/12). It listens to the engine's
// events while open, so progress moves without a reload.

import { Plus } from 'lucide-react';
import { useEffect } from 'react';
import { api } from '../../api/client';
import { Page } from '../../components/Page';
import { Button } from '../../components/ui';
import { CampaignList } from '../../features/campaigns/CampaignList';
import { LiveCampaign } from '../../features/campaigns/LiveCampaign';
import { useCampaigns } from '../../features/campaigns/store';
import { Wizard } from '../../features/campaigns/Wizard';
import { navigateTo } from '../../lib/router';

export function CampaignsScreen({ path }: { path: string[] }) {
  const loadList = useCampaigns((s) => s.loadList);
  const applyEvent = useCampaigns((s) => s.applyEvent);

  useEffect(() => {
    void loadList();
    return api.subscribe((event) => applyEvent(event));
  }, [loadList, applyEvent]);

  const [first, second] = path;
  const id = first && /^\d+$/.test(first) ? Number(first) : null;
  if (first === 'new' || (id !== null && second === 'edit')) {
    const editId = first === 'new' ? null : id;
    return (
      <Page title={editId === null ? 'New campaign' : 'Edit campaign'}>
        <Wizard key={editId ?? 'new'} editId={editId} />
      </Page>
    );
  }
  if (id !== null) {
    return (
      <Page title="Campaign">
        <LiveCampaign id={id} />
      </Page>
    );
  }
  return (
    <Page
      title="Campaigns"
      actions={
        <Button size="sm" icon={<Plus className="size-4" aria-hidden />} onClick={() => navigateTo('campaigns', 'new')}>
          New campaign
        </Button>
      }
    >
      <CampaignList />
    </Page>
  );
}
