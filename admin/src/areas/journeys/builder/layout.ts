// Auto-layout: top to bottom, ranks by edges (dagre). Port order decides the order of siblings, so
// a condition's "yes" branch lands left of its "no" branch.
import dagre from '@dagrejs/dagre';
import type { BuilderDoc, JourneyLayout } from './model';

export const NODE_WIDTH = 240;
export const NODE_HEIGHT = 96;

export function autoLayout(doc: BuilderDoc, size: (id: string) => { width: number; height: number } | undefined = () => undefined): JourneyLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 48, ranksep: 72, marginx: 20, marginy: 20 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of doc.nodes) {
    const s = size(n.id);
    g.setNode(n.id, { width: s?.width || NODE_WIDTH, height: s?.height || NODE_HEIGHT });
  }
  for (const e of doc.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagre.layout(g);
  const out: JourneyLayout = {};
  for (const n of doc.nodes) {
    const p = g.node(n.id);
    out[n.id] = { x: Math.round(p.x - p.width / 2), y: Math.round(p.y - p.height / 2) };
  }
  return out;
}
