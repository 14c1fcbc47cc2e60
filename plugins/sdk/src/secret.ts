// Write-only config fields: a node's signing key or API token is sealed by the server when a journey
// is saved, read back only as SECRET_PLACEHOLDER, and opened only for the config handed to `run`.
import { z } from 'zod';
import { configJsonSchema } from './manifest.ts';
import type { JourneyNode } from './node.ts';

/** The JSON Schema keyword that marks a config field as secret. */
export const SECRET_KEYWORD = 'x-secret';

/** What the API shows instead of a stored secret; sending it back keeps the stored value. */
export const SECRET_PLACEHOLDER = '••••••';

/**
 * Marks a top-level config field as secret (write-only), keeping the schema's checks and doc:
 * `secret: secretString(z.string().min(16).meta(doc(…)))`. Default schema: `z.string()`.
 */
export function secretString<T extends z.ZodString = z.ZodString>(schema?: T): T {
  const base = (schema ?? z.string()) as T;
  return base.meta({ ...(base.meta() ?? {}), [SECRET_KEYWORD]: true }) as T;
}

/** The names of the top-level properties a config JSON Schema marks as secret. */
export function secretFieldsOfSchema(jsonSchema: unknown): string[] {
  const properties = (jsonSchema as { properties?: Record<string, Record<string, unknown>> } | null)?.properties ?? {};
  return Object.entries(properties)
    .filter(([, property]) => property?.[SECRET_KEYWORD] === true)
    .map(([name]) => name);
}

/** An `x-secret` mark the platform would not act on, and why. */
export interface UnsealableSecret {
  /** JSON path inside the config schema, e.g. ['properties', 'auth', 'properties', 'token']. */
  path: string[];
  /** `nested`: not a top-level property (inside an object, an array, a union); `not_string`: a top-level property that is not a string. */
  problem: 'nested' | 'not_string';
  /** The schema's `type` where it is marked. */
  type: unknown;
}

/**
 * Every `x-secret` in a config JSON Schema that the platform would not seal (it seals top-level
 * string properties only, those secretFieldsOfSchema lists): its value would be stored, and read
 * back, in plain text. The marketplace refuses a version with any.
 */
export function unsealableSecretsOfSchema(jsonSchema: unknown): UnsealableSecret[] {
  const found: UnsealableSecret[] = [];
  const walk = (node: unknown, path: string[], topLevelProperty: boolean) => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, [...path, String(i)], false));
    const record = node as Record<string, unknown>;
    if (record[SECRET_KEYWORD] === true && (!topLevelProperty || record.type !== 'string')) found.push({ path, problem: topLevelProperty ? 'not_string' : 'nested', type: record.type });
    for (const [key, value] of Object.entries(record)) {
      if (key === 'properties' && path.length === 0 && value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [name, property] of Object.entries(value as Record<string, unknown>)) walk(property, ['properties', name], true);
      } else if (value && typeof value === 'object') walk(value, [...path, key], false);
    }
  };
  walk(jsonSchema, [], false);
  return found;
}

const cached = new WeakMap<JourneyNode, string[]>();

/** The node's secret config fields (top-level only). */
export function secretFields(node: JourneyNode): string[] {
  let fields = cached.get(node);
  if (!fields) {
    fields = secretFieldsOfSchema(configJsonSchema(node));
    cached.set(node, fields);
  }
  return fields;
}
