// Validation of a segment definition with errors that point at the failing condition:
// shape first (zod, node by node so a bad leaf is reported by its own path), then meaning
// (operators that fit the field, values of the right type).
import { z } from 'zod';
import {
  BOOLEAN_FIELDS,
  Condition,
  DATE_FIELDS,
  ENUM_FIELDS,
  NUMBER_FIELDS,
  SEGMENT_DEFINITION_VERSION,
  STRING_FIELDS,
  type SegmentDefinition,
  type SegmentNode,
} from './definition.ts';

export interface DefinitionIssue {
  /** Path from the definition's root, e.g. ['root', 'conditions', '2', 'value']. */
  path: string[];
  message: string;
}

export type FieldType = 'string' | 'enum' | 'boolean' | 'number' | 'date' | 'custom';

export function fieldType(field: string): FieldType {
  if ((STRING_FIELDS as readonly string[]).includes(field)) return 'string';
  if (field in ENUM_FIELDS) return 'enum';
  if ((BOOLEAN_FIELDS as readonly string[]).includes(field)) return 'boolean';
  if ((NUMBER_FIELDS as readonly string[]).includes(field)) return 'number';
  if ((DATE_FIELDS as readonly string[]).includes(field)) return 'date';
  return 'custom';
}

const OPERATORS_BY_TYPE: Record<FieldType, readonly string[]> = {
  string: ['equals', 'notEquals', 'in', 'notIn', 'contains', 'startsWith', 'isSet', 'isNotSet'],
  enum: ['equals', 'notEquals', 'in', 'notIn'],
  boolean: ['equals'],
  number: ['equals', 'notEquals', 'gt', 'gte', 'lt', 'lte', 'between'],
  date: ['before', 'after', 'between', 'withinLastDays', 'notWithinLastDays', 'isSet', 'isNotSet'],
  custom: ['equals', 'notEquals', 'in', 'notIn', 'contains', 'startsWith', 'gt', 'gte', 'lt', 'lte', 'between', 'before', 'after', 'withinLastDays', 'notWithinLastDays', 'isSet', 'isNotSet'],
};

const GroupShape = z.strictObject({ op: z.enum(['and', 'or']), conditions: z.array(z.unknown()).min(1, { message: 'a group needs at least one condition' }).max(50) });
const NotShape = z.strictObject({ op: z.literal('not'), condition: z.unknown() });
const MAX_DEPTH = 8;
const MAX_CONDITIONS = 100;

const isDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v)) && /^\d{4}-\d{2}-\d{2}/.test(v);

function checkValue(operator: string, type: FieldType, field: string, value: unknown, path: string[], issues: DefinitionIssue[]) {
  const at = [...path, 'value'];
  const need = (ok: boolean, message: string) => ok || issues.push({ path: at, message });
  switch (operator) {
    case 'isSet':
    case 'isNotSet':
      need(value === undefined, `${operator} takes no value`);
      return;
    case 'in':
    case 'notIn':
      need(Array.isArray(value), `${operator} needs a list of values`);
      break;
    case 'between':
      need(Array.isArray(value) && value.length === 2, 'between needs [low, high]');
      if (Array.isArray(value) && value.length === 2 && type !== 'date' && !(typeof value[0] === 'number' && typeof value[1] === 'number')) need(type === 'custom' && value.every(isDate), 'between needs two numbers (or two dates)');
      if (type === 'date' && Array.isArray(value)) need(value.every(isDate), 'between needs two ISO dates');
      return;
    case 'withinLastDays':
    case 'notWithinLastDays':
      need(typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 3650, `${operator} needs a whole number of days from 1 to 3650`);
      return;
    case 'before':
    case 'after':
      need(isDate(value), `${operator} needs an ISO date or date-time, e.g. 2026-11-11`);
      return;
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      need(typeof value === 'number' || (type === 'custom' && isDate(value)), `${operator} needs a number`);
      return;
    default:
      need(value !== undefined && !Array.isArray(value), `${operator} needs one value`);
  }
  const values = Array.isArray(value) ? value : [value];
  if (type === 'enum') {
    const allowed = ENUM_FIELDS[field as keyof typeof ENUM_FIELDS] as readonly string[];
    need(values.every((v) => allowed.includes(v as string)), `${field} is one of ${allowed.join(', ')}`);
  }
  if (type === 'boolean') need(values.every((v) => typeof v === 'boolean'), `${field} is true or false`);
  if (type === 'number') need(values.every((v) => typeof v === 'number'), `${field} is a number`);
  if (type === 'string' || operator === 'contains' || operator === 'startsWith') need(values.every((v) => typeof v === 'string'), `${field} ${operator} needs text`);
}

