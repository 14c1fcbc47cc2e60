import { builtinNodes } from '@courtyard/builtin';
import { type JourneyNode, portsOf, parseConfig } from '@courtyard/plugin-sdk';
import semver from 'semver';

/**
 * The node types a workspace can use: the built-ins and (see `workspaceRegistry`) its installed partner nodes. A
 * journey pins the version it was built with; a registry answers for that exact version or, when
 * it was upgraded, the newest one of the same major version (compatible by semver).
 */
export class NodeRegistry {
  private readonly byId = new Map<string, JourneyNode[]>();

  constructor(private readonly nodes: readonly JourneyNode[]) {
    for (const node of nodes) {
      const list = this.byId.get(node.id) ?? [];
      list.push(node);
      list.sort((a, b) => semver.rcompare(a.version, b.version));
      this.byId.set(node.id, list);
    }
  }

  get(type: string, version: string): JourneyNode | undefined {
    const list = this.byId.get(type);
    if (!list) return undefined;
    return list.find((n) => n.version === version) ?? list.find((n) => semver.valid(version) && semver.major(n.version) === semver.major(version));
  }

  /** This registry's nodes and `extra` (a workspace's installed partner nodes). */
  with(extra: readonly JourneyNode[]): NodeRegistry {
    return new NodeRegistry([...this.nodes, ...extra]);
  }

  /** The newest version of every node type. */
  latest(): JourneyNode[] {
    return [...this.byId.values()].map((list) => list[0]!);
  }

  ports(node: JourneyNode, rawConfig: unknown): string[] {
    const parsed = parseConfig(node, rawConfig);
    return portsOf(node, parsed.ok ? parsed.config : rawConfig);
  }
}

export const builtinRegistry = new NodeRegistry(builtinNodes);
