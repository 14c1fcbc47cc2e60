// Reading a JSON Schema for a form: which control a field gets, its label and help in the current
// language, option labels, and the value a new form starts with.
import type { FormLocale, JsonSchema } from './types';

export const TIME_OF_DAY = '^([01]\\d|2[0-3]):[0-5]\\d$';

/** Follows `$ref: #/$defs/…` against the root schema. */
export function resolve(schema: JsonSchema, root: JsonSchema): JsonSchema {
  let s = schema;
  for (let i = 0; s.$ref && i < 10; i++) {
    const name = s.$ref.replace(/^#\/\$defs\//, '');
    const target = root.$defs?.[name];
    if (!target) break;
    const { $ref: _ignored, ...rest } = s;
    s = { ...target, ...rest };
  }
  return s;
}

const isNull = (s: JsonSchema) => s.type === 'null';

/** `anyOf: [X, null]` → X with nullable; anything else unchanged. */
export function unwrapNullable(schema: JsonSchema): { schema: JsonSchema; nullable: boolean } {
  const alts = schema.anyOf;
  if (alts && alts.length === 2 && alts.some(isNull)) {
    const inner = alts.find((a) => !isNull(a))!;
    const { anyOf: _ignored, ...rest } = schema;
    return { schema: { ...inner, ...rest }, nullable: true };
  }
  return { schema, nullable: false };
}

function typeOf(s: JsonSchema): string | undefined {
  return Array.isArray(s.type) ? undefined : s.type;
}

/** The property of each variant of a oneOf that tells them apart (a `const`), if there is one. */
export function discriminator(schema: JsonSchema): string | null {
  const variants = schema.oneOf ?? [];
  if (variants.length < 2) return null;
  const first = variants[0]?.properties ?? {};
  for (const key of Object.keys(first)) {
    if (variants.every((v) => v.properties?.[key]?.const !== undefined)) return key;
  }
  return null;
}

export type FieldKind =
  | 'string' | 'text' | 'template' | 'time' | 'datetime' | 'url'
  | 'number' | 'integer' | 'boolean' | 'enum' | 'const'
  | 'tags' | 'segment' | 'picker' | 'secret'
  | 'duration' | 'object' | 'record' | 'oneOf'
  | 'enumList' | 'stringList' | 'objectList'
  | 'json';

/** What the API shows for a stored secret; sent back, the server keeps the stored value. */
export const SECRET_PLACEHOLDER = '••••••';

const TEMPLATE_NAMES = new Set(['body', 'subject', 'template', 'content', 'text']);

/** Which control a field gets, from its schema and, for record references, its name. */
export function fieldKind(schema: JsonSchema, name: string, pickers: readonly string[] = []): FieldKind {
  if (pickers.includes(name)) return 'picker';
  if (schema['x-secret'] === true) return 'secret';
  if (name === 'tagIds' || name === 'tagId') return 'tags';
  if (name === 'segmentId' || name === 'segmentIds') return 'segment';
  if (schema.const !== undefined) return 'const';
  if (schema.enum) return 'enum';
  if (schema.oneOf && discriminator(schema)) return 'oneOf';
  const type = typeOf(schema);
  switch (type) {
    case 'string':
      if (schema.format === 'date-time') return 'datetime';
      if (schema.format === 'uri') return 'url';
      if (schema.pattern === TIME_OF_DAY) return 'time';
      if (TEMPLATE_NAMES.has(name) || /\{\{.+\}\}/.test(schema.description ?? '')) return 'template';
      return (schema.maxLength ?? 0) > 200 ? 'text' : 'string';
    case 'integer':
      return 'integer';
    case 'number':
      return 'number';
    case 'boolean':
      return 'boolean';
    case 'array': {
      const items = schema.items ?? {};
      if (items.enum) return 'enumList';
      if (typeOf(items) === 'string') return 'stringList';
      if (typeOf(items) === 'object' && items.properties) return 'objectList';
      return 'json';
    }
    case 'object': {
      const props = schema.properties;
      if (props && Object.keys(props).length === 2 && props.amount && props.unit?.enum) return 'duration';
      if (props && Object.keys(props).length) return 'object';
      const extra = schema.additionalProperties;
      if (extra && typeof extra === 'object' && isScalar(extra)) return 'record';
      return 'json';
    }
    default:
      return 'json';
  }
}

function isScalar(s: JsonSchema): boolean {
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  return types.length > 0 && types.every((t) => ['string', 'number', 'integer', 'boolean', 'null'].includes(t));
}

export function describe(schema: JsonSchema, locale: FormLocale): string {
  return (locale === 'en' ? schema['x-description-en'] ?? schema.description : schema.description) ?? '';
}

/** A short label: the description up to its first clause ("事件类型，如 …" → "事件类型"). */
export function labelOf(schema: JsonSchema, name: string, locale: FormLocale): string {
  if (schema.title) return schema.title;
  const text = describe(schema, locale);
  const head = text.split(/[，,（(；;：:。]|\s[—–-]\s/)[0]?.trim();
  if (head) return head;
  return name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/^./, (c) => c.toUpperCase());
}

/** The description when it says more than the label. */
export function helpOf(schema: JsonSchema, name: string, locale: FormLocale): string {
  const text = describe(schema, locale);
  return text && text !== labelOf(schema, name, locale) ? text : '';
}

/**
 * Labels of an enum's values, read from a description that lists them in order ("单位：分钟、小时或天",
 * "Unit: minutes, hours or days"); null when the description does not list exactly one per value.
 */
export function enumLabels(schema: JsonSchema, locale: FormLocale): string[] | null {
  const count = schema.enum?.length ?? 0;
  const text = describe(schema, locale);
  if (!count || !text) return null;
  const list = text.includes('：') ? text.slice(text.indexOf('：') + 1) : text.includes(': ') ? text.slice(text.indexOf(': ') + 2) : text;
  const parts = list
    .replace(/[。.]$/, '')
    .split(locale === 'en' ? /,\s*(?:or\s+)?|\s+or\s+/ : /、|，或|，|或/)
    .map((p) => p.trim())
    .filter(Boolean);
  return parts.length === count ? parts : null;
}

/** The value a new form starts with: defaults, and required objects filled in. */
export function defaultValue(schema: JsonSchema, root: JsonSchema = schema): unknown {
  const s = resolve(schema, root);
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  if (s.oneOf?.length) return defaultValue(s.oneOf[0]!, root);
  if (typeOf(s) === 'object' && s.properties) {
    const out: Record<string, unknown> = {};
    for (const [key, prop] of Object.entries(s.properties)) {
      const required = s.required?.includes(key) ?? false;
      const p = resolve(prop, root);
      if (p.default !== undefined || p.const !== undefined || (required && (typeOf(p) === 'object' || p.oneOf || (typeOf(p) === 'array' && (p.minItems ?? 0) > 0)))) {
        const v = defaultValue(p, root);
        if (v !== undefined) out[key] = v;
      } else if (required && p.enum?.length) {
        out[key] = p.enum[0];
      }
    }
    return out;
  }
  if (typeOf(s) === 'array' && (s.minItems ?? 0) > 0 && s.items && typeOf(resolve(s.items, root)) === 'object') {
    return [defaultValue(s.items, root)];
  }
  return undefined;
}