function checkCondition(condition: Condition, path: string[], issues: DefinitionIssue[]) {
  if (condition.kind === 'attribute') {
    const type = fieldType(condition.field);
    if (!OPERATORS_BY_TYPE[type].includes(condition.operator)) {
      issues.push({ path: [...path, 'operator'], message: `${condition.field} cannot be compared with ${condition.operator}; use one of ${OPERATORS_BY_TYPE[type].join(', ')}` });
      return;
    }
    checkValue(condition.operator, type, condition.field, condition.value, path, issues);
  }
  if (condition.kind === 'orders') {
    const dateMetric = condition.metric === 'lastOrderAt' || condition.metric === 'firstOrderAt';
    const ops = dateMetric ? OPERATORS_BY_TYPE.date : ['equals', 'gt', 'gte', 'lt', 'lte', 'between'];
    if (!ops.includes(condition.operator)) {
      issues.push({ path: [...path, 'operator'], message: `${condition.metric} cannot be compared with ${condition.operator}; use one of ${ops.join(', ')}` });
      return;
    }
    if (dateMetric && condition.window) issues.push({ path: [...path, 'window'], message: `${condition.metric} takes no window` });
    checkValue(condition.operator, dateMetric ? 'date' : 'number', condition.metric, condition.value, path, issues);
  }
  if (condition.kind === 'event') {
    condition.where?.forEach((f, i) => {
      const at = [...path, 'where', String(i)];
      if (f.operator === 'exists') {
        if (f.value !== undefined) issues.push({ path: [...at, 'value'], message: 'exists takes no value' });
      } else if (f.operator === 'in') {
        if (!Array.isArray(f.value)) issues.push({ path: [...at, 'value'], message: 'in needs a list of values' });
      } else if (['gt', 'gte', 'lt', 'lte'].includes(f.operator)) {
        if (typeof f.value !== 'number') issues.push({ path: [...at, 'value'], message: `${f.operator} needs a number` });
      } else if (f.value === undefined || Array.isArray(f.value)) {
        issues.push({ path: [...at, 'value'], message: `${f.operator} needs one value` });
      }
    });
  }
  if ('window' in condition && condition.window && 'from' in condition.window && condition.window.to && Date.parse(condition.window.to) <= Date.parse(condition.window.from)) {
    issues.push({ path: [...path, 'window', 'to'], message: 'must be after from' });
  }
}

function walk(node: unknown, path: string[], depth: number, issues: DefinitionIssue[], counter: { n: number }): SegmentNode | null {
  if (depth > MAX_DEPTH) {
    issues.push({ path, message: `groups nest at most ${MAX_DEPTH} deep` });
    return null;
  }
  if (typeof node !== 'object' || node === null || Array.isArray(node)) {
    issues.push({ path, message: 'must be a condition object or a group ({ op: "and" | "or", conditions } or { op: "not", condition })' });
    return null;
  }
  if ('op' in node) {
    const op = (node as { op: unknown }).op;
    if (op === 'not') {
      const shape = NotShape.safeParse(node);
      if (!shape.success) return report(shape.error, path, issues);
      const inner = walk(shape.data.condition, [...path, 'condition'], depth + 1, issues, counter);
      return inner && { op: 'not', condition: inner };
    }
    const shape = GroupShape.safeParse(node);
    if (!shape.success) return report(shape.error, path, issues);
    const children = shape.data.conditions.map((c, i) => walk(c, [...path, 'conditions', String(i)], depth + 1, issues, counter));
    return children.every(Boolean) ? { op: shape.data.op, conditions: children as SegmentNode[] } : null;
  }
  counter.n += 1;
  if (counter.n === MAX_CONDITIONS + 1) issues.push({ path, message: `a segment has at most ${MAX_CONDITIONS} conditions` });
  const parsed = Condition.safeParse(node);
  if (!parsed.success) return report(parsed.error, path, issues);
  const before = issues.length;
  checkCondition(parsed.data, path, issues);
  return issues.length === before ? parsed.data : null;
}

function report(error: z.ZodError, path: string[], issues: DefinitionIssue[]): null {
  for (const issue of error.issues) {
    let message = issue.message;
    if (issue.code === 'invalid_union' && issue.path.length === 0) message = 'unknown condition kind';
    if (issue.code === 'unrecognized_keys') message = `unknown field(s): ${issue.keys.join(', ')}`;
    issues.push({ path: [...path, ...issue.path.map(String)], message });
  }
  return null;
}

/** Parses a definition or returns every issue with its path; the result is the typed definition. */
export function validateSegmentDefinition(input: unknown): { ok: true; definition: SegmentDefinition } | { ok: false; issues: DefinitionIssue[] } {
  const issues: DefinitionIssue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path: [], message: 'must be an object { version, root }' }] };
  }
  const { version = SEGMENT_DEFINITION_VERSION, root, ...rest } = input as Record<string, unknown>;
  if (version !== SEGMENT_DEFINITION_VERSION) issues.push({ path: ['version'], message: `must be ${SEGMENT_DEFINITION_VERSION}` });
  for (const key of Object.keys(rest)) issues.push({ path: [key], message: 'unknown field' });
  if (root === undefined) issues.push({ path: ['root'], message: 'is required: the condition or group that decides membership' });
  const parsed = root === undefined ? null : walk(root, ['root'], 0, issues, { n: 0 });
  if (issues.length || !parsed) return { ok: false, issues };
  return { ok: true, definition: { version: SEGMENT_DEFINITION_VERSION, root: parsed } };
}

/** Every condition of a definition, depth first. */
export function conditionsOf(node: SegmentNode): Condition[] {
  if ('op' in node) return node.op === 'not' ? conditionsOf(node.condition) : node.conditions.flatMap(conditionsOf);
  return [node];
}
