// Copy and paste of nodes: the copied nodes travel with the connections among them (not with those
// to nodes left behind); pasted nodes get fresh ids and sit a little off the originals.
import type { BuilderDoc, CanvasEdge, CanvasNode } from './model';
import { edgeId } from './definition';
import { SECRET_PLACEHOLDER } from '@/components/schema-form/schema';

export interface Fragment {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

export function copyNodes(doc: BuilderDoc, ids: readonly string[]): Fragment {
  const chosen = new Set(ids);
  return structuredClone({
    nodes: doc.nodes.filter((n) => chosen.has(n.id)).map((n) => ({ ...n, selected: undefined })),
    edges: doc.edges.filter((e) => chosen.has(e.source) && chosen.has(e.target)).map((e) => ({ ...e, selected: undefined })),
  }) as Fragment;
}

/** The fragment as new nodes and edges for `doc`: ids made unique with `newId`, moved by `offset`. */
export function pasteFragment(fragment: Fragment, doc: BuilderDoc, newId: (base: string, taken: Set<string>) => string, offset = { x: 40, y: 40 }): Fragment {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const ids = new Map<string, string>();
  const nodes = fragment.nodes.map((n) => {
    const id = newId(n.data.type, taken);
    taken.add(id);
    ids.set(n.id, id);
    const copy = structuredClone(n);
    // A stored secret is sealed for its own node: the copy asks for it again.
    copy.data.config = Object.fromEntries(Object.entries(copy.data.config).filter(([, v]) => v !== SECRET_PLACEHOLDER));
    return { ...copy, id, position: { x: n.position.x + offset.x, y: n.position.y + offset.y }, selected: true };
  });
  const edges = fragment.edges.map((e) => {
    const from = ids.get(e.source)!;
    const to = ids.get(e.target)!;
    return { ...e, id: edgeId({ from, port: e.sourceHandle, to }), source: from, target: to, selected: false };
  });
  return { nodes, edges };
}

/** A node id from a node type, e.g. `courtyard.send-message` → `send-message-4k2f`. */
export function newNodeId(typeId: string, taken: Set<string>): string {
  const base = (typeId.split('.').pop() ?? 'node').replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 40);
  for (;;) {
    const id = `${base}-${Math.random().toString(36).slice(2, 6)}`;
    if (!taken.has(id)) return id;
  }
}
