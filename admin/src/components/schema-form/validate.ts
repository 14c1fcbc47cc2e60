// Checks a value against its schema the way the API will, so a marketer sees what is missing or
// malformed next to the field before saving. Problems are keyed by path, like the API's issues.
import { SECRET_PLACEHOLDER, discriminator, resolve, unwrapNullable } from './schema';
import type { FormProblem, JsonSchema } from './types';

const URL_RE = /^[a-z][a-z0-9+.-]*:\/\/[^\s]+$/i;

function isEmpty(v: unknown): boolean {
  return v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);
}

function matchesType(type: string, v: unknown): boolean {
  switch (type) {
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'boolean': return typeof v === 'boolean';
    case 'null': return v === null;
    case 'array': return Array.isArray(v);
    case 'object': return typeof v === 'object' && v !== null && !Array.isArray(v);
    default: return true;
  }
}

export function validateValue(schema: JsonSchema, value: unknown, root: JsonSchema = schema, path = ''): FormProblem[] {
  const problems: FormProblem[] = [];
  const at = (key: string | number) => (path ? `${path}.${key}` : String(key));
  const { schema: s0, nullable } = unwrapNullable(resolve(schema, root));
  const s = resolve(s0, root);
  if (value === undefined) return problems;
  // A stored secret was checked when it was entered; only the server can read it.
  if (s['x-secret'] && value === SECRET_PLACEHOLDER) return problems;
  if (value === null && (nullable || s.type === 'null' || (Array.isArray(s.type) && s.type.includes('null')))) return problems;

  if (s.oneOf) {
    const key = discriminator(s);
    const obj = value as Record<string, unknown>;
    const variant = key ? s.oneOf.find((v) => v.properties?.[key]?.const === obj?.[key]) : undefined;
    if (!variant) return [{ path: key ? at(key) : path, code: 'required' }];
    return validateValue(variant, value, root, path);
  }
  if (s.const !== undefined && value !== s.const) problems.push({ path, code: 'enum' });
  if (s.enum && !s.enum.includes(value)) problems.push({ path, code: 'enum' });

  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length && !types.some((t) => matchesType(t, value))) return [{ path, code: 'type', params: { type: types.join('/') } }];

  if (typeof value === 'string') {
    if (s.minLength !== undefined && value.length < s.minLength) problems.push({ path, code: s.minLength === 1 ? 'required' : 'minLength', params: { n: s.minLength } });
    if (s.maxLength !== undefined && value.length > s.maxLength) problems.push({ path, code: 'maxLength', params: { n: s.maxLength } });
    if (value && s.format === 'uri' && !URL_RE.test(value)) problems.push({ path, code: 'format', params: { format: 'uri' } });
    else if (value && s.format === 'date-time' && Number.isNaN(Date.parse(value))) problems.push({ path, code: 'format', params: { format: 'date-time' } });
    else if (value && s.pattern && !new RegExp(s.pattern).test(value)) problems.push({ path, code: 'pattern', params: { pattern: s.pattern } });
  }
  if (typeof value === 'number') {
    if (s.minimum !== undefined && value < s.minimum) problems.push({ path, code: 'minimum', params: { n: s.minimum } });
    if (s.exclusiveMinimum !== undefined && value <= s.exclusiveMinimum) problems.push({ path, code: 'minimum', params: { n: s.exclusiveMinimum } });
    if (s.maximum !== undefined && value > s.maximum) problems.push({ path, code: 'maximum', params: { n: s.maximum } });
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) problems.push({ path, code: s.minItems === 1 ? 'required' : 'minItems', params: { n: s.minItems } });
    if (s.maxItems !== undefined && value.length > s.maxItems) problems.push({ path, code: 'maxItems', params: { n: s.maxItems } });
    if (s.items) value.forEach((item, i) => problems.push(...validateValue(s.items!, item, root, at(i))));
  }
  if (matchesType('object', value)) {
    const obj = value as Record<string, unknown>;
    for (const key of s.required ?? []) if (isEmpty(obj[key])) problems.push({ path: at(key), code: 'required' });
    for (const [key, prop] of Object.entries(s.properties ?? {})) problems.push(...validateValue(prop, obj[key], root, at(key)));
    const extra = s.additionalProperties;
    if (extra && typeof extra === 'object' && !s.properties) {
      for (const [key, v] of Object.entries(obj)) {
        if (s.propertyNames?.pattern && !new RegExp(s.propertyNames.pattern).test(key)) problems.push({ path: at(key), code: 'pattern', params: { pattern: s.propertyNames.pattern } });
        problems.push(...validateValue(extra, v, root, at(key)));
      }
    }
  }
  return problems;
}

/** Problems keyed by path, first one per path. */
export function problemsByPath(problems: FormProblem[]): Map<string, FormProblem> {
  const out = new Map<string, FormProblem>();
  for (const p of problems) if (!out.has(p.path)) out.set(p.path, p);
  return out;
}
