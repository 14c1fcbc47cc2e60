import { describe, expect, it } from 'vitest';
import {
  addVariant,
  definitionFromState,
  emptyState,
  evenWeights,
  problemsByStep,
  removeVariant,
  segmentGlobalId,
  stateFromCampaign,
  stepOfField,
  stepProblems,
  weightTotal,
  wizardField,
  type WizardState,
} from './state';

const SEGMENT_UUID = '3f2b6a9e-1c4d-4e8f-9a0b-1234567890ab';
const CHANNEL_UUID = '9a0b1234-5678-4e8f-9a0b-3f2b6a9e1c4d';

function filled(): WizardState {
  return {
    ...emptyState(),
    name: '618 预热',
    segmentIds: [segmentGlobalId(SEGMENT_UUID)],
    holdoutPercent: 10,
    channelId: CHANNEL_UUID,
    variants: [
      { key: 'A', weight: 60, subject: '', body: '{{customer.name}}，618 券已到账 {{links.coupon}}' },
      { key: 'B', weight: 40, subject: '专属福利', body: '{{customer.name}}，会员价提前购' },
    ],
    links: [{ name: 'coupon', url: 'https://shop.example.com/c/618' }],
    senderStaffIds: ['staff-1'],
    windows: [{ start: '12:00', end: '14:00', weekdays: [1, 2, 3, 4, 5, 6, 7] }, { start: '19:00', end: '22:00', weekdays: [6, 7] }],
    attributionHours: 48,
  };
}

describe('campaign wizard state', () => {
  it('builds the API definition: subject only when written, links as a record, windows on every day without weekdays', () => {
    expect(definitionFromState(filled())).toEqual({
      audience: { segmentIds: [segmentGlobalId(SEGMENT_UUID)], excludeSegmentIds: [], holdoutPercent: 10 },
      content: {
        channelId: CHANNEL_UUID,
        variants: [
          { key: 'A', weight: 60, body: '{{customer.name}}，618 券已到账 {{links.coupon}}' },
          { key: 'B', weight: 40, subject: '专属福利', body: '{{customer.name}}，会员价提前购' },
        ],
        links: { coupon: 'https://shop.example.com/c/618' },
        marketing: true,
      },
      senderStaffIds: ['staff-1'],
      windows: [{ start: '12:00', end: '14:00' }, { start: '19:00', end: '22:00', weekdays: [6, 7] }],
      attributionHours: 48,
    });
  });

  it('round-trips a stored campaign (database ids) back into the same definition', () => {
    const stored = JSON.parse(JSON.stringify(definitionFromState(filled())));
    stored.audience.segmentIds = [SEGMENT_UUID];
    const state = stateFromCampaign({ name: '618 预热', definition: stored, scheduledAt: '2030-06-01T02:00:00.000Z' });
    expect(state.segmentIds).toEqual([segmentGlobalId(SEGMENT_UUID)]);
    expect(atob(state.segmentIds[0]!)).toBe(`Segment:${SEGMENT_UUID}`);
    expect(state.sendMode).toBe('at');
    expect(state.scheduledAt).toBe(Date.parse('2030-06-01T02:00:00.000Z'));
    expect(definitionFromState(state)).toEqual(definitionFromState(filled()));
  });

  it('splits weights evenly when variants are added or removed, always adding up to 100', () => {
    expect(evenWeights(3)).toEqual([34, 33, 33]);
    let variants = emptyState().variants;
    variants = addVariant(variants);
    variants = addVariant(variants);
    expect(variants.map((v) => [v.key, v.weight])).toEqual([['A', 34], ['B', 33], ['C', 33]]);
    variants = removeVariant(variants, 0);
    expect(variants.map((v) => [v.key, v.weight])).toEqual([['B', 50], ['C', 50]]);
    expect(addVariant(addVariant(variants)).map((v) => v.key)).toEqual(['B', 'C', 'A', 'D']);
    for (let i = 0; i < 5; i++) variants = addVariant(variants);
    expect(variants).toHaveLength(5);
    expect(weightTotal(variants)).toBe(100);
  });

  it('the audience step needs a name and a segment, and no segment both included and excluded', () => {
    const s = emptyState();
    expect(Object.keys(stepProblems(s, 'audience'))).toEqual(['name', 'audience.segmentIds']);
    const f = filled();
    f.excludeSegmentIds = [...f.segmentIds];
    expect(stepProblems(f, 'audience')).toEqual({ 'audience.excludeSegmentIds': { key: 'segmentBothWays' } });
  });

  it('the content step names weights not adding up to 100, empty bodies, unset links and bad link urls', () => {
    const f = filled();
    expect(stepProblems(f, 'content')).toEqual({});
    f.variants[1]!.weight = 30;
    f.variants[1]!.body = '  ';
    f.variants[0]!.body = '{{links.gift}}';
    f.links.push({ name: 'bad name', url: 'shop' });
    expect(stepProblems(f, 'content')).toEqual({
      'content.variants': { key: 'weightsTotal', params: { total: 90 } },
      'content.variants.0.body': { key: 'linkNotSet', params: { name: 'gift' } },
      'content.variants.1.body': { key: 'bodyRequired' },
      'content.links.1.name': { key: 'linkName' },
      'content.links.1.url': { key: 'linkUrl' },
    });
  });

  it('the schedule step wants windows with an end after the start, and a future time to schedule', () => {
    const f = filled();
    const now = Date.parse('2030-01-01T00:00:00Z');
    f.windows[0]!.end = '12:00';
    f.sendMode = 'at';
    f.scheduledAt = now - 1;
    expect(stepProblems(f, 'schedule', now)).toEqual({ 'windows.0': { key: 'windowEmpty' }, at: { key: 'scheduleFuture' } });
  });

  it('puts API field errors on the step and field they name', () => {
    expect(wizardField('input.definition.content.variants.1.body')).toBe('content.variants.1.body');
    expect(wizardField('patch.name')).toBe('name');
    expect(wizardField('definition.senderStaffIds.0')).toBe('senderStaffIds.0');
    expect(stepOfField('content.variants.1.body')).toBe('content');
    expect(stepOfField('audience.segmentIds')).toBe('audience');
    expect(stepOfField('windows.0')).toBe('schedule');
    expect(stepOfField('at')).toBe('schedule');
    expect(problemsByStep(['name', 'content.channelId', 'senderStaffIds.0', 'senderStaffIds.1'])).toEqual({ audience: 1, content: 1, senders: 2, schedule: 0, review: 0 });
  });
});
