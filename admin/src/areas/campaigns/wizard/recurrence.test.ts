import { describe, expect, it } from 'vitest';
import { cronFromRecurrence, defaultRecurrence, describeCron, formatInZone, nextOccurrences, recurrenceFromCron, recurrenceProblem } from './recurrence';
import { cronOf, emptyState, kindOf, stateFromCampaign, stepOfField, stepProblems } from './state';

const t = (key: string, p: Record<string, unknown> = {}) => `${key}${JSON.stringify(p)}`;

describe('recurring campaign schedules', () => {
  it('the builder makes five-field cron expressions: every day, chosen weekdays (Sunday as 0), a day of the month', () => {
    expect(cronFromRecurrence({ ...defaultRecurrence(), mode: 'daily', time: '09:05' })).toBe('5 9 * * *');
    expect(cronFromRecurrence({ ...defaultRecurrence(), mode: 'weekly', time: '20:00', weekdays: [7, 1, 3] })).toBe('0 20 * * 0,1,3');
    expect(cronFromRecurrence({ ...defaultRecurrence(), mode: 'monthly', time: '10:30', dayOfMonth: 15 })).toBe('30 10 15 * *');
    expect(cronFromRecurrence({ ...defaultRecurrence(), mode: 'cron', cron: '  0  8 * *   1-5 ' })).toBe('0 8 * * 1-5');
  });

  it('a stored expression opens in the builder when it has a friendly form, else as an advanced expression', () => {
    expect(recurrenceFromCron('0 10 * * *')).toMatchObject({ mode: 'daily', time: '10:00' });
    expect(recurrenceFromCron('0 20 * * 0,1,3')).toMatchObject({ mode: 'weekly', time: '20:00', weekdays: [1, 3, 7] });
    expect(recurrenceFromCron('30 10 15 * *')).toMatchObject({ mode: 'monthly', time: '10:30', dayOfMonth: 15 });
    expect(recurrenceFromCron('*/15 9-18 * * 1-5')).toMatchObject({ mode: 'cron', cron: '*/15 9-18 * * 1-5' });
    for (const r of [recurrenceFromCron('0 20 * * 0,1,3'), recurrenceFromCron('30 10 15 * *'), recurrenceFromCron('7 6 * * *')]) {
      expect(recurrenceFromCron(cronFromRecurrence(r))).toEqual(r);
    }
  });

  it('a hand-written expression is checked before the API is asked: five fields, valid, firing again', () => {
    const cron = (c: string) => recurrenceProblem({ ...defaultRecurrence(), mode: 'cron', cron: c });
    expect(cron('')).toBe('cronRequired');
    expect(cron('0 0 10 * * *')).toBe('cronFields');
    expect(cron('0 25 * * *')).toBe('cronInvalid');
    expect(cron('banana * * * *')).toBe('cronInvalid');
    expect(cron('0 10 * * 1-5')).toBeNull();
    expect(recurrenceProblem({ ...defaultRecurrence(), mode: 'weekly', weekdays: [] })).toBe('recurrenceWeekdays');
    expect(recurrenceProblem({ ...defaultRecurrence(), mode: 'daily', time: '' })).toBe('recurrenceTime');
  });

  it('the next occurrences are computed in the workspace time zone', () => {
    const from = new Date('2025-06-18T03:00:00Z'); // 11:00 in Shanghai, a Wednesday
    const shanghai = nextOccurrences('0 10 * * *', 'Asia/Shanghai', 3, from).map((d) => d.toISOString());
    expect(shanghai).toEqual(['2025-06-19T02:00:00.000Z', '2025-06-20T02:00:00.000Z', '2025-06-21T02:00:00.000Z']);
    const berlin = nextOccurrences('0 10 * * *', 'Europe/Berlin', 1, from).map((d) => d.toISOString());
    expect(berlin).toEqual(['2025-06-18T08:00:00.000Z']);
    expect(formatInZone(shanghai[0]!, 'Asia/Shanghai', 'en')).toContain('10:00');
    expect(nextOccurrences('not a cron', 'Asia/Shanghai')).toEqual([]);
  });

  it('says the schedule in words, an unusual expression as written', () => {
    expect(describeCron('0 10 * * *', t)).toBe('campaigns.recurrence.words.daily{"time":"10:00"}');
    expect(describeCron('30 10 15 * *', t)).toBe('campaigns.recurrence.words.monthly{"day":15,"time":"10:30"}');
    expect(describeCron('*/5 * * * *', t)).toBe('campaigns.recurrence.words.cron{"cron":"*/5 * * * *"}');
  });

  it('the wizard sends kind recurring with the cron, keeps the schedule step open on a bad expression, and reopens a stored one', () => {
    const s = { ...emptyState(), sendMode: 'recurring' as const, recurrence: { ...defaultRecurrence(), mode: 'weekly' as const, weekdays: [1, 5], time: '19:30' } };
    expect(kindOf(s)).toBe('recurring');
    expect(cronOf(s)).toBe('30 19 * * 1,5');
    expect(cronOf({ ...s, sendMode: 'now' })).toBeNull();
    expect(stepProblems({ ...s, recurrence: { ...s.recurrence, mode: 'cron', cron: '61 * * * *' } }, 'schedule')).toEqual({ cron: { key: 'cronInvalid' } });
    expect(stepOfField('cron')).toBe('schedule');
    const back = stateFromCampaign({ name: 'x', kind: 'recurring', cron: '30 19 * * 1,5', definition: {} });
    expect(back.sendMode).toBe('recurring');
    expect(back.recurrence).toMatchObject({ mode: 'weekly', weekdays: [1, 5], time: '19:30' });
  });
});
