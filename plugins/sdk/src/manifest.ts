import semver from 'semver';
import { z } from 'zod';
import type { JourneyNode, PortDeclaration, PortsFromConfig } from './node.ts';
import { ALL_PLUGIN_SCOPES, type PluginScope } from './scopes.ts';
import { LocalizedText } from './text.ts';

const Port = z.object({ id: z.string().min(1), title: LocalizedText });

/** A node as JSON: what the manifest lists and what the admin's palette and config form read. */
export const NodeDescription = z.object({
  id: z.string().regex(/^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:\.[a-z0-9]+(?:[-_][a-z0-9]+)*)+$/, 'use "<plugin>.<name>" in lower case'),
  version: z.string().refine((v) => semver.valid(v) !== null, 'use a semantic version such as 1.0.0'),
  kind: z.enum(['trigger', 'condition', 'action']),
  title: LocalizedText,
  description: LocalizedText,
  icon: z.string().min(1),
  /** JSON Schema (draft 2020-12) of the config. */
  configSchema: z.record(z.string(), z.unknown()),
  /** Fixed ports, or ports taken from a list in the config (one per branch). */
  ports: z.union([z.array(Port), z.object({ field: z.string(), id: z.string(), title: z.string() })]),
  scopes: z.array(z.enum(ALL_PLUGIN_SCOPES as [PluginScope, ...PluginScope[]])),
});
export type NodeDescription = z.infer<typeof NodeDescription>;

/** What a plugin publishes: who made it, what nodes it brings, what it needs. */
export const PluginManifest = z.object({
  /** Unique plugin id, lower case with dashes, e.g. `acme-coupons`; every node id starts with it. */
  id: z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'use lower case letters, digits and dashes'),
  /** Semantic version of the plugin. */
  version: z.string().refine((v) => semver.valid(v) !== null, 'use a semantic version such as 1.0.0'),
  name: LocalizedText,
  description: LocalizedText,
  publisher: z.object({ name: z.string().min(1), url: z.url().optional(), email: z.email().optional() }),
  icon: z.string().min(1),
  categories: z.array(z.string().min(1)).default([]),
  /** Scopes the brand is asked to grant: the union of the nodes' scopes. */
  scopes: z.array(z.enum(ALL_PLUGIN_SCOPES as [PluginScope, ...PluginScope[]])),
  /** Where the runtime calls a remote plugin's nodes (`<base>/nodes/<node id>`); absent for built-ins. */
  endpoints: z.object({ baseUrl: z.url(), installCallback: z.url().optional() }).optional(),
  support: z.object({ email: z.email().optional(), url: z.url().optional() }).optional(),
  changelog: z.string().optional(),
  nodes: z.array(NodeDescription).min(1, 'list at least one node'),
}).superRefine((m, ctx) => {
  m.nodes.forEach((n, i) => {
    if (!n.id.startsWith(`${m.id}.`)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `node ids must start with "${m.id}."` });
    for (const s of n.scopes) {
      if (!m.scopes.includes(s)) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'scopes'], message: `scope ${s} is not requested by the plugin's scopes` });
    }
  });
  const ids = m.nodes.map((n) => n.id);
  ids.forEach((id, i) => {
    if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['nodes', i, 'id'], message: `node id ${id} is listed twice` });
  });
});
export type PluginManifest = z.infer<typeof PluginManifest>;

/** The JSON description of a node, with its config as JSON Schema. */
export function describeNode(node: JourneyNode): NodeDescription {
  return {
    id: node.id,
    version: node.version,
    kind: node.kind,
    title: node.title,
    description: node.description,
    icon: node.icon,
    configSchema: configJsonSchema(node),
    ports: Array.isArray(node.ports)
      ? (node.ports as readonly PortDeclaration[]).map((p) => ({ id: p.id, title: p.title }))
      : { ...(node.ports as PortsFromConfig) },
    scopes: [...(node.scopes ?? [])],
  };
}

/** The config schema as JSON Schema, describing the input a journey author writes. */
export function configJsonSchema(node: JourneyNode): Record<string, unknown> {
  return z.toJSONSchema(node.config as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
}

/** Builds a plugin's manifest from its node declarations; throws with every problem listed. */
export function createManifest(spec: Omit<PluginManifest, 'nodes' | 'scopes' | 'categories'> & { categories?: string[]; nodes: readonly JourneyNode[] }): PluginManifest {
  const scopes = [...new Set(spec.nodes.flatMap((n) => n.scopes ?? []))].sort() as PluginScope[];
  const result = PluginManifest.safeParse({ ...spec, scopes, nodes: spec.nodes.map(describeNode) });
  if (!result.success) {
    throw new Error(`invalid manifest for ${spec.id}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return result.data;
}
