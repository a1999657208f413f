// The campaigns store against live events: a campaign's own event replaces it; a recipient's update is
// patched into the open table and causes one re-read of its campaign per burst; a resync reloads.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Campaign, Recipient } from '../../api/types';

const calls = vi.hoisted(() => ({
  listCampaigns: vi.fn(),
  getCampaign: vi.fn(),
  listRecipients: vi.fn(),
  campaignAction: vi.fn(),
  deleteCampaign: vi.fn(),
}));
vi.mock('./api', () => calls);

import { useCampaigns } from './store';

const base = { id: 7, name: 'Spring', status: 'sending', totalRecipients: 2, sentCount: 0 } as Campaign;
const row = (status: Recipient['status']): Recipient => ({ id: 1, campaignId: 7, position: 1, status }) as Recipient;

describe('campaigns store', () => {
  beforeEach(async () => {
    vi.useFakeTimers();
    calls.listCampaigns.mockReset().mockResolvedValue({ data: [base], nextCursor: null });
    calls.getCampaign.mockReset().mockResolvedValue({ ...base, sentCount: 1 });
    calls.listRecipients.mockReset().mockResolvedValue({ data: [row('pending')], nextCursor: null });
    await useCampaigns.getState().loadList();
    await useCampaigns.getState().open(7);
    calls.getCampaign.mockClear();
    calls.listRecipients.mockClear();
  });
  afterEach(async () => {
    // A re-read still waiting would otherwise carry over into the next test.
    await vi.runAllTimersAsync();
    useCampaigns.getState().close();
    vi.useRealTimers();
  });

  it('patches recipients and re-reads the campaign once per burst of updates', async () => {
    const { applyEvent } = useCampaigns.getState();
    applyEvent({ type: 'campaign.recipient_updated', id: 1, data: row('sent') });
    applyEvent({ type: 'campaign.recipient_updated', id: 2, data: row('delivered') });
    applyEvent({ type: 'campaign.recipient_updated', id: 3, data: row('read') });
    expect(useCampaigns.getState().live!.recipients[0]!.status).toBe('read');
    expect(calls.getCampaign).not.toHaveBeenCalled();
    await vi.runAllTimersAsync();
    expect(calls.getCampaign).toHaveBeenCalledTimes(1);
    expect(useCampaigns.getState().live!.campaign!.sentCount).toBe(1);
    expect(useCampaigns.getState().list[0]!.sentCount).toBe(1);
  });

  it('keeps an event that overtook the page it belongs to', async () => {
    // The page was read before the recipient's ack, and arrives after the ack's event.
    let answer!: (page: unknown) => void;
    calls.listRecipients.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const loading = useCampaigns.getState().setRecipientFilter(null);
    useCampaigns.getState().applyEvent({ type: 'campaign.recipient_updated', id: 1, data: row('read') });
    answer({ data: [row('sent')], nextCursor: null });
    await loading;
    expect(useCampaigns.getState().live!.recipients.map((r) => r.status)).toEqual(['read']);
  });

  it('reads a campaign again when one of its events overtook the read', async () => {
    let answer!: (campaign: Campaign) => void;
    calls.getCampaign.mockReturnValueOnce(new Promise((resolve) => (answer = resolve)));
    const reading = useCampaigns.getState().refresh(7);
    useCampaigns.getState().applyEvent({ type: 'campaign.completed', id: 1, data: { ...base, status: 'completed' } });
    answer({ ...base, status: 'sending' });
    await reading;
    expect(useCampaigns.getState().live!.campaign!.status, 'the older answer does not undo the event').toBe('completed');
    calls.getCampaign.mockResolvedValueOnce({ ...base, status: 'completed', sentCount: 2 });
    await vi.runAllTimersAsync();
    expect(calls.getCampaign).toHaveBeenCalledTimes(2);
    expect(useCampaigns.getState().live!.campaign).toMatchObject({ status: 'completed', sentCount: 2 });
  });

  it('takes a campaign event as the campaign itself', () => {
    useCampaigns.getState().applyEvent({ type: 'campaign.paused', id: 4, data: { ...base, status: 'paused' } });
    expect(useCampaigns.getState().live!.campaign!.status).toBe('paused');
    expect(useCampaigns.getState().list[0]!.status).toBe('paused');
  });

  it('ignores recipients of other campaigns', async () => {
    useCampaigns.getState().applyEvent({ type: 'campaign.recipient_updated', id: 5, data: { ...row('sent'), campaignId: 99 } });
    await vi.runAllTimersAsync();
    expect(useCampaigns.getState().live!.recipients[0]!.status).toBe('pending');
    expect(calls.getCampaign).not.toHaveBeenCalled();
  });

  it('reloads the list, the campaign and its recipients on resync', async () => {
    calls.listCampaigns.mockClear();
    useCampaigns.getState().applyEvent({ type: 'resync' });
    await vi.runAllTimersAsync();
    expect(calls.listCampaigns).toHaveBeenCalledTimes(1);
    expect(calls.getCampaign).toHaveBeenCalledTimes(1);
    expect(calls.listRecipients).toHaveBeenCalledTimes(1);
  });

  it('loads recipients again from the start when the filter changes', async () => {
    await useCampaigns.getState().setRecipientFilter('failed');
    expect(calls.listRecipients).toHaveBeenCalledWith(7, { status: 'failed', cursor: null, limit: 100 });
    expect(useCampaigns.getState().live!.filter).toBe('failed');
  });
});
