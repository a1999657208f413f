// The contacts store after lost events: a `resync` reloads the rows, the count and the tags.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const calls = vi.hoisted(() => ({ listContacts: vi.fn(), countContacts: vi.fn(), listTags: vi.fn(), bulkContacts: vi.fn() }));
vi.mock('./api', () => calls);

import { useContacts } from './store';

describe('contacts store', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    calls.listContacts.mockReset().mockResolvedValue({ data: [{ id: 1, displayName: 'Rosa' }], nextCursor: null });
    calls.countContacts.mockReset().mockResolvedValue(1);
    calls.listTags.mockReset().mockResolvedValue([{ id: 2, name: 'VIP', color: '#000000', contactCount: 1 }]);
  });
  afterEach(() => vi.useRealTimers());

  it('reloads rows, total and tags on resync', async () => {
    useContacts.getState().applyEvent({ type: 'resync' });
    expect(calls.listContacts).not.toHaveBeenCalled();
    await vi.runAllTimersAsync();
    expect(calls.listContacts).toHaveBeenCalledTimes(1);
    expect(calls.countContacts).toHaveBeenCalledTimes(1);
    expect(calls.listTags).toHaveBeenCalledTimes(1);
    expect(useContacts.getState()).toMatchObject({ total: 1, rows: [{ id: 1 }], tags: [{ id: 2 }] });
  });
});
