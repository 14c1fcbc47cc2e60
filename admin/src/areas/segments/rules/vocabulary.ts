// The rule builder's choices read from `segmentDefinitionSchema` (the JSON Schema of the language):
// which condition kinds exist and the allowed values of every enum-typed property, by kind and path
// (e.g. enums.event['count.op']). A kind the API adds shows up in the builder without a release.
export interface Vocabulary {
  kinds: string[];
  /** kind → dotted property path → allowed values. Array items are addressed through their property ("where.operator"). */
  enums: Record<string, Record<string, string[]>>;
}

type JsonSchema = { [key: string]: unknown };

function collectEnums(schema: unknown, path: string[], out: Record<string, string[]>, defs: JsonSchema, seen: Set<unknown>) {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return;
  seen.add(schema);
  const s = schema as JsonSchema;
  if (typeof s.$ref === 'string') return collectEnums(defs[s.$ref.replace('#/$defs/', '')], path, out, defs, seen);
  if (Array.isArray(s.enum) && path.length) {
    const key = path.join('.');
    out[key] = [...new Set([...(out[key] ?? []), ...(s.enum as string[])])];
  }
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(s[k])) for (const sub of s[k] as unknown[]) collectEnums(sub, path, out, defs, seen);
  if (s.items) collectEnums(s.items, path, out, defs, seen);
  if (s.properties && typeof s.properties === 'object') {
    for (const [name, sub] of Object.entries(s.properties as JsonSchema)) collectEnums(sub, [...path, name], out, defs, seen);
  }
}

function conditionSchemas(schema: unknown, defs: JsonSchema, seen = new Set<unknown>()): JsonSchema[] {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return [];
  seen.add(schema);
  const s = schema as JsonSchema;
  if (typeof s.$ref === 'string') return conditionSchemas(defs[s.$ref.replace('#/$defs/', '')], defs, seen);
  const kind = (s.properties as JsonSchema | undefined)?.kind as JsonSchema | undefined;
  if (kind && typeof kind.const === 'string') return [s];
  const found: JsonSchema[] = [];
  for (const k of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(s[k])) for (const sub of s[k] as unknown[]) found.push(...conditionSchemas(sub, defs, seen));
  if (s.properties && typeof s.properties === 'object') for (const sub of Object.values(s.properties as JsonSchema)) found.push(...conditionSchemas(sub, defs, seen));
  if (s.items) found.push(...conditionSchemas(s.items, defs, seen));
  return found;
}

export function vocabularyFromSchema(schema: unknown): Vocabulary {
  const defs = ((schema as JsonSchema | null)?.$defs ?? {}) as JsonSchema;
  const vocabulary: Vocabulary = { kinds: [], enums: {} };
  for (const c of conditionSchemas(schema, defs)) {
    const kind = ((c.properties as JsonSchema).kind as JsonSchema).const as string;
    if (vocabulary.kinds.includes(kind)) continue;
    vocabulary.kinds.push(kind);
    const enums: Record<string, string[]> = {};
    collectEnums(c, [], enums, defs, new Set());
    vocabulary.enums[kind] = enums;
  }
  return vocabulary;
}

/** The allowed values of an enum property of a kind, or [] when the schema has none. */
export const enumOf = (v: Vocabulary, kind: string, path: string): string[] => v.enums[kind]?.[path] ?? [];
