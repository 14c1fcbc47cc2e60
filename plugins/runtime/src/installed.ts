import type { ActionNode, ConditionNode, JourneyNode, NodeDescription, PortDeclaration, PortsFromConfig } from '@courtyard/plugin-sdk';
import { z } from 'zod';
import { builtinRegistry, type NodeRegistry } from './registry.ts';

/** A partner node as a journey sees it: its manifest declaration, its config schema read into zod. */
export type InstalledNode = (ActionNode<z.ZodType, string> | ConditionNode<z.ZodType, string>) & { installed: { installationId: string; pluginId: string } };

/** What a workspace's installation brings to its journeys (from the installed version's manifest). */
export interface InstalledPlugin {
  installationId: string;
  pluginId: string;
  /** The installed version's id: config schemas are read once per version. */
  versionId: string;
  nodes: readonly NodeDescription[];
}

const schemas = new Map<string, z.ZodType>();
const MAX_CACHED = 2000;

/** The node's JSON Schema as zod; a schema that cannot be read refuses every config with a message saying so. */
function configOf(versionId: string, description: NodeDescription): z.ZodType {
  const key = `${versionId}\u0000${description.id}`;
  const hit = schemas.get(key);
  if (hit) return hit;
  let schema: z.ZodType;
  try {
    schema = z.fromJSONSchema(description.configSchema as Parameters<typeof z.fromJSONSchema>[0]);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    schema = z.unknown().superRefine((_v, ctx) => {
      ctx.addIssue({ code: 'custom', message: `the plugin's config schema cannot be read (${reason}); ask its partner for a fixed version` });
    });
  }
  if (schemas.size >= MAX_CACHED) schemas.delete(schemas.keys().next().value!);
  schemas.set(key, schema);
  return schema;
}

/**
 * A journey node for an installed partner node: config checked against the manifest's JSON Schema,
 * ports as declared. Partner triggers are not offered (the runtime listens only to its own sources).
 * `run` (the engine's: a signed batch through the remote caller) is not needed to validate.
 */
export function installedNode(plugin: InstalledPlugin, description: NodeDescription, run?: InstalledNode['run']): InstalledNode | null {
  if (description.kind === 'trigger') return null;
  const common = {
    id: description.id,
    version: description.version,
    title: description.title,
    description: description.description,
    icon: description.icon,
    config: configOf(plugin.versionId, description),
    scopes: description.scopes,
    ports: description.ports as readonly PortDeclaration[] | PortsFromConfig,
    installed: { installationId: plugin.installationId, pluginId: plugin.pluginId },
    run:
      run ??
      (async () => {
        throw new Error(`${description.id} is a partner node of installation ${plugin.installationId}: only the engine runs it`);
      }),
  };
  return description.kind === 'action' ? { ...common, kind: 'action' } : { ...common, kind: 'condition' };
}

export function isInstalledNode(node: JourneyNode): node is InstalledNode {
  return 'installed' in node && typeof (node as InstalledNode).installed === 'object';
}

/** The node types of one workspace: the base registry's (built-ins) plus its installed plugins' nodes. */
export function workspaceRegistry(
  plugins: readonly InstalledPlugin[],
  base: NodeRegistry = builtinRegistry,
  runner?: (installationId: string, nodeType: string) => InstalledNode['run'],
): NodeRegistry {
  if (!plugins.length) return base;
  const extra = plugins.flatMap((p) => p.nodes.map((n) => installedNode(p, n, runner?.(p.installationId, n.id))).filter((n): n is InstalledNode => n !== null));
  return base.with(extra);
}
