// The segment definition language as the rule builder edits it. Its types come from the language's
// one zod schema (type-only: nothing of zod reaches the bundle); the builder's choices come from the
// JSON Schema the API serves (see vocabulary.ts).
import type { Condition, SegmentDefinition, SegmentNode } from '../../../../../prisma/src/segments/definition.ts';

export type { Condition, SegmentDefinition, SegmentNode };
export type ConditionKind = Condition['kind'];
export type ConditionOf<K extends ConditionKind> = Extract<Condition, { kind: K }>;
export type Group = Extract<SegmentNode, { op: 'and' | 'or' }>;
export type Not = Extract<SegmentNode, { op: 'not' }>;
export type Window = NonNullable<ConditionOf<'event'>['window']>;

export const isGroup = (n: SegmentNode): n is Group => 'op' in n && (n.op === 'and' || n.op === 'or');
export const isNot = (n: SegmentNode): n is Not => 'op' in n && n.op === 'not';
export const isCondition = (n: SegmentNode): n is Condition => 'kind' in n;

/** A new condition of a kind, filled so that it is valid where the language allows (tags and lists need a choice). */
export function defaultCondition(kind: string): Condition {
  switch (kind) {
    case 'attribute': return { kind: 'attribute', field: 'city', operator: 'equals', value: '' };
    case 'tags': return { kind: 'tags', match: 'any', tagIds: [] };
    case 'event': return { kind: 'event', type: '', count: { op: 'atLeast', value: 1 }, window: { lastDays: 30 } };
    case 'notPerformedSince': return { kind: 'notPerformedSince', type: '', since: { lastDays: 30 } };
    case 'orders': return { kind: 'orders', metric: 'count', operator: 'gte', value: 1 };
    case 'purchased': return { kind: 'purchased', by: 'sku', values: [], window: { lastDays: 90 } };
    case 'firstOrderAfterEvent': return { kind: 'firstOrderAfterEvent', eventType: 'friend_added' };
    case 'segment': return { kind: 'segment', segmentId: '' };
    case 'channel': return { kind: 'channel', channels: [] };
    case 'consent': return { kind: 'consent', value: true };
    case 'blacklisted': return { kind: 'blacklisted', value: false };
    case 'randomBucket': return { kind: 'randomBucket', from: 0, to: 10 };
    // A kind the admin does not know yet (newer API): edited as JSON by the generic editor.
    default: return { kind } as unknown as Condition;
  }
}

export const emptyDefinition = (): SegmentDefinition => ({ version: 1, root: { op: 'and', conditions: [defaultCondition('tags')] } });

/** Messages from the API keyed by path from the definition ("root.conditions.0.value"). */
export type PathErrors = Record<string, string>;

/** Turns a ValidationError's fields (paths from the argument, e.g. input.definition.root…) into PathErrors. */
export function definitionErrors(fields: Array<{ path: string[]; message: string }>, prefix: string[]): PathErrors {
  const out: PathErrors = {};
  for (const f of fields) {
    if (prefix.some((p, i) => f.path[i] !== p)) continue;
    const key = f.path.slice(prefix.length).join('.');
    out[key] = out[key] ? `${out[key]}; ${f.message}` : f.message;
  }
  return out;
}

/** Messages at `path` or below it. */
export function errorsUnder(errors: PathErrors, path: string): string[] {
  return Object.entries(errors).filter(([k]) => k === path || k.startsWith(`${path}.`)).map(([, m]) => m);
}

/** 'error' when something at or below `path` was refused, for an input's status. */
export const statusAt = (errors: PathErrors, path: string): 'error' | undefined => (errorsUnder(errors, path).length ? 'error' : undefined);

/** An ISO date-time with the browser's offset (the language wants an offset), from a picker's milliseconds. */
export function isoDateTime(ms: number): string {
  const d = new Date(ms);
  const off = -d.getTimezoneOffset();
  const pad = (n: number) => String(Math.floor(Math.abs(n))).padStart(2, '0');
  const local = new Date(ms + off * 60_000).toISOString().slice(0, 19);
  return `${local}${off >= 0 ? '+' : '-'}${pad(off / 60)}:${pad(off % 60)}`;
}

/** YYYY-MM-DD in the browser's time zone, for date-only attribute values. */
export function isoDate(ms: number): string {
  return isoDateTime(ms).slice(0, 10);
}

/** Milliseconds of an ISO date or date-time, for a picker; null when unset or unreadable. */
export function toMs(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00` : value);
  return Number.isNaN(ms) ? null : ms;
}

/** Drops keys whose value is undefined, so emitted conditions are exactly the JSON the API stores. */
export function clean<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
