// The desktop app's own settings (start at login), typed, so components never spell paths.

import { api } from '../../api/client';
import type { DesktopSettings, DesktopStatus } from '../../api/types';

const V1 = '/api/v1';

export const getDesktop = () => api.get<DesktopStatus>(`${V1}/settings/desktop`);
export const saveDesktop = (settings: DesktopSettings) => api.put<DesktopStatus>(`${V1}/settings/desktop`, settings);
