import { describe, expect, it } from 'vitest';
import type { StepResult } from '@courtyard/plugin-sdk';
import { configIssues, runNode } from '../testing.ts';
import { timeWindowCondition, waitAction, waitUntilWindowAction } from './index.ts';

/** An instant given as Shanghai wall-clock time (UTC+8 all year). */
const shanghai = (local: string) => new Date(`${local}+08:00`);
const until = (r: StepResult) => (r.kind === 'wait' ? r.until.toISOString() : r.kind);

describe('wait action', () => {
  it('waits the duration from now', async () => {
    const { results } = await runNode(waitAction, { duration: { amount: 2, unit: 'hours' } }, [{ id: 'a' }, { id: 'b' }], { now: '2024-06-03T02:00:00.000Z' });
    expect(results).toEqual([
      { kind: 'wait', until: new Date('2024-06-03T04:00:00.000Z'), port: 'next' },
      { kind: 'wait', until: new Date('2024-06-03T04:00:00.000Z'), port: 'next' },
    ]);
  });

  it('a wait of 0 goes on at once', async () => {
    const { results } = await runNode(waitAction, { duration: { amount: 0, unit: 'days' } }, [{ id: 'a' }]);
    expect(results).toEqual([{ kind: 'next', port: 'next' }]);
  });

  it('days keep the wall-clock time across a daylight saving change', async () => {
    // 2024-03-09 20:00 in New York is EST; three days later is EDT, 71 hours on.
    const { results } = await runNode(waitAction, { duration: { amount: 3, unit: 'days' } }, [{ id: 'a' }], {
      now: '2024-03-10T01:00:00.000Z',
      timeZone: 'America/New_York',
    });
    expect(until(results[0]!)).toBe('2024-03-13T00:00:00.000Z');
  });

  it('a unit other than minutes, hours or days is rejected on duration.unit', () => {
    expect(configIssues(waitAction, { duration: { amount: 1, unit: 'weeks' } }).map((i) => i.path)).toEqual(['duration.unit']);
    expect(configIssues(waitAction, { duration: { amount: -1, unit: 'days' } }).map((i) => i.path)).toEqual(['duration.amount']);
  });
});

const mealtimes = { windows: [{ start: '12:00', end: '14:00' }, { start: '19:00', end: '22:00' }] };

async function waitUntilWindow(config: unknown, now: Date, timeZone = 'Asia/Shanghai') {
  const { results } = await runNode(waitUntilWindowAction, config, [{ id: 'a' }], { now, timeZone });
  return results[0]!;
}

describe('wait until time window (Asia/Shanghai)', () => {
  it('inside a window goes on at once', async () => {
    expect(await waitUntilWindow(mealtimes, shanghai('2024-06-03T12:30:00'))).toEqual({ kind: 'next', port: 'next' });
  });

  it('just before a window waits for its start', async () => {
    expect(until(await waitUntilWindow(mealtimes, shanghai('2024-06-03T11:59:59')))).toBe(shanghai('2024-06-03T12:00:00').toISOString());
  });

  it('the end of a window is outside it: at 14:00 it waits for 19:00', async () => {
    expect(until(await waitUntilWindow(mealtimes, shanghai('2024-06-03T14:00:00')))).toBe(shanghai('2024-06-03T19:00:00').toISOString());
  });

  it('after the last window waits for the first one tomorrow', async () => {
    expect(until(await waitUntilWindow(mealtimes, shanghai('2024-06-03T22:30:00')))).toBe(shanghai('2024-06-04T12:00:00').toISOString());
  });

  it('skips weekdays that are not listed', async () => {
    // Friday 13:00 with weekends only: Saturday noon.
    const weekends = { ...mealtimes, weekdays: ['sat', 'sun'] };
    expect(until(await waitUntilWindow(weekends, shanghai('2024-06-07T13:00:00')))).toBe(shanghai('2024-06-08T12:00:00').toISOString());
  });

  it('takes the weekday in the workspace time zone, not UTC', async () => {
    // Monday 07:00 in Shanghai is still Sunday in UTC.
    const mondayMornings = { windows: [{ start: '06:00', end: '09:00' }], weekdays: ['mon'] };
    expect(await waitUntilWindow(mondayMornings, shanghai('2024-06-03T07:00:00'))).toEqual({ kind: 'next', port: 'next' });
  });

  it('a window past midnight stays open into the next day and belongs to the day it starts', async () => {
    const fridayNight = { windows: [{ start: '22:00', end: '02:00' }], weekdays: ['fri'] };
    expect(await waitUntilWindow(fridayNight, shanghai('2024-06-08T01:30:00'))).toEqual({ kind: 'next', port: 'next' });
    expect(until(await waitUntilWindow(fridayNight, shanghai('2024-06-08T02:00:00')))).toBe(shanghai('2024-06-14T22:00:00').toISOString());
    expect(until(await waitUntilWindow(fridayNight, shanghai('2024-06-07T21:00:00')))).toBe(shanghai('2024-06-07T22:00:00').toISOString());
  });

  it('the config time zone overrides the workspace one', async () => {
    const tokyo = { ...mealtimes, timeZone: 'Asia/Tokyo' };
    // 11:30 in Shanghai is 12:30 in Tokyo.
    expect(await waitUntilWindow(tokyo, shanghai('2024-06-03T11:30:00'))).toEqual({ kind: 'next', port: 'next' });
  });

  it('in a zone with daylight saving the next start is at local wall-clock time', async () => {
    const mornings = { windows: [{ start: '09:00', end: '10:00' }] };
    // Saturday 10:00 EST; Sunday 09:00 is already EDT (13:00 UTC).
    expect(until(await waitUntilWindow(mornings, new Date('2024-03-09T15:00:00.000Z'), 'America/New_York'))).toBe('2024-03-10T13:00:00.000Z');
  });

  it('a window that starts and ends at once is rejected on its end', () => {
    expect(configIssues(waitUntilWindowAction, { windows: [{ start: '12:00', end: '12:00' }] }).map((i) => i.path)).toEqual(['windows.0.end']);
  });

  it('a time that is not HH:mm is rejected on its position', () => {
    expect(configIssues(waitUntilWindowAction, { windows: [mealtimes.windows[0], { start: '25:00', end: '26:00' }] }).map((i) => i.path)).toEqual([
      'windows.1.start',
      'windows.1.end',
    ]);
  });

  it('no weekdays and no windows are rejected on their fields', () => {
    expect(configIssues(waitUntilWindowAction, { windows: [], weekdays: [] }).map((i) => i.path)).toEqual(['windows', 'weekdays']);
  });
});

describe('time window condition', () => {
  const workHours = { windows: [{ start: '09:00', end: '18:00' }], weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] };

  async function port(now: Date) {
    const { results, ctx } = await runNode(timeWindowCondition, workHours, [{ id: 'a' }, { id: 'b' }], { now });
    expect(ctx.calls).toEqual([]);
    return results.map((r) => (r.kind === 'next' ? r.port : r.kind));
  }

  it('during working hours on a weekday everyone takes yes', async () => {
    expect(await port(shanghai('2024-06-03T09:00:00'))).toEqual(['yes', 'yes']);
  });

  it('in the evening or at the weekend everyone takes no', async () => {
    expect(await port(shanghai('2024-06-03T18:00:00'))).toEqual(['no', 'no']);
    expect(await port(shanghai('2024-06-08T10:00:00'))).toEqual(['no', 'no']);
  });
});
