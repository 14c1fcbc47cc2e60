import { describe, expect, it } from 'vitest';
import { fromSettingsForm, segmentGlobalId, toSettingsForm } from './settings';

describe('journey settings form', () => {
  it('reads the defaults the API fills in as: once per customer, no cap, no goal, the workspace quiet hours', () => {
    const form = toSettingsForm({ reentry: { mode: 'never' }, maxConcurrentEnrollments: null, goal: null, quietHours: null });
    expect(form).toMatchObject({ reentry: 'never', maxConcurrent: null, goal: 'none', ownQuietHours: false });
    expect(fromSettingsForm(form, {})).toEqual({ reentry: { mode: 'never' }, maxConcurrentEnrollments: null, goal: null, quietHours: null });
  });

  it('round-trips a cooldown, a cap, an order goal in yuan and own quiet hours', () => {
    const settings = { reentry: { mode: 'afterCooldown', cooldown: { amount: 7, unit: 'days' } }, maxConcurrentEnrollments: 500, goal: { kind: 'order', minAmountCents: 9900 }, quietHours: { start: '22:00', end: '08:30' } };
    const form = toSettingsForm(settings);
    expect(form.goalMinAmount).toBe(99);
    expect(fromSettingsForm(form, settings)).toEqual(settings);
  });

  it('keeps an event goal\'s property filter, which the form does not edit', () => {
    const settings = { reentry: { mode: 'always' }, maxConcurrentEnrollments: null, goal: { kind: 'event', eventType: 'order.paid', properties: { sku: 'A1' } }, quietHours: null };
    const form = toSettingsForm(settings);
    form.goalEventType = 'order.refunded';
    expect(fromSettingsForm(form, settings).goal).toEqual({ kind: 'event', eventType: 'order.refunded', properties: { sku: 'A1' } });
  });

  it('shows a stored segment uuid as the id the segment picker uses', () => {
    const uuid = '0b7c1f7e-2f4a-4d7e-9c55-1f0f7b3f9a10';
    expect(segmentGlobalId(uuid)).toBe(btoa(`Segment:${uuid}`));
    expect(toSettingsForm({ goal: { kind: 'segment', segmentId: uuid } }).goalSegmentId).toBe(btoa(`Segment:${uuid}`));
    expect(segmentGlobalId('U2VnbWVudDp4')).toBe('U2VnbWVudDp4');
  });
});
