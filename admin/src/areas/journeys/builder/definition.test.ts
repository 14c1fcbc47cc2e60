import { describe, expect, it } from 'vitest';
import { SECRET_PLACEHOLDER } from '@/components/schema-form/schema';
import { copyNodes, newNodeId, pasteFragment } from './clipboard';
import { fromCanvas, toCanvas } from './definition';
import { diffDefinitions, isEmptyDiff } from './diff';
import { emptyHistory, record, redo, undo } from './history';
import type { BuilderDoc, JourneyDefinition, JourneyLayout, NodeType } from './model';
import { portsOf, refuseConnection } from './ports';

// Every kind of port: a trigger's next, a condition's yes/no, a split's branches from its config,
// an action's next/failed, wait-for-event's event/timeout, and an exit with none.
const definition: JourneyDefinition = {
  nodes: [
    { id: 'start', type: 'courtyard.event', version: '1.0.0', config: { eventType: 'order.paid', properties: {} } },
    { id: 'vip', type: 'courtyard.has-tags', version: '1.0.0', config: { tagIds: ['t1'], match: 'any' }, label: '是 VIP 吗' },
    { id: 'ab', type: 'courtyard.random-split', version: '1.0.0', config: { branches: [{ id: 'a', title: 'A 组', weight: 50 }, { id: 'b', title: 'B 组', weight: 50 }] } },
    { id: 'msg', type: 'courtyard.send-message', version: '1.0.0', config: { channel: 'wecom', body: '你好 {{customer.name}}' } },
    { id: 'wait', type: 'courtyard.wait-for-event', version: '1.0.0', config: { eventType: 'order.paid', timeout: { amount: 3, unit: 'days' } } },
    { id: 'tag', type: 'courtyard.add-tags', version: '1.0.0', config: { tagIds: ['t2'] } },
    { id: 'bye', type: 'courtyard.exit', version: '1.0.0', config: {} },
  ],
  edges: [
    { from: 'start', port: 'next', to: 'vip' },
    { from: 'vip', port: 'yes', to: 'ab' },
    { from: 'vip', port: 'no', to: 'bye' },
    { from: 'ab', port: 'a', to: 'msg' },
    { from: 'ab', port: 'b', to: 'wait' },
    { from: 'msg', port: 'next', to: 'tag' },
    { from: 'msg', port: 'failed', to: 'bye' },
    { from: 'wait', port: 'event', to: 'tag' },
    { from: 'wait', port: 'timeout', to: 'bye' },
  ],
};
const layout: JourneyLayout = Object.fromEntries(definition.nodes.map((n, i) => [n.id, { x: i * 10, y: i * 150 }]));

const port = (id: string, zh: string) => ({ id, title: { zhCN: zh, en: id } });
const type = (id: string, kind: NodeType['kind'], ports: ReturnType<typeof port>[], portsFromConfig: NodeType['portsFromConfig'] = null): NodeType =>
  ({ id, version: '1.0.0', kind, icon: 'zap', configSchema: {}, title: { zhCN: id, en: id }, description: { zhCN: '', en: '' }, ports, portsFromConfig }) as NodeType;
const types = new Map<string, NodeType>([
  ['courtyard.event', type('courtyard.event', 'trigger', [port('next', '下一步')])],
  ['courtyard.has-tags', type('courtyard.has-tags', 'condition', [port('yes', '是'), port('no', '否')])],
  ['courtyard.random-split', type('courtyard.random-split', 'condition', [], { field: 'branches', id: 'id', title: 'title' })],
  ['courtyard.send-message', type('courtyard.send-message', 'action', [port('next', '下一步'), port('failed', '失败')])],
  ['courtyard.wait-for-event', type('courtyard.wait-for-event', 'action', [port('event', '已发生'), port('timeout', '超时')])],
  ['courtyard.add-tags', type('courtyard.add-tags', 'action', [port('next', '下一步')])],
  ['courtyard.exit', type('courtyard.exit', 'action', [])],
]);
const typeOf = (id: string) => types.get(id);

