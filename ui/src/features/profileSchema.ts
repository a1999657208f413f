// The business profile's client-side rules (required name, documented maximum lengths). The server applies
// the same and more; these exist so mistakes show up under the field before anything is sent.

import { z } from 'zod';
import { BUSINESS_TYPES } from '../api/types';

export const LIMITS = { businessName: 200, industry: 100, website: 500, description: 2000 } as const;

const tooLong = (what: string, max: number) => `${what} can be at most ${max.toLocaleString('en-US')} characters`;

export const profileSchema = z.object({
  businessName: z.string().trim().min(1, 'Enter your business name').max(LIMITS.businessName, tooLong('The name', LIMITS.businessName)),
  industry: z.string().trim().max(LIMITS.industry, tooLong('Industry', LIMITS.industry)),
  website: z.string().trim().max(LIMITS.website, tooLong('The website', LIMITS.website)),
  description: z.string().trim().max(LIMITS.description, tooLong('The description', LIMITS.description)),
  businessType: z.union([z.enum(BUSINESS_TYPES), z.literal('')]),
  country: z.string().min(1, 'Choose the country your business is in'),
  timezone: z.string().min(1, 'Choose a time zone'),
});

export type ProfileValues = z.infer<typeof profileSchema>;
