import { TZDate } from '@date-fns/tz';
import type { Json, JourneyCustomer } from '@courtyard/plugin-sdk';

// The comparison semantics of the attribute condition, kept apart from its declaration.

export const BUILT_IN_FIELDS = [
  'name',
  'phone',
  'email',
  'gender',
  'birthday',
  'city',
  'sourceChannel',
  'lifecycleStage',
  'wecomExternalId',
  'unionId',
  'marketingConsent',
  'blacklisted',
  'ownerStaffId',
  'orderCount',
  'totalSpentCents',
  'firstOrderAt',
  'lastOrderAt',
  'createdAt',
] as const satisfies readonly (keyof JourneyCustomer)[];

export const ATTRIBUTE_PREFIX = 'attributes.';

/** The customer's value for `name`, `city`… or `attributes.<key>`; undefined when absent. */
export function fieldValue(customer: JourneyCustomer, field: string): Json | undefined {
  if (field.startsWith(ATTRIBUTE_PREFIX)) return customer.attributes[field.slice(ATTRIBUTE_PREFIX.length)];
  return (customer as unknown as Record<string, Json | undefined>)[field];
}

export const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * A date value as an instant. A calendar date (`2024-05-01`, a birthday) means the start of that
 * day in the workspace time zone; `endOfDay` asks for the start of the next day instead.
 */
export function instantOf(value: Json | undefined, timeZone: string, endOfDay = false): number | null {
  if (typeof value !== 'string') return null;
  if (DATE_ONLY.test(value)) {
    const [y, m, d] = value.split('-').map(Number);
    return new TZDate(y!, m! - 1, d! + (endOfDay ? 1 : 0), timeZone).getTime();
  }
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

/** Numbers, or numeric strings (attributes imported from spreadsheets often arrive as text). */
function numberOf(value: Json | undefined): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  return null;
}

function sameJson(a: Json | undefined, b: Json | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export type Operator =
  | 'equals'
  | 'notEquals'
  | 'in'
  | 'contains'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'isSet'
  | 'notSet'
  | 'before'
  | 'after'
  | 'withinLastDays';

export function compare(actual: Json | undefined, operator: Operator, expected: Json | undefined, now: Date, timeZone: string): boolean {
  const isSet = actual !== undefined && actual !== null && actual !== '';
  switch (operator) {
    case 'isSet':
      return isSet;
    case 'notSet':
      return !isSet;
    case 'equals':
      return sameJson(actual, expected);
    case 'notEquals':
      return !sameJson(actual, expected);
    case 'in':
      return Array.isArray(expected) && expected.some((e) => sameJson(actual, e));
    case 'contains':
      if (typeof actual === 'string') return typeof expected === 'string' && actual.includes(expected);
      return Array.isArray(actual) && actual.some((a) => sameJson(a, expected));
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const a = numberOf(actual);
      const e = numberOf(expected);
      if (a === null || e === null) return false;
      return operator === 'gt' ? a > e : operator === 'gte' ? a >= e : operator === 'lt' ? a < e : a <= e;
    }
    case 'before': {
      const a = instantOf(actual, timeZone);
      const e = instantOf(expected, timeZone);
      return a !== null && e !== null && a < e;
    }
    case 'after': {
      // "After 1 May" starts on 2 May when the value is a calendar date.
      const a = instantOf(actual, timeZone);
      const e = instantOf(expected, timeZone, true);
      if (a === null || e === null) return false;
      return DATE_ONLY.test(String(expected)) ? a >= e : a > e;
    }
    case 'withinLastDays': {
      const a = instantOf(actual, timeZone);
      const days = numberOf(expected);
      return a !== null && days !== null && a <= now.getTime() && a >= now.getTime() - days * 86_400_000;
    }
  }
}
