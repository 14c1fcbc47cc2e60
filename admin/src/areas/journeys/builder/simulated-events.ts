// Events the marketer lets happen during a simulation ("the customer pays two hours in"): their
// drafts as edited, the check of each, the API's SimulatedEventInput list, and when each
// wait-for-event on the simulated path resolved.
import type { SimulatedEventInput } from '@/gql/graphql';

export type OffsetUnit = 'minutes' | 'hours' | 'days';

export interface EventDraft {
  type: string;
  /** Event properties as JSON text (an object), empty for none. */
  properties: string;
  /** After the customer enters (offset), or at a set time. */
  when: 'offset' | 'at';
  amount: number;
  unit: OffsetUnit;
  /** Epoch ms (when 'at'). */
  at: number | null;
}

export function emptyEvent(): EventDraft {
  return { type: '', properties: '', when: 'offset', amount: 1, unit: 'hours', at: null };
}

const UNIT_MS: Record<OffsetUnit, number> = { minutes: 60_000, hours: 3_600_000, days: 86_400_000 };

/** What is wrong with a draft, by field (type, properties, when), as keys of `journeys.simulate.events.errors`. */
export function eventProblems(d: EventDraft, start: number): Partial<Record<'type' | 'properties' | 'when', string>> {
  const out: Partial<Record<'type' | 'properties' | 'when', string>> = {};
  if (!d.type.trim()) out.type = 'typeRequired';
  if (d.properties.trim()) {
    try {
      const parsed: unknown = JSON.parse(d.properties);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) out.properties = 'propertiesObject';
    } catch {
      out.properties = 'propertiesJson';
    }
  }
  if (d.when === 'offset' && !(Number.isFinite(d.amount) && d.amount >= 0)) out.when = 'offsetRange';
  if (d.when === 'at' && (d.at == null || d.at < start)) out.when = 'atAfterStart';
  return out;
}

/** When the draft happens, for a simulation starting at `start` (epoch ms). */
export function eventTime(d: EventDraft, start: number): number {
  return d.when === 'at' ? d.at ?? start : start + d.amount * UNIT_MS[d.unit];
}

/** The API's events, in time order; null when a draft has a problem. */
export function simulatedEvents(drafts: EventDraft[], start: number): SimulatedEventInput[] | null {
  if (drafts.some((d) => Object.keys(eventProblems(d, start)).length)) return null;
  return drafts
    .map((d) => ({ type: d.type.trim(), at: new Date(eventTime(d, start)).toISOString(), ...(d.properties.trim() ? { properties: JSON.parse(d.properties) as Record<string, unknown> } : {}) }))
    .sort((a, b) => a.at.localeCompare(b.at));
}

export const WAIT_FOR_EVENT = 'courtyard.wait-for-event';

/** How a wait-for-event step ended: the event came (at leftAt) or it timed out; null for other steps. */
export function waitResolution(step: { nodeType: string; outcome: string; leftAt: string }): { kind: 'event' | 'timeout' | 'other'; at: string } | null {
  if (step.nodeType !== WAIT_FOR_EVENT) return null;
  return { kind: step.outcome === 'event' ? 'event' : step.outcome === 'timeout' ? 'timeout' : 'other', at: step.leftAt };
}
