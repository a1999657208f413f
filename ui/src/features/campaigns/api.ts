// The campaigns screen's calls to REST v1, typed, so components never spell paths. Tags and contacts for
// the audience come from the contacts feature's calls; the recipients' CSV comes back as a file.

import { api, type Page } from '../../api/client';
import type { Campaign, CampaignInput, CampaignPreview, CampaignStatus, PreviewRequest, Recipient, RecipientStatus } from '../../api/types';

const V1 = '/api/v1';

export const listCampaigns = (options: { status?: CampaignStatus; cursor?: string | null; limit?: number } = {}): Promise<Page<Campaign>> =>
  api.list<Campaign>(`${V1}/campaigns`, { status: options.status, cursor: options.cursor ?? undefined, limit: options.limit });

export const getCampaign = (id: number) => api.get<Campaign>(`${V1}/campaigns/${id}`);
export const createCampaign = (input: CampaignInput) => api.post<Campaign>(`${V1}/campaigns`, input);
export const updateCampaign = (id: number, input: CampaignInput) => api.put<Campaign>(`${V1}/campaigns/${id}`, input);
export const deleteCampaign = (id: number) => api.delete<boolean>(`${V1}/campaigns/${id}`);
export const previewCampaign = (request: PreviewRequest) => api.post<CampaignPreview>(`${V1}/campaigns/preview`, request);

/** The lifecycle actions, each a POST on the campaign answering with the campaign as it now is. */
export type CampaignAction = 'send' | 'pause' | 'resume' | 'cancel' | 'duplicate';
export const campaignAction = (id: number, action: CampaignAction) => api.post<Campaign>(`${V1}/campaigns/${id}/${action}`);

export const listRecipients = (id: number, options: { status?: RecipientStatus; cursor?: string | null; limit?: number } = {}): Promise<Page<Recipient>> =>
  api.list<Recipient>(`${V1}/campaigns/${id}/recipients`, { status: options.status, cursor: options.cursor ?? undefined, limit: options.limit });

/** Every recipient of a campaign with status and times, as the CSV file the server writes. */
export const exportRecipients = (id: number): Promise<Blob> => api.blob(`${V1}/campaigns/${id}/recipients/export`);
