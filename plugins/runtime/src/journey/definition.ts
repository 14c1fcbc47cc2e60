import { z } from 'zod';
import { toUuid } from './refs.ts';

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;

/** A node of a journey: which node type (id + version) and its config. */
export const JourneyNodeRef = z.object({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'use 1–64 letters, digits, "-" or "_"'),
  /** Node type id, e.g. `courtyard.add-tags`. */
  type: z.string().min(1, 'name the node type'),
  /** The node type's version the journey was built with. */
  version: z.string().min(1, 'give the node type version'),
  config: z.record(z.string(), z.unknown()).default({}),
  /** What the marketer named it on the canvas. */
  label: z.string().max(100).optional(),
});
export type JourneyNodeRef = z.infer<typeof JourneyNodeRef>;

/** A connection: customers leaving `from` through `port` go to `to`. */
export const JourneyEdge = z.object({
  from: z.string().min(1),
  port: z.string().min(1),
  to: z.string().min(1),
});
export type JourneyEdge = z.infer<typeof JourneyEdge>;

/** A journey's meaning: nodes and edges, nothing about the canvas. */
export const JourneyDefinition = z.object({
  nodes: z.array(JourneyNodeRef).max(500, 'a journey has at most 500 nodes'),
  edges: z.array(JourneyEdge).max(2000, 'a journey has at most 2,000 edges'),
});
export type JourneyDefinition = z.infer<typeof JourneyDefinition>;

/** Canvas positions by node id, kept apart from the definition. */
export const JourneyLayout = z.record(z.string(), z.object({ x: z.number(), y: z.number() }));
export type JourneyLayout = z.infer<typeof JourneyLayout>;

export const Duration = z.object({
  amount: z.number().int().min(0),
  unit: z.enum(['minutes', 'hours', 'days']),
});
export type Duration = z.infer<typeof Duration>;

export function durationMs(d: Duration): number {
  return d.amount * (d.unit === 'minutes' ? 60_000 : d.unit === 'hours' ? 3_600_000 : 86_400_000);
}

export const TimeWindow = z.object({
  start: z.string().regex(HHMM, 'use HH:mm'),
  end: z.string().regex(HHMM, 'use HH:mm'),
});

/** How a journey treats entries, concurrency, goals and quiet hours. */
export const JourneySettings = z.object({
  /** never: once per customer; afterCooldown: again once the cooldown has passed since the last entry; always: again after leaving. */
  reentry: z
    .discriminatedUnion('mode', [
      z.object({ mode: z.literal('never') }),
      z.object({ mode: z.literal('afterCooldown'), cooldown: Duration }),
      z.object({ mode: z.literal('always') }),
    ])
    .default({ mode: 'never' }),
  /** At most this many customers inside at once (active or waiting); further entries are refused. Default: no limit. */
  maxConcurrentEnrollments: z.number().int().positive().nullable().default(null),
  /** Checked before every step: a customer who reached it leaves the journey (reason `goal`). */
  goal: z
    .discriminatedUnion('kind', [
      z.object({ kind: z.literal('event'), eventType: z.string().min(1), properties: z.record(z.string(), z.unknown()).optional() }),
      z.object({ kind: z.literal('order'), minAmountCents: z.number().int().min(0).default(0) }),
      z.object({ kind: z.literal('segment'), segmentId: z.string().min(1).transform(toUuid) }),
    ])
    .nullable()
    .default(null),
  /** Marketing sends wait until these hours end; null: the workspace's quiet hours. */
  quietHours: TimeWindow.nullable().default(null),
});
export type JourneySettings = z.infer<typeof JourneySettings>;
