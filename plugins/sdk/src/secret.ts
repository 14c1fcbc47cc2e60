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
