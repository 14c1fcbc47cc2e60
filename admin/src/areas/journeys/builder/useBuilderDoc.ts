// The builder's state and every edit to it. Each edit records the previous state for undo; moving
// nodes records once per drag. The canvas only draws this state and reports what the user did.
import { computed, ref, shallowRef } from 'vue';
import { copyNodes, newNodeId, pasteFragment, type Fragment } from './clipboard';
import { edgeId, fromCanvas, NODE_COMPONENT } from './definition';
import { emptyHistory, record, redo as redoStep, undo as undoStep, type History } from './history';
import type { BuilderDoc, CanvasEdge, CanvasNode, JsonObject, JourneyLayout, XY } from './model';

/** Copied nodes stay available across journeys while the admin is open. */
let clipboard: Fragment | null = null;

export function useBuilderDoc() {
  const doc = shallowRef<BuilderDoc>({ nodes: [], edges: [] });
  const history = shallowRef<History<BuilderDoc>>(emptyHistory());
  /** The doc as last saved; dirty when it differs. */
  const saved = shallowRef<string>('');
  const selection = ref<string[]>([]);

  const serialized = computed(() => JSON.stringify(fromCanvas(doc.value)));
  const dirty = computed(() => serialized.value !== saved.value);

  function load(next: BuilderDoc) {
    doc.value = next;
    history.value = emptyHistory();
    saved.value = JSON.stringify(fromCanvas(next));
  }
  function markSaved() {
    saved.value = serialized.value;
  }
  let lastKey = '';
  let lastAt = 0;
  /** Records the current state for undo, except while typing into the same field (one step per burst). */
  function commit(next: BuilderDoc, coalesce = '') {
    const now = Date.now();
    if (!coalesce || coalesce !== lastKey || now - lastAt > 1500) history.value = record(history.value, doc.value);
    lastKey = coalesce;
    lastAt = now;
    doc.value = next;
  }

  function addNode(type: { id: string; version: string }, config: JsonObject, position: XY): string {
    const id = newNodeId(type.id, new Set(doc.value.nodes.map((n) => n.id)));
    const node: CanvasNode = { id, type: NODE_COMPONENT, position, data: { type: type.id, version: type.version, config } };
    commit({ nodes: [...doc.value.nodes, node], edges: doc.value.edges });
    selection.value = [id];
    return id;
  }
  function connect(from: string, port: string, to: string) {
    const edge: CanvasEdge = { id: edgeId({ from, port, to }), source: from, sourceHandle: port, target: to };
    commit({ nodes: doc.value.nodes, edges: [...doc.value.edges, edge] });
  }
  function updateNode(id: string, change: { config?: JsonObject; label?: string | undefined }) {
    commit(
      {
      nodes: doc.value.nodes.map((n) => {
        if (n.id !== id) return n;
        const data = { ...n.data, ...('config' in change ? { config: change.config! } : {}) };
        if ('label' in change) {
          if (change.label) data.label = change.label;
          else delete data.label;
        }
        return { ...n, data };
      }),
        edges: doc.value.edges,
      },
      `${id}:${'label' in change ? 'label' : 'config'}`,
    );
  }
  /** Edges from ports a node no longer has (a split branch removed) go with the port. */
  function pruneEdges(nodeId: string, ports: string[]) {
    const keep = doc.value.edges.filter((e) => e.source !== nodeId || ports.includes(e.sourceHandle));
    if (keep.length !== doc.value.edges.length) doc.value = { nodes: doc.value.nodes, edges: keep };
  }
  function remove(nodeIds: string[], edgeIds: string[] = []) {
    if (!nodeIds.length && !edgeIds.length) return;
    const nodes = new Set(nodeIds);
    const edges = new Set(edgeIds);
    commit({
      nodes: doc.value.nodes.filter((n) => !nodes.has(n.id)),
      edges: doc.value.edges.filter((e) => !edges.has(e.id) && !nodes.has(e.source) && !nodes.has(e.target)),
    });
    selection.value = selection.value.filter((id) => !nodes.has(id));
  }
  function move(positions: Record<string, XY>) {
    const changed = doc.value.nodes.some((n) => positions[n.id] && (positions[n.id]!.x !== n.position.x || positions[n.id]!.y !== n.position.y));
    if (!changed) return;
    commit({ nodes: doc.value.nodes.map((n) => (positions[n.id] ? { ...n, position: { ...positions[n.id]! } } : n)), edges: doc.value.edges });
  }
  function applyLayout(layout: JourneyLayout) {
    move(layout);
  }
  function copy(ids: string[]): number {
    if (!ids.length) return 0;
    clipboard = copyNodes(doc.value, ids);
    return clipboard.nodes.length;
  }
  function paste(): string[] {
    if (!clipboard?.nodes.length) return [];
    const pasted = pasteFragment(clipboard, doc.value, newNodeId);
    commit({
      nodes: [...doc.value.nodes.map((n) => (n.selected ? { ...n, selected: false } : n)), ...pasted.nodes],
      edges: [...doc.value.edges, ...pasted.edges],
    });
    // A second paste lands further along instead of on top of the first.
    clipboard = { nodes: pasted.nodes, edges: pasted.edges };
    selection.value = pasted.nodes.map((n) => n.id);
    return selection.value;
  }
  function undo() {
    const step = undoStep(history.value, doc.value);
    if (!step) return;
    doc.value = step.state;
    history.value = step.history;
  }
  function redo() {
    const step = redoStep(history.value, doc.value);
    if (!step) return;
    doc.value = step.state;
    history.value = step.history;
  }

  return {
    doc, selection, dirty,
    canUndo: computed(() => history.value.past.length > 0),
    canRedo: computed(() => history.value.future.length > 0),
    canPaste: () => !!clipboard?.nodes.length,
    load, markSaved, addNode, connect, updateNode, pruneEdges, remove, move, applyLayout, copy, paste, undo, redo,
  };
}

export type BuilderDocApi = ReturnType<typeof useBuilderDoc>;
