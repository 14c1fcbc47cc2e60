// Custom scalars. Input values that do not parse become an `InvalidValue` instead of failing the
// whole request, so that a batch can report the bad item by its path and still store the rest;
// the zod helpers at the bottom turn an `InvalidValue` into a field error.
import { Kind, type ValueNode, valueFromASTUntyped } from 'graphql';
import { z } from 'zod';
import { builder } from './builder.ts';
import { InvalidValue } from './errors.ts';

export { InvalidValue };

const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

function parseDateTime(value: unknown): Date | InvalidValue {
  if (typeof value === 'string' && ISO_DATE_TIME.test(value)) {
    const date = new Date(value);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return new InvalidValue('must be an ISO 8601 date-time with a time zone, e.g. 2026-11-11T20:00:00+08:00');
}

function parseDate(value: unknown): Date | InvalidValue {
  const m = typeof value === 'string' ? ISO_DATE.exec(value) : null;
  if (m) {
    const date = new Date(`${value as string}T00:00:00Z`);
    if (!Number.isNaN(date.getTime()) && date.getUTCDate() === Number(m[3])) return date;
  }
  return new InvalidValue('must be a calendar date YYYY-MM-DD, e.g. 1995-08-17');
}

function parseMoney(value: unknown): bigint | InvalidValue {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return BigInt(value);
  if (typeof value === 'string' && /^-?\d{1,18}$/.test(value)) return BigInt(value);
  return new InvalidValue('must be a whole number of minor units (fen for CNY), e.g. 12990 for ¥129.90');
}

function parseJSONObject(value: unknown): Record<string, unknown> | InvalidValue {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  return new InvalidValue('must be a JSON object, e.g. {"skinType": "dry"}');
}

const literal = (ast: ValueNode, variables?: Record<string, unknown> | null) => valueFromASTUntyped(ast, variables);

builder.scalarType('DateTime', {
  description: 'A date and time as an ISO 8601 string with a time zone, e.g. `2026-11-11T20:00:00+08:00`; returned in UTC.',
  serialize: (value) => (value instanceof Date ? value.toISOString() : String(value)),
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('Date', {
  description: 'A calendar date as an ISO 8601 string, `YYYY-MM-DD`.',
  serialize: (value) => (value instanceof Date ? value.toISOString().slice(0, 10) : String(value)),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('Money', {
  description: 'An amount of money in minor units of its currency (fen for CNY), as an integer: 12990 is ¥129.90. Never a float.',
  serialize: (value) => {
    const n = typeof value === 'bigint' ? value : BigInt(value as number);
    return Number.isSafeInteger(Number(n)) ? Number(n) : n.toString();
  },
  parseValue: parseMoney,
  parseLiteral: (ast) => parseMoney(ast.kind === Kind.INT ? Number(ast.value) : ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType('JSON', {
  description: 'Any JSON value.',
  serialize: (value) => value,
  parseValue: (value) => value,
  parseLiteral: literal,
});

builder.scalarType('JSONObject', {
  description: 'A JSON object (not an array or a scalar), e.g. `{"skinType": "dry"}`.',
  serialize: (value) => value,
  parseValue: parseJSONObject,
  parseLiteral: (ast, variables) => parseJSONObject(literal(ast, variables)),
});

/** zod schemas for values that came through the scalars above: the scalar's message becomes the field error. */
function scalar<T>(check: (v: unknown) => v is T) {
  return z.unknown().transform((value, ctx): T => {
    if (value instanceof InvalidValue) {
      ctx.addIssue({ code: 'custom', message: value.message });
      return z.NEVER;
    }
    if (!check(value)) {
      ctx.addIssue({ code: 'custom', message: 'has the wrong type' });
      return z.NEVER;
    }
    return value;
  });
}

export const zDate = () => scalar((v): v is Date => v instanceof Date);
export const zMoney = () => scalar((v): v is bigint => typeof v === 'bigint');
export const zJSONObject = () => scalar((v): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v));
