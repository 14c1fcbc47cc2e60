import { describe, expect, it } from 'vitest';
import { emptyEvent, eventProblems, simulatedEvents, waitResolution } from './simulated-events';

const START = Date.parse('2025-06-18T02:00:00Z');

describe('events during a journey simulation', () => {
  it('become the API events in time order: offsets after the entry, set times as given, properties parsed', () => {
    const events = simulatedEvents(
      [
        { ...emptyEvent(), type: ' order.paid ', properties: '{"sku": "A1", "amount": 12990}', amount: 2, unit: 'hours' },
        { ...emptyEvent(), type: 'page.viewed', when: 'at', at: Date.parse('2025-06-18T02:30:00Z') },
        { ...emptyEvent(), type: 'coupon.used', amount: 1, unit: 'days' },
      ],
      START,
    );
    expect(events).toEqual([
      { type: 'page.viewed', at: '2025-06-18T02:30:00.000Z' },
      { type: 'order.paid', at: '2025-06-18T04:00:00.000Z', properties: { sku: 'A1', amount: 12990 } },
      { type: 'coupon.used', at: '2025-06-19T02:00:00.000Z' },
    ]);
  });

  it('a draft without a type, with properties that are not a JSON object, or a time before the start stops the run', () => {
    expect(eventProblems({ ...emptyEvent(), type: '' }, START)).toEqual({ type: 'typeRequired' });
    expect(eventProblems({ ...emptyEvent(), type: 'x', properties: '{sku: A1}' }, START)).toEqual({ properties: 'propertiesJson' });
    expect(eventProblems({ ...emptyEvent(), type: 'x', properties: '[1, 2]' }, START)).toEqual({ properties: 'propertiesObject' });
    expect(eventProblems({ ...emptyEvent(), type: 'x', when: 'at', at: START - 1 }, START)).toEqual({ when: 'atAfterStart' });
    expect(eventProblems({ ...emptyEvent(), type: 'x', amount: -1 }, START)).toEqual({ when: 'offsetRange' });
    expect(simulatedEvents([{ ...emptyEvent(), type: 'ok' }, { ...emptyEvent(), type: '' }], START)).toBeNull();
    expect(simulatedEvents([], START)).toEqual([]);
  });

  it('a wait-for-event step says whether the event came or the wait timed out, and when', () => {
    expect(waitResolution({ nodeType: 'courtyard.wait-for-event', outcome: 'event', leftAt: '2025-06-18T04:00:00Z' })).toEqual({ kind: 'event', at: '2025-06-18T04:00:00Z' });
    expect(waitResolution({ nodeType: 'courtyard.wait-for-event', outcome: 'timeout', leftAt: '2025-06-21T02:00:00Z' })).toEqual({ kind: 'timeout', at: '2025-06-21T02:00:00Z' });
    expect(waitResolution({ nodeType: 'courtyard.wait', outcome: 'waited', leftAt: '2025-06-18T04:00:00Z' })).toBeNull();
  });
});
