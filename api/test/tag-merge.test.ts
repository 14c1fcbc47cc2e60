import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';
import { dbId, edge, ENROLL, node, published } from './journey-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const GROUP = `mutation ($input: TagGroupInput!) { createTagGroup(input: $input) { ... on TagGroup { id } } }`;
const TAG = `mutation ($input: TagInput!) { createTag(input: $input) { ... on Tag { id } } }`;
const TAGGING = `mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename } }`;
const MERGE = `mutation ($input: MergeTagsInput!) {
  mergeTags(input: $input) {
    __typename
    ... on MergeTagsPayload { target { id name customerCount } deletedTagIds customersRetagged segmentsUpdated journeysUpdated campaignsUpdated }
    ... on ValidationError { fields { field message } }
    ... on NotFoundError { field }
  }
}`;
const COUNT = `query ($id: ID!) { node(id: $id) { ... on Tag { customerCount } } }`;

async function arrange(ws: TestWorkspace) {
  const r = await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { results { customer { id } } } } }`, {
    c: Array.from({ length: 5 }, (_, i) => ({ email: `c${i}@example.com` })),
  });
  const c: string[] = r.data.upsertCustomers.results.map((x: any) => x.customer.id);
  const groupId = (await ws.gql(GROUP, { input: { name: '意向品类', kind: 'intent' } })).data.createTagGroup.id;
  const tag = async (name: string) => (await ws.gql(TAG, { input: { groupId, name } })).data.createTag.id as string;
  const [hair, hair2, hair3] = [await tag('护发'), await tag('护发类'), await tag('头发护理')];
  // 护发: c0 c1; 护发类: c1 c2; 头发护理: c3. c4 carries nothing.
  await ws.gql(TAGGING, { input: { tagIds: [hair], customerIds: [c[0], c[1]] } });
  await ws.gql(TAGGING, { input: { tagIds: [hair2], customerIds: [c[1], c[2]] } });
  await ws.gql(TAGGING, { input: { tagIds: [hair3], customerIds: [c[3]] } });
  return { c, hair, hair2, hair3 };
}

describe('merging tags', () => {
  it('journeys that tag with a merged tag (published versions included) tag with the target from then on; the campaign exclusion list follows too', async () => {
    const ws = await app.workspace();
    const { c, hair, hair2 } = await arrange(ws);
    const journey = await published(ws, '护发关怀', { nodes: [node('start', 'api'), node('tag', 'add-tags', { tagIds: [dbId(hair2)] })], edges: [edge('start', 'next', 'tag')] });
    await app.db.prisma.workspace.update({ where: { id: ws.id }, data: { campaignExcludedTagIds: [dbId(hair2)] } });
    // A version is loaded (and cached) by the engine before the merge.
    await ws.gql(ENROLL, { j: journey, c: [c[4]], k: 'before' });
    await app.runtime.drain();

    const r = await ws.gql(MERGE, { input: { sourceTagIds: [hair2], targetTagId: hair } });
    expect(r.data.mergeTags).toMatchObject({ journeysUpdated: 1, campaignsUpdated: 0 });
    const draft = await ws.gql(`query ($id: ID!) { journey(id: $id) { draft } }`, { id: journey });
    expect(JSON.stringify(draft.data.journey.draft)).toContain(dbId(hair));
    expect(JSON.stringify(draft.data.journey.draft)).not.toContain(dbId(hair2));
    expect((await app.db.prisma.workspace.findUniqueOrThrow({ where: { id: ws.id } })).campaignExcludedTagIds).toEqual([dbId(hair)]);

    // The published version runs with the target tag.
    await ws.gql(ENROLL, { j: journey, c: [c[3]], k: 'after' });
    await app.runtime.drain();
    const tags = await ws.gql(`query ($id: ID!) { node(id: $id) { ... on Customer { tags { id } } } }`, { id: c[3] });
    expect(tags.data.node.tags.map((t: any) => t.id)).toContain(hair);
    const failed = await app.db.prisma.enrollment.count({ where: { journeyId: dbId(journey), status: 'failed' } });
    expect(failed).toBe(0);
  });

  it('gives the target to every carrier of a source once, deletes the sources, and keeps segments naming them working', async () => {
    const ws = await app.workspace();
    const { hair, hair2, hair3 } = await arrange(ws);
    const seg = await ws.gql(`mutation ($input: SegmentInput!) { createSegment(input: $input) { ... on Segment { id size } } }`, {
      input: { name: '护发意向', type: 'dynamic', definition: { root: { op: 'or', conditions: [{ kind: 'tags', match: 'any', tagIds: [hair2] }, { kind: 'tags', match: 'any', tagIds: [hair3, hair2] }] } } },
    });
    expect(seg.data.createSegment.size).toBe(3);

    const r = await ws.gql(MERGE, { input: { sourceTagIds: [hair2, hair3], targetTagId: hair } });
    expect(r.data.mergeTags).toEqual({
      __typename: 'MergeTagsPayload',
      target: { id: hair, name: '护发', customerCount: 4 },
      deletedTagIds: [hair2, hair3],
      customersRetagged: 2,
      segmentsUpdated: 1,
      journeysUpdated: 0,
      campaignsUpdated: 0,
    });
    expect((await ws.gql(COUNT, { id: hair2 })).data.node).toBeNull();
    expect((await ws.gql(`{ tags { totalCount } }`)).data.tags.totalCount).toBe(1);

    const after = await ws.gql(`query ($id: ID!) { segment(id: $id) { size definition } }`, { id: seg.data.createSegment.id });
    expect(after.data.segment.definition.root).toEqual({ op: 'or', conditions: [{ kind: 'tags', match: 'any', tagIds: [hair] }, { kind: 'tags', match: 'any', tagIds: [hair] }] });
    expect(after.data.segment.size).toBe(4);
  });

  it('a source that is the target, unknown or named twice is refused per item, and nothing changes', async () => {
    const ws = await app.workspace();
    const { hair, hair2 } = await arrange(ws);
    const missing = 'VGFnOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA==';
    const r = await ws.gql(MERGE, { input: { sourceTagIds: [hair, missing, hair2, hair2], targetTagId: hair } });
    expect(r.data.mergeTags).toEqual({
      __typename: 'ValidationError',
      fields: [
        { field: 'input.sourceTagIds.0', message: 'is the target tag; a tag cannot be merged into itself' },
        { field: 'input.sourceTagIds.1', message: 'no such tag in this workspace' },
        { field: 'input.sourceTagIds.3', message: 'is named twice' },
      ],
    });
    expect((await ws.gql(COUNT, { id: hair2 })).data.node.customerCount).toBe(2);
    expect((await ws.gql(MERGE, { input: { sourceTagIds: [], targetTagId: hair } })).data.mergeTags.fields[0].field).toBe('input.sourceTagIds');
  });

  it('an unknown target, or a tag of another workspace, is a NotFoundError on targetTagId', async () => {
    const ws = await app.workspace();
    const other = await app.workspace();
    const { hair } = await arrange(ws);
    const { hair: foreign } = await arrange(other);
    expect((await ws.gql(MERGE, { input: { sourceTagIds: [hair], targetTagId: foreign } })).data.mergeTags).toEqual({ __typename: 'NotFoundError', field: 'input.targetTagId' });
    expect((await other.gql(COUNT, { id: foreign })).data.node.customerCount).toBe(2);
  });
});
