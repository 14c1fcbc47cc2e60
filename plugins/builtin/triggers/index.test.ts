import { describe, expect, it } from 'vitest';
import { configIssues, sourceOf } from '../testing.ts';
import { apiTrigger, dateTrigger, eventTrigger, scheduleTrigger, segmentTrigger } from './index.ts';

describe('event trigger', () => {
  it('listens to the event type with its property filter', () => {
    expect(sourceOf(eventTrigger, { eventType: 'order.paid', properties: { platform: 'tmall' } })).toEqual({
      kind: 'event',
      eventType: 'order.paid',
      properties: { platform: 'tmall' },
    });
  });

  it('leaves the filter out when no property is given', () => {
    expect(sourceOf(eventTrigger, { eventType: 'cart.abandoned' })).toEqual({ kind: 'event', eventType: 'cart.abandoned' });
  });

  it('an empty event type is rejected on eventType', () => {
    expect(configIssues(eventTrigger, { eventType: '' }).map((i) => i.path)).toEqual(['eventType']);
  });

  it('a filter value that is an object is rejected with its key in the path', () => {
    expect(configIssues(eventTrigger, { eventType: 'x', properties: { sku: { a: 1 } } })[0]?.path).toBe('properties.sku');
  });
});

describe('segment trigger', () => {
  it('enrolls on entering by default', () => {
    expect(sourceOf(segmentTrigger, { segmentId: 'seg-vip' })).toEqual({ kind: 'segment', segmentId: 'seg-vip', change: 'entered' });
  });

  it('can enroll on leaving instead', () => {
    expect(sourceOf(segmentTrigger, { segmentId: 'seg-vip', change: 'exited' })).toMatchObject({ change: 'exited' });
  });

  it('an unknown change is rejected on change', () => {
    expect(configIssues(segmentTrigger, { segmentId: 's', change: 'left' }).map((i) => i.path)).toEqual(['change']);
  });
});

describe('schedule trigger', () => {
  it('runs once at the given instant, normalised to UTC', () => {
    expect(sourceOf(scheduleTrigger, { repeat: 'once', at: '2024-06-18T20:00:00+08:00', segmentId: 'seg-1' })).toEqual({
      kind: 'schedule',
      segmentId: 'seg-1',
      at: '2024-06-18T12:00:00.000Z',
    });
  });

  it('a cron schedule without a segment reaches everyone', () => {
    expect(sourceOf(scheduleTrigger, { repeat: 'cron', cron: '0 9 * * 1' })).toEqual({ kind: 'schedule', segmentId: null, cron: '0 9 * * 1' });
  });

  it('a cron schedule may name its own time zone', () => {
    expect(sourceOf(scheduleTrigger, { repeat: 'cron', cron: '0 9 * * *', timeZone: 'Asia/Tokyo' })).toMatchObject({ timeZone: 'Asia/Tokyo' });
  });

  it('an invalid cron expression is rejected on cron with the reason', () => {
    const issues = configIssues(scheduleTrigger, { repeat: 'cron', cron: '61 * * * *' });
    expect(issues.map((i) => i.path)).toEqual(['cron']);
    expect(issues[0]!.message).toMatch(/minute/);
  });

  it('an unknown time zone is rejected on timeZone', () => {
    expect(configIssues(scheduleTrigger, { repeat: 'cron', cron: '0 9 * * *', timeZone: 'Mars/Olympus' }).map((i) => i.path)).toEqual(['timeZone']);
  });

  it('a time without an offset is rejected on at, since it would be ambiguous', () => {
    expect(configIssues(scheduleTrigger, { repeat: 'once', at: '2024-06-18T20:00:00' }).map((i) => i.path)).toEqual(['at']);
  });
});

describe('date trigger', () => {
  it('defaults to the day itself at 10:00 for everyone', () => {
    expect(sourceOf(dateTrigger, { field: 'birthday' })).toEqual({ kind: 'date', field: 'birthday', offsetDays: 0, time: '10:00', segmentId: null });
  });

  it('carries an offset, a time and a segment', () => {
    expect(sourceOf(dateTrigger, { field: 'firstOrderAt', offsetDays: 30, time: '20:30', segmentId: 'seg-1' })).toEqual({
      kind: 'date',
      field: 'firstOrderAt',
      offsetDays: 30,
      time: '20:30',
      segmentId: 'seg-1',
    });
  });

  it('a time that is not HH:mm is rejected on time', () => {
    expect(configIssues(dateTrigger, { field: 'birthday', time: '24:00' }).map((i) => i.path)).toEqual(['time']);
    expect(configIssues(dateTrigger, { field: 'birthday', time: '9:30' }).map((i) => i.path)).toEqual(['time']);
  });

  it('a fractional offset is rejected on offsetDays', () => {
    expect(configIssues(dateTrigger, { field: 'createdAt', offsetDays: 1.5 }).map((i) => i.path)).toEqual(['offsetDays']);
  });
});

describe('API trigger', () => {
  it('needs no config and waits for enrollCustomers calls', () => {
    expect(sourceOf(apiTrigger, undefined)).toEqual({ kind: 'api' });
  });
});
