import { describe, expect, it } from 'vitest';
import { activeFilterCount, apiFilter, emptyState, queryFromState, stateFromQuery } from './filter';

describe('customer list filter', () => {
  it('a plain list has an empty URL query and no API filter', () => {
    expect(queryFromState(emptyState())).toEqual({});
    expect(apiFilter(emptyState())).toBeNull();
    expect(activeFilterCount(emptyState())).toBe(0);
  });

  it('every filter survives the round trip through the URL', () => {
    const s = {
      ...emptyState(),
      text: '王',
      tagsAny: ['t1', 't2'],
      tagsNone: ['t3'],
      segmentIds: ['s1'],
      sourceChannels: ['tmall', 'wecom_qr'],
      lifecycleStages: ['vip' as const],
      identities: ['wecom' as const],
      createdFrom: '2024-03-01',
      createdTo: '2024-03-31',
      marketingConsent: true,
      blacklisted: false,
      sort: 'TOTAL_SPENT' as const,
      direction: 'ASC' as const,
      pageSize: 50,
    };
    const query = queryFromState(s);
    expect(query).toMatchObject({ q: '王', tagsAny: 't1,t2', tagsNone: 't3', consent: '1', blacklisted: '0', sort: 'TOTAL_SPENT', dir: 'ASC', size: '50' });
    expect(stateFromQuery(query as never)).toEqual(s);
  });

  it('malformed URL values fall back to the defaults instead of reaching the API', () => {
    const s = stateFromQuery({ stages: 'vip,nonsense', identities: 'fax', from: 'yesterday', sort: 'DROP', size: '7', consent: 'maybe' });
    expect(s).toEqual({ ...emptyState(), lifecycleStages: ['vip'] });
  });

  it('becomes the API filter: tags by condition, days as a half-open range ending the day after', () => {
    const s = { ...emptyState(), text: '  138 ', tagsAll: ['t1'], createdFrom: '2024-03-01', createdTo: '2024-03-31', blacklisted: true };
    const f = apiFilter(s)!;
    expect(f.text).toBe('138');
    expect(f.tags).toEqual({ all: ['t1'] });
    expect(f.blacklisted).toBe(true);
    expect(new Date(f.createdAt!.from as string).getDate()).toBe(1);
    const to = new Date(f.createdAt!.to as string);
    expect([to.getMonth(), to.getDate(), to.getHours()]).toEqual([3, 1, 0]);
    expect(activeFilterCount(s)).toBe(4);
  });
});
