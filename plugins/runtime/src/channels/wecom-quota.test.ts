import { describe, expect, it } from 'vitest';
import { quotaReason, quotaWindow } from './wecom-quota.ts';

// 2026-02-28 23:30 in China (UTC+8) is 15:30 UTC.
const lateFeb = new Date('2026-02-28T15:30:00Z');

describe('WeCom quota windows (China time, as WeCom counts)', () => {
  it('a month holds as many messages as it has days, and ends at midnight China time', () => {
    expect(quotaWindow({ period: 'month', limit: null }, lateFeb)).toEqual({ start: new Date('2026-01-31T16:00:00Z'), end: new Date('2026-02-28T16:00:00Z'), limit: 28 });
    // Half an hour later it is March in China (still February in UTC).
    expect(quotaWindow({ period: 'month', limit: null }, new Date('2026-02-28T16:30:00Z')).limit).toBe(31);
  });

  it('a week runs from Monday and allows 7; a day allows 1; an admin-set limit wins', () => {
    // 2026-02-28 is a Saturday: its week began on Monday 23 February.
    expect(quotaWindow({ period: 'week', limit: null }, lateFeb)).toEqual({ start: new Date('2026-02-22T16:00:00Z'), end: new Date('2026-03-01T16:00:00Z'), limit: 7 });
    expect(quotaWindow({ period: 'day', limit: null }, lateFeb)).toEqual({ start: new Date('2026-02-27T16:00:00Z'), end: new Date('2026-02-28T16:00:00Z'), limit: 1 });
    expect(quotaWindow({ period: 'week', limit: 3 }, lateFeb).limit).toBe(3);
  });

  it('says what was exceeded', () => {
    const settings = { period: 'week' as const, limit: 3, action: 'skip' as const };
    expect(quotaReason(settings, quotaWindow(settings, lateFeb))).toBe('over WeCom quota: 3 mass messages a week per customer');
  });
});
