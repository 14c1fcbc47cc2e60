// A key of workspace A sees and touches nothing of workspace B's segments.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
let a: TestWorkspace;
let b: TestWorkspace;
const B: { tag: string; dynamic: string; static: string; size: number } = { tag: '', dynamic: '', static: '', size: 0 };

beforeAll(async () => {
  app = await createTestApp();
  a = await app.workspace('A');
  b = await app.workspace('B');
  for (const ws of [a, b]) {
    await ws.gql(`mutation { upsertCustomers(customers: [{ phone: "13700000001", city: "杭州" }, { phone: "13700000002", city: "杭州" }]) { __typename } }`);
  }
  const g = await b.gql(`mutation { createTagGroup(input: { name: "意向", kind: intent }) { ... on TagGroup { id } } }`);
  B.tag = (await b.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "护发" }) { ... on Tag { id } } }`, { g: g.data.createTagGroup.id })).data.createTag.id;
  const dyn = await b.gql(`mutation ($d: JSON!) { createSegment(input: { name: "杭州", type: dynamic, definition: $d }) { ... on Segment { id size } } }`, {
    d: { root: { kind: 'attribute', field: 'city', operator: 'equals', value: '杭州' } },
  });
  B.dynamic = dyn.data.createSegment.id;
  B.size = dyn.data.createSegment.size;
  B.static = (await b.gql(`mutation ($s: ID!) { createSegment(input: { name: "快照", type: static, snapshotOf: $s }) { ... on Segment { id } } }`, { s: B.dynamic })).data.createSegment.id;
});
afterAll(async () => {
  await app?.close();
});

async function bUnchanged() {
  const r = await b.gql(`query ($d: ID!, $s: ID!) { d: segment(id: $d) { name size } s: segment(id: $s) { size } segments { totalCount } }`, { d: B.dynamic, s: B.static });
  expect(r.data).toEqual({ d: { name: '杭州', size: B.size }, s: { size: B.size }, segments: { totalCount: 2 } });
}

describe('segments across workspaces', () => {
  it('B\'s segments are invisible to A: segment, node, nodes and the list', async () => {
    expect(B.size).toBe(2);
    const r = await a.gql(`query ($d: ID!, $s: ID!) { segment(id: $d) { id } node(id: $s) { id } nodes(ids: [$d, $s]) { id } segments { totalCount } }`, { d: B.dynamic, s: B.static });
    expect(r.data).toEqual({ segment: null, node: null, nodes: [null, null], segments: { totalCount: 0 } });
  });

  it('definitions naming B\'s tag or segment are validation errors, in preview and in create', async () => {
    const preview = await a.gql(`query ($d: JSON!) { previewSegment(definition: $d) { __typename ... on ValidationError { fields { field } } } }`, {
      d: { root: { op: 'or', conditions: [{ kind: 'tags', match: 'any', tagIds: [B.tag] }, { kind: 'segment', segmentId: B.dynamic }] } },
    });
    expect(preview.data.previewSegment.fields.map((f: any) => f.field)).toEqual(['definition.root.conditions.0.tagIds.0', 'definition.root.conditions.1.segmentId']);
    const create = await a.gql(`mutation ($d: JSON!) { createSegment(input: { name: "x", type: dynamic, definition: $d }) { __typename } }`, { d: { root: { kind: 'segment', segmentId: B.dynamic } } });
    expect(create.data.createSegment.__typename).toBe('ValidationError');
    const snapshot = await a.gql(`mutation ($s: ID!) { createSegment(input: { name: "y", type: static, snapshotOf: $s }) { __typename } }`, { s: B.dynamic });
    expect(snapshot.data.createSegment.__typename).toBe('NotFoundError');
    await bUnchanged();
  });

  it('update, delete, refresh and CSV import aimed at B\'s segments are NotFound and change nothing', async () => {
    const cases = [
      [`mutation ($id: ID!) { updateSegment(id: $id, input: { name: "hacked" }) { __typename } }`, 'updateSegment'],
      [`mutation ($id: ID!) { deleteSegment(id: $id) { __typename } }`, 'deleteSegment'],
      [`mutation ($id: ID!) { refreshSegment(id: $id) { __typename } }`, 'refreshSegment'],
    ] as const;
    for (const [query, field] of cases) {
      for (const id of [B.dynamic, B.static]) expect((await a.gql(query, { id })).data[field].__typename).toBe('NotFoundError');
    }
    const form = new FormData();
    form.set('operations', JSON.stringify({ query: `mutation ($input: ImportSegmentCsvInput!) { importSegmentCsv(input: $input) { __typename } }`, variables: { input: { segmentId: B.static, file: null } } }));
    form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
    form.set('0', new File(['phone\n13700000001\n'], 'x.csv'));
    const res = await app.yoga.fetch('http://yoga/graphql', { method: 'POST', body: form, headers: { authorization: `Bearer ${a.key}` } });
    expect(((await res.json()) as any).data.importSegmentCsv.__typename).toBe('NotFoundError');
    await bUnchanged();
  });

  it('changes to A\'s customers never move B\'s members, and A\'s segmentChanged on B\'s id stays silent', async () => {
    const res = await app.yoga.fetch('http://yoga/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${a.key}` },
      body: JSON.stringify({ query: 'subscription ($id: ID!) { segmentChanged(id: $id) { enteredCount } }', variables: { id: B.dynamic } }),
    });
    const reader = res.body!.getReader();
    let text = '';
    const reading = (async () => {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        text += new TextDecoder().decode(value);
      }
    })().catch(() => undefined);
    await a.gql(`mutation { upsertCustomers(customers: [{ phone: "13700000003", city: "杭州" }, { phone: "13700000001", city: "上海" }]) { __typename } }`);
    await b.gql(`mutation { upsertCustomer(input: { phone: "13700000009", city: "杭州" }) { __typename } }`);
    await new Promise((r) => setTimeout(r, 1500));
    await reader.cancel().catch(() => undefined);
    void reading;
    expect(text).not.toContain('enteredCount');
    const r = await b.gql(`query ($d: ID!) { segment(id: $d) { size } }`, { d: B.dynamic });
    expect(r.data.segment.size).toBe(3);
  });
});