describe('definition ⇄ canvas', () => {
  it('a definition with every port kind converts to nodes and edges and back identical, the layout kept apart', () => {
    const doc = toCanvas(definition, layout);
    expect(doc.nodes).toHaveLength(7);
    expect(doc.nodes[1]).toMatchObject({ id: 'vip', type: 'journey', position: { x: 10, y: 150 }, data: { type: 'courtyard.has-tags', label: '是 VIP 吗', config: { tagIds: ['t1'], match: 'any' } } });
    expect(doc.nodes[0]!.data).not.toHaveProperty('label');
    expect(doc.edges.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`)).toContain('ab:b->wait');
    const back = fromCanvas(doc);
    expect(back.definition).toEqual(definition);
    expect(back.layout).toEqual(layout);
    expect(JSON.stringify(back.definition)).not.toContain('"x"');
  });

  it('places nodes without a saved position instead of dropping them', () => {
    const doc = toCanvas(definition, {});
    expect(doc.nodes.every((n) => Number.isFinite(n.position.x) && Number.isFinite(n.position.y))).toBe(true);
    expect(fromCanvas(doc).definition).toEqual(definition);
  });

  it('ports come from the node type, or one per branch of a split in the config language', () => {
    const split = definition.nodes[2]!;
    expect(portsOf(typeOf(split.type), split.config, 'zh-CN')).toEqual([{ id: 'a', title: 'A 组' }, { id: 'b', title: 'B 组' }]);
    expect(portsOf(typeOf('courtyard.has-tags'), {}, 'zh-CN').map((p) => p.title)).toEqual(['是', '否']);
    expect(portsOf(typeOf('courtyard.exit'), {}, 'en')).toEqual([]);
  });

  it('refuses a connection into the trigger, onto itself, from a used port or an unknown one, and allows a free port', () => {
    const doc = toCanvas(definition, layout);
    expect(refuseConnection(doc, { source: 'tag', sourceHandle: 'next', target: 'start' }, typeOf)).toBe('intoTrigger');
    expect(refuseConnection(doc, { source: 'tag', sourceHandle: 'next', target: 'tag' }, typeOf)).toBe('selfLoop');
    expect(refuseConnection(doc, { source: 'vip', sourceHandle: 'yes', target: 'msg' }, typeOf)).toBe('portUsed');
    expect(refuseConnection(doc, { source: 'vip', sourceHandle: 'maybe', target: 'msg' }, typeOf)).toBe('unknownPort');
    expect(refuseConnection(doc, { source: 'vip', sourceHandle: 'yes', target: 'ab' }, typeOf)).toBe('duplicate');
    expect(refuseConnection(doc, { source: 'tag', sourceHandle: 'next', target: 'bye' }, typeOf)).toBeNull();
  });
});

describe('publish diff', () => {
  it('names nodes added, removed and changed (by config field and label) and edges added and removed', () => {
    const draft: JourneyDefinition = structuredClone(definition);
    draft.nodes = draft.nodes.filter((n) => n.id !== 'wait');
    draft.edges = draft.edges.filter((e) => e.from !== 'wait' && e.to !== 'wait');
    draft.nodes.find((n) => n.id === 'msg')!.config.body = '新的文案';
    draft.nodes.find((n) => n.id === 'vip')!.label = 'VIP？';
    draft.nodes.push({ id: 'extra', type: 'courtyard.add-tags', version: '1.0.0', config: { tagIds: ['t3'] } });
    draft.edges.push({ from: 'ab', port: 'b', to: 'extra' });
    const d = diffDefinitions(definition, draft);
    expect(d.addedNodes.map((n) => n.id)).toEqual(['extra']);
    expect(d.removedNodes.map((n) => n.id)).toEqual(['wait']);
    expect(d.changedNodes.map((c) => [c.node.id, c.fields])).toEqual([['vip', ['label']], ['msg', ['body']]]);
    expect(d.addedEdges).toEqual([{ from: 'ab', port: 'b', to: 'extra' }]);
    expect(d.removedEdges.map((e) => `${e.from}:${e.port}`).sort()).toEqual(['ab:b', 'wait:event', 'wait:timeout']);
  });

  it('a first publish adds everything; the same graph with keys in another order changes nothing', () => {
    expect(diffDefinitions(null, definition).addedNodes).toHaveLength(7);
    const reordered = structuredClone(definition);
    reordered.nodes[0]!.config = { properties: {}, eventType: 'order.paid' };
    expect(isEmptyDiff(diffDefinitions(definition, reordered))).toBe(true);
  });
});

describe('undo / redo', () => {
  it('steps back and forth through changes, and a new change drops the redo', () => {
    let h = emptyHistory<number>();
    let state = 1;
    h = record(h, state); state = 2;
    h = record(h, state); state = 3;
    let step = undo(h, state)!;
    expect(step.state).toBe(2);
    step = undo(step.history, step.state)!;
    expect(step.state).toBe(1);
    expect(undo(step.history, step.state)).toBeNull();
    const again = redo(step.history, step.state)!;
    expect(again.state).toBe(2);
    const branched = record(again.history, again.state);
    expect(branched.future).toEqual([]);
    expect(redo(branched, 9)).toBeNull();
  });

  it('keeps at most the limit of steps', () => {
    let h = emptyHistory<number>();
    for (let i = 0; i < 10; i++) h = record(h, i, 4);
    expect(h.past).toEqual([6, 7, 8, 9]);
  });
});

describe('copy / paste', () => {
  it('pastes copies with fresh ids, offset, keeping the connections among the copied nodes only', () => {
    const doc: BuilderDoc = toCanvas(definition, layout);
    const fragment = copyNodes(doc, ['ab', 'msg', 'tag']);
    expect(fragment.edges.map((e) => `${e.source}:${e.sourceHandle}->${e.target}`).sort()).toEqual(['ab:a->msg', 'msg:next->tag']);
    const pasted = pasteFragment(fragment, doc, newNodeId);
    expect(pasted.nodes).toHaveLength(3);
    const ids = new Set(doc.nodes.map((n) => n.id));
    expect(pasted.nodes.every((n) => !ids.has(n.id) && /^[A-Za-z0-9_-]{1,64}$/.test(n.id))).toBe(true);
    const byOld = new Map(fragment.nodes.map((n, i) => [n.id, pasted.nodes[i]!]));
    expect(byOld.get('msg')!.position).toEqual({ x: layout.msg!.x + 40, y: layout.msg!.y + 40 });
    expect(byOld.get('msg')!.data).toEqual(doc.nodes.find((n) => n.id === 'msg')!.data);
    expect(pasted.edges.map((e) => [e.source, e.sourceHandle, e.target])).toEqual([
      [byOld.get('ab')!.id, 'a', byOld.get('msg')!.id],
      [byOld.get('msg')!.id, 'next', byOld.get('tag')!.id],
    ]);
    // The originals are untouched by editing the copy.
    pasted.nodes[0]!.data.config.branches = [];
    expect(doc.nodes.find((n) => n.id === 'ab')!.data.config.branches).toHaveLength(2);
  });

  it('a pasted webhook node leaves the stored secret behind (it is sealed for the original node) and asks for it', () => {
    const hook = { id: 'hook', type: 'courtyard.call-webhook', version: '1.0.0', config: { url: 'https://erp.example.cn/h', secret: SECRET_PLACEHOLDER } };
    const doc: BuilderDoc = toCanvas({ nodes: [hook], edges: [] }, { hook: { x: 0, y: 0 } });
    const [pasted] = pasteFragment(copyNodes(doc, ['hook']), doc, newNodeId).nodes;
    expect(pasted!.data.config).toEqual({ url: 'https://erp.example.cn/h' });
    expect(doc.nodes[0]!.data.config.secret).toBe(SECRET_PLACEHOLDER);
  });
});
