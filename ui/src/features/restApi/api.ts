// The scripting calls to REST v1 (the desktop's REST API switch, the allowed browser origins, API keys, webhooks and their delivery
// log), typed, so components never spell paths.

import { api } from '../../api/client';
import type { ApiKey, ApiScope, CorsSettings, CreatedApiKey, RestApiSettings, RestApiStatus, Webhook, WebhookDelivery, WebhookInput } from '../../api/types';

const V1 = '/api/v1';

export const getRestApi = () => api.get<RestApiStatus>(`${V1}/settings/rest-api`);
export const saveRestApi = (settings: RestApiSettings) => api.put<RestApiStatus>(`${V1}/settings/rest-api`, settings);

export const getCors = () => api.get<CorsSettings>(`${V1}/settings/cors`);
export const saveCors = (settings: CorsSettings) => api.put<CorsSettings>(`${V1}/settings/cors`, settings);

export const listKeys = () => api.get<ApiKey[]>(`${V1}/keys`);
export const createKey = (name: string, scopes: ApiScope[]) => api.post<CreatedApiKey>(`${V1}/keys`, { name, scopes });
export const revokeKey = (id: number) => api.delete<ApiKey>(`${V1}/keys/${id}`);

export const listWebhooks = () => api.get<Webhook[]>(`${V1}/webhooks`);
export const createWebhook = (input: WebhookInput) => api.post<Webhook>(`${V1}/webhooks`, input);
export const updateWebhook = (id: number, update: Partial<WebhookInput> & { rotateSecret?: boolean }) =>
  api.put<Webhook>(`${V1}/webhooks/${id}`, update);
export const deleteWebhook = (id: number) => api.delete<boolean>(`${V1}/webhooks/${id}`);
export const listDeliveries = (id: number) => api.list<WebhookDelivery>(`${V1}/webhooks/${id}/deliveries`, { limit: 20 });
export const sendTestEvent = (id: number) => api.post<WebhookDelivery>(`${V1}/webhooks/${id}/test`);
export const redeliver = (id: number, deliveryId: number) => api.post<WebhookDelivery>(`${V1}/webhooks/${id}/deliveries/${deliveryId}/redeliver`);
export const redeliverFailed = (id: number) => api.post<{ requeued: number }>(`${V1}/webhooks/${id}/deliveries/redeliver`);
