// Definition ⇄ canvas. The definition is the journey's meaning; the layout only places nodes. Both
// directions are pure so a round trip can be pinned by a test.
import type { BuilderDoc, CanvasEdge, CanvasNode, DefinitionEdge, DefinitionNode, JourneyDefinition, JourneyLayout, NodeData } from './model';

/** The Vue Flow node component every journey node is drawn with. */
export const NODE_COMPONENT = 'journey';

export function edgeId(edge: DefinitionEdge): string {
  return `${edge.from}.${edge.port}>${edge.to}`;
}

function nodeData(node: DefinitionNode): NodeData {
  const data: NodeData = { type: node.type, version: node.version, config: node.config };
  if (node.label !== undefined) data.label = node.label;
  return data;
}

/** Where a node without a saved position goes: a column below the others. */
function fallbackPosition(index: number) {
  return { x: 0, y: index * 140 };
}

export function toCanvas(definition: JourneyDefinition, layout: JourneyLayout): BuilderDoc {
  const nodes: CanvasNode[] = definition.nodes.map((n, i) => ({
    id: n.id,
    type: NODE_COMPONENT,
    position: { ...(layout[n.id] ?? fallbackPosition(i)) },
    data: nodeData(n),
  }));
  const seen = new Map<string, number>();
  const edges: CanvasEdge[] = definition.edges.map((e) => {
    // A draft may hold the same edge twice (validation reports it); ids must stay unique anyway.
    const base = edgeId(e);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    return { id: count ? `${base}#${count}` : base, source: e.from, sourceHandle: e.port, target: e.to };
  });
  return { nodes, edges };
}

export function fromCanvas(doc: BuilderDoc): { definition: JourneyDefinition; layout: JourneyLayout } {
  const layout: JourneyLayout = {};
  const nodes: DefinitionNode[] = doc.nodes.map((n) => {
    layout[n.id] = { x: Math.round(n.position.x), y: Math.round(n.position.y) };
    const node: DefinitionNode = { id: n.id, type: n.data.type, version: n.data.version, config: n.data.config };
    if (n.data.label !== undefined) node.label = n.data.label;
    return node;
  });
  const edges: DefinitionEdge[] = doc.edges.map((e) => ({ from: e.source, port: e.sourceHandle, to: e.target }));
  return { definition: { nodes, edges }, layout };
}

/** Reads the API's JSONObject draft defensively: anything that is not a node or edge is dropped. */
export function readDefinition(raw: unknown): JourneyDefinition {
  const obj = (raw ?? {}) as { nodes?: unknown; edges?: unknown };
  const nodes = Array.isArray(obj.nodes) ? (obj.nodes as DefinitionNode[]).filter((n) => n && typeof n.id === 'string') : [];
  const edges = Array.isArray(obj.edges) ? (obj.edges as DefinitionEdge[]).filter((e) => e && typeof e.from === 'string') : [];
  return { nodes: nodes.map((n) => ({ ...n, config: n.config ?? {} })), edges };
}

export function readLayout(raw: unknown): JourneyLayout {
  const out: JourneyLayout = {};
  for (const [id, p] of Object.entries((raw ?? {}) as Record<string, { x?: unknown; y?: unknown }>)) {
    if (p && typeof p.x === 'number' && typeof p.y === 'number') out[id] = { x: p.x, y: p.y };
  }
  return out;
}
