// The profile form's client-side rules: required name and the documented maximum lengths.

import { describe, expect, it } from 'vitest';
import { LIMITS, profileSchema } from './profileSchema';

const valid = { businessName: 'Rosa', industry: '', website: '', description: '', businessType: '' as const, country: 'DE', timezone: 'Europe/Berlin' };

function issues(values: Partial<typeof valid> & Record<string, unknown>) {
  const result = profileSchema.safeParse({ ...valid, ...values });
  return result.success ? [] : result.error.issues.map((i) => i.path.join('.'));
}

describe('profile schema', () => {
  it('accepts a minimal profile', () => expect(issues({})).toEqual([]));

  it.each([
    ['businessName', ''],
    ['businessName', '   '],
    ['businessName', 'n'.repeat(LIMITS.businessName + 1)],
    ['industry', 'i'.repeat(LIMITS.industry + 1)],
    ['website', 'w'.repeat(LIMITS.website + 1)],
    ['description', 'd'.repeat(100_000)],
    ['businessType', 'wholesale'],
    ['country', ''],
    ['timezone', ''],
  ])('refuses %s = %j (length %#)', (field, value) => {
    expect(issues({ [field]: value })).toEqual([field]);
  });

  it.each([
    ['businessName', 'n'.repeat(LIMITS.businessName)],
    ['description', 'd'.repeat(LIMITS.description)],
  ])('accepts %s at exactly its limit', (field, value) => {
    expect(issues({ [field]: value })).toEqual([]);
  });
});
