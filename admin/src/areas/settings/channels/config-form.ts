// A channel type's settings form, read from the JSON Schema the API gives for it
// (`channelTypes.configSchema`): one field per property, secrets masked, and the values turned back
// into the config to send — leaving a stored secret alone unless a new one is typed.
export const MASKED = '********';
const SECRET_FIELD = /secret|pass|token/i;

export type FieldKind = 'text' | 'url' | 'secret' | 'integer' | 'number' | 'boolean';

export interface ConfigField {
  key: string;
  kind: FieldKind;
  required: boolean;
  default?: unknown;
  min?: number;
  max?: number;
}

export type ConfigValues = Record<string, string | number | boolean | null>;

interface JsonSchemaProperty {
  type?: string | string[];
  format?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
}

/** The form's fields, in the schema's order. Unknown property types are shown as text. */
export function configFields(schema: unknown): ConfigField[] {
  const s = (schema ?? {}) as { properties?: Record<string, JsonSchemaProperty>; required?: string[] };
  const required = new Set(s.required ?? []);
  return Object.entries(s.properties ?? {}).map(([key, p]) => {
    const type = Array.isArray(p.type) ? p.type.find((t) => t !== 'null') : p.type;
    let kind: FieldKind = 'text';
    if (SECRET_FIELD.test(key)) kind = 'secret';
    else if (type === 'boolean') kind = 'boolean';
    else if (type === 'integer') kind = 'integer';
    else if (type === 'number') kind = 'number';
    else if (p.format === 'uri') kind = 'url';
    const field: ConfigField = { key, kind, required: required.has(key) };
    if (p.default !== undefined) field.default = p.default;
    const min = p.minimum ?? (p.exclusiveMinimum !== undefined ? p.exclusiveMinimum + 1 : undefined);
    if (min !== undefined) field.min = min;
    if (p.maximum !== undefined && p.maximum < Number.MAX_SAFE_INTEGER) field.max = p.maximum;
    return field;
  });
}

/**
 * Starting values: a stored config (secrets arrive masked and start empty, meaning "keep"), or for
 * a new channel each field's default.
 */
export function initialValues(fields: ConfigField[], stored?: Record<string, unknown> | null): ConfigValues {
  const values: ConfigValues = {};
  for (const f of fields) {
    const v = stored ? stored[f.key] : f.default;
    if (f.kind === 'secret') values[f.key] = stored || typeof v !== 'string' ? '' : v;
    else if (f.kind === 'boolean') values[f.key] = typeof v === 'boolean' ? v : false;
    else if (f.kind === 'integer' || f.kind === 'number') values[f.key] = typeof v === 'number' ? v : null;
    else values[f.key] = typeof v === 'string' ? v : '';
  }
  return values;
}

/** Whether a stored config holds a value for this secret (it reads back masked). */
export function hasStoredSecret(stored: Record<string, unknown> | null | undefined, key: string): boolean {
  return !!stored && stored[key] === MASKED;
}

/**
 * The config to send. A new channel gets only filled-in fields. An update sends every field: an
 * empty secret as the mask (keep the stored one), an emptied optional field as null (remove it).
 */
export function configToSubmit(fields: ConfigField[], values: ConfigValues, mode: 'create' | 'update'): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const v = values[f.key];
    const empty = v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
    if (f.kind === 'secret' && empty) {
      if (mode === 'update') out[f.key] = MASKED;
      continue;
    }
    if (empty) {
      if (mode === 'update') out[f.key] = null;
      continue;
    }
    out[f.key] = typeof v === 'string' && f.kind !== 'secret' ? v.trim() : v;
  }
  return out;
}
