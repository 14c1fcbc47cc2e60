import { describe, expect, it } from 'vitest';
import { configJsonSchema, PluginManifest, z } from '@courtyard/plugin-sdk';
import { doc } from './fields.ts';
import { builtinManifest, builtinNodes } from './index.ts';

type Schema = Record<string, any>;

/** Paths of properties anywhere in a JSON Schema that carry no description for the admin's form. */
function undescribed(schema: Schema, root: Schema = schema, path = '', seen = new Set<Schema>()): string[] {
  if (!schema || typeof schema !== 'object' || seen.has(schema)) return [];
  seen.add(schema);
  const resolve = (s: Schema): Schema => (typeof s.$ref === 'string' ? { ...root.$defs?.[s.$ref.split('/').pop()!], ...s } : s);
  const missing: string[] = [];
  for (const [key, child] of Object.entries<Schema>(schema.properties ?? {})) {
    const resolved = resolve(child);
    if (typeof resolved.description !== 'string' || resolved.description === '') missing.push(`${path}${key}`);
    if (typeof resolved['x-description-en'] !== 'string') missing.push(`${path}${key} (en)`);
    missing.push(...undescribed(resolved, root, `${path}${key}.`, seen));
  }
  for (const list of [schema.anyOf, schema.oneOf, schema.allOf]) for (const option of list ?? []) missing.push(...undescribed(resolve(option), root, path, seen));
  if (schema.items) missing.push(...undescribed(resolve(schema.items), root, `${path}[].`, seen));
  return missing;
}

describe('built-in plugin', () => {
  it('the manifest validates against PluginManifest', () => {
    const parsed = PluginManifest.safeParse(builtinManifest);
    expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    expect(builtinManifest.nodes.map((n) => n.id)).toEqual(builtinNodes.map((n) => n.id));
  });

  it('every node id is courtyard.<name> and every node has Chinese and English text', () => {
    for (const node of builtinManifest.nodes) {
      expect(node.id).toMatch(/^courtyard\.[a-z-]+$/);
      expect(node.title['zh-CN']).toMatch(/\p{Script=Han}/u);
      expect(node.description['zh-CN']).toMatch(/\p{Script=Han}/u);
      expect(node.title.en).toMatch(/^[A-Z]/);
    }
  });

  it('every config property, nested ones included, has a description in both languages', () => {
    const missing = builtinNodes.flatMap((node) => undescribed(configJsonSchema(node)).map((p) => `${node.id}: ${p}`));
    expect(missing).toEqual([]);
  });

  it('the description check notices a nested property without one', () => {
    const schema = z.toJSONSchema(z.object({ outer: z.object({ inner: z.string() }).meta(doc('外层', 'Outer')) })) as Schema;
    expect(undescribed(schema)).toEqual(['outer.inner', 'outer.inner (en)']);
  });

  it('the plugin asks for exactly the scopes its nodes declare', () => {
    expect(builtinManifest.scopes).toEqual([...new Set(builtinNodes.flatMap((n) => n.scopes ?? []))].sort());
  });

  it('lists triggers, then conditions, then actions', () => {
    const kinds = builtinNodes.map((n) => n.kind);
    expect(kinds).toEqual([...kinds].sort((a, b) => ['trigger', 'condition', 'action'].indexOf(a) - ['trigger', 'condition', 'action'].indexOf(b)));
    expect(new Set(kinds)).toEqual(new Set(['trigger', 'condition', 'action']));
  });
});
