import type { ActionNode, ConditionNode, JourneyNode, JsonObject, NodeDescription, PortDeclaration, PortsFromConfig, TriggerNode } from '@courtyard/plugin-sdk';
import { z } from 'zod';
import { builtinRegistry, type NodeRegistry } from './registry.ts';

/** A partner node as a journey sees it: its manifest declaration, its config schema read into zod. */
export type InstalledNode = (ActionNode<z.ZodType, string> | ConditionNode<z.ZodType, string> | TriggerNode<z.ZodType>) & { installed: { installationId: string; pluginId: string } };

/**
 * A partner trigger starts journeys on the events its partner records with the installation token
 * (`ingestEvents`, type = the trigger's node id): the journey's config values that are plain
 * values (text, numbers, yes/no) must equal the event's properties of the same name.
 */
export function partnerTriggerSource(nodeId: string, config: unknown): { kind: 'event'; eventType: string; properties?: JsonObject } {
  const properties: JsonObject = {};
  if (config && typeof config === 'object' && !Array.isArray(config)) {
    for (const [key, value] of Object.entries(config)) if (['string', 'number', 'boolean'].includes(typeof value)) properties[key] = value as string | number | boolean;
  }
  return Object.keys(properties).length ? { kind: 'event', eventType: nodeId, properties } : { kind: 'event', eventType: nodeId };
}

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
 * ports as declared. A trigger listens to its partner's events (partnerTriggerSource). `run` (the
 * engine's: a signed batch through the remote caller) is not needed to validate.
 */
export function installedNode(plugin: InstalledPlugin, description: NodeDescription, run?: Runner): InstalledNode | null {
  if (description.kind === 'trigger') {
    return {
      id: description.id,
      version: description.version,
      title: description.title,
      description: description.description,
      icon: description.icon,
      config: configOf(plugin.versionId, description),
      scopes: description.scopes,
      kind: 'trigger',
      ports: [{ id: 'next', title: { 'zh-CN': '下一步', en: 'Next' } }],
      source: (config: unknown) => partnerTriggerSource(description.id, config),
      installed: { installationId: plugin.installationId, pluginId: plugin.pluginId },
    };
  }
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

type Runner = ActionNode<z.ZodType, string>['run'];

export function isInstalledNode(node: JourneyNode): node is InstalledNode {
  return 'installed' in node && typeof (node as InstalledNode).installed === 'object';
}

/** The node types of one workspace: the base registry's (built-ins) plus its installed plugins' nodes. */
export function workspaceRegistry(
  plugins: readonly InstalledPlugin[],
  base: NodeRegistry = builtinRegistry,
  runner?: (installationId: string, nodeType: string) => Runner,
): NodeRegistry {
  if (!plugins.length) return base;
  const extra = plugins.flatMap((p) => p.nodes.map((n) => installedNode(p, n, runner?.(p.installationId, n.id))).filter((n): n is InstalledNode => n !== null));
  return base.with(extra);
}
