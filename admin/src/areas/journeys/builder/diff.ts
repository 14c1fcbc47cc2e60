// What publishing would change: the draft against the newest published version, node by node
// (added, removed, config or label changed) and edge by edge.
import type { DefinitionEdge, DefinitionNode, JourneyDefinition } from './model';

export interface NodeChange {
  node: DefinitionNode;
  /** Config fields whose value differs (top level), plus "label" and "version" when those differ. */
  fields: string[];
}

export interface DefinitionDiff {
  addedNodes: DefinitionNode[];
  removedNodes: DefinitionNode[];
  changedNodes: NodeChange[];
  addedEdges: DefinitionEdge[];
  removedEdges: DefinitionEdge[];
}

/** JSON equality that ignores key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((v, i) => sameJson(v, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!sameJson(ao[k], bo[k])) return false;
  return true;
}

const edgeKey = (e: DefinitionEdge) => `${e.from}\u0000${e.port}\u0000${e.to}`;

export function diffDefinitions(published: JourneyDefinition | null, draft: JourneyDefinition): DefinitionDiff {
  const before = new Map((published?.nodes ?? []).map((n) => [n.id, n]));
  const after = new Map(draft.nodes.map((n) => [n.id, n]));
  const changedNodes: NodeChange[] = [];
  for (const node of draft.nodes) {
    const old = before.get(node.id);
    if (!old) continue;
    if (old.type !== node.type) {
      changedNodes.push({ node, fields: ['type'] });
      continue;
    }
    const fields: string[] = [];
    const keys = new Set([...Object.keys(old.config ?? {}), ...Object.keys(node.config ?? {})]);
    for (const k of keys) if (!sameJson(old.config?.[k], node.config?.[k])) fields.push(k);
    if ((old.label ?? '') !== (node.label ?? '')) fields.push('label');
    if (old.version !== node.version) fields.push('version');
    if (fields.length) changedNodes.push({ node, fields });
  }
  const oldEdges = new Set((published?.edges ?? []).map(edgeKey));
  const newEdges = new Set(draft.edges.map(edgeKey));
  return {
    addedNodes: draft.nodes.filter((n) => !before.has(n.id)),
    removedNodes: (published?.nodes ?? []).filter((n) => !after.has(n.id)),
    changedNodes,
    addedEdges: draft.edges.filter((e) => !oldEdges.has(edgeKey(e))),
    removedEdges: (published?.edges ?? []).filter((e) => !newEdges.has(edgeKey(e))),
  };
}

export function isEmptyDiff(d: DefinitionDiff): boolean {
  return !d.addedNodes.length && !d.removedNodes.length && !d.changedNodes.length && !d.addedEdges.length && !d.removedEdges.length;
}
