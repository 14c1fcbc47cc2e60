import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const GROUP = `mutation ($input: TagGroupInput!) { createTagGroup(input: $input) { __typename ... on TagGroup { id name kind } ... on ConflictError { field } ... on ValidationError { fields { field message } } } }`;
const TAG = `mutation ($input: TagInput!) { createTag(input: $input) { __typename ... on Tag { id name color customerCount group { id } } ... on ConflictError { field } ... on NotFoundError { field } ... on ValidationError { fields { field message } } } }`;
const TAGGING = `mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename ... on TaggingResult { matchedCustomers changedAssignments } ... on ValidationError { fields { field message } } } }`;
const UNTAGGING = `mutation ($input: TaggingInput!) { untagCustomers(input: $input) { __typename ... on TaggingResult { matchedCustomers changedAssignments } ... on ValidationError { fields { field message } } } }`;

async function customers(ws: TestWorkspace, n: number, channel = 'tmall'): Promise<string[]> {
  const r = await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { ... on UpsertCustomersPayload { results { customer { id } } } } }`, {
    c: Array.from({ length: n }, (_, i) => ({ email: `${channel}${i}@example.com`, sourceChannel: channel })),
  });
  return r.data.upsertCustomers.results.map((x: any) => x.customer.id);
}

describe('tag taxonomy', () => {
  it('creates groups of each kind with tags, refuses duplicates, renames and deletes', async () => {
    const ws = await app.workspace();
    const risk = await ws.gql(GROUP, { input: { name: '风控', kind: 'risk' } });
    expect(risk.data.createTagGroup).toMatchObject({ __typename: 'TagGroup', name: '风控', kind: 'risk' });
    const dup = await ws.gql(GROUP, { input: { name: '风控', kind: 'basic' } });
    expect(dup.data.createTagGroup).toEqual({ __typename: 'ConflictError', field: 'input.name' });

    const groupId = risk.data.createTagGroup.id;
    const complainer = await ws.gql(TAG, { input: { groupId, name: '投诉倾向', color: '#F56C6C' } });
    expect(complainer.data.createTag).toMatchObject({ __typename: 'Tag', name: '投诉倾向', color: '#F56C6C', customerCount: 0, group: { id: groupId } });
    expect((await ws.gql(TAG, { input: { groupId, name: '投诉倾向' } })).data.createTag).toEqual({ __typename: 'ConflictError', field: 'input.name' });
    expect((await ws.gql(TAG, { input: { groupId, name: '差评', color: 'red' } })).data.createTag.fields).toEqual([
      { field: 'input.color', message: 'must be a colour as #RRGGBB, e.g. #E6A23C' },
    ]);

    const renamed = await ws.gql(`mutation ($id: ID!, $input: TagPatch!) { updateTag(id: $id, input: $input) { ... on Tag { name color } } }`, {
      id: complainer.data.createTag.id,
      input: { name: '易投诉', color: null },
    });
    expect(renamed.data.updateTag).toEqual({ name: '易投诉', color: null });

    const groups = await ws.gql(`{ tagGroups(kind: risk) { name tags { name } } }`);
    expect(groups.data.tagGroups).toEqual([{ name: '风控', tags: [{ name: '易投诉' }] }]);

    const del = await ws.gql(`mutation ($id: ID!) { deleteTagGroup(id: $id) { __typename } }`, { id: groupId });
    expect(del.data.deleteTagGroup.__typename).toBe('Deleted');
    expect((await ws.gql(`{ tags { totalCount } }`)).data.tags.totalCount).toBe(0);
  });

  it('a tag in an unknown group is a NotFoundError naming groupId', async () => {
    const ws = await app.workspace();
    const other = await app.workspace();
    const g = await other.gql(GROUP, { input: { name: 'x', kind: 'basic' } });
    const r = await ws.gql(TAG, { input: { groupId: g.data.createTagGroup.id, name: 'y' } });
    expect(r.data.createTag).toEqual({ __typename: 'NotFoundError', field: 'input.groupId' });
  });
});

describe('bulk tagging', () => {
  it('tags customers by id and by filter, idempotently, and untags them', async () => {
    const ws = await app.workspace();
    const tmall = await customers(ws, 3, 'tmall');
    await customers(ws, 4, 'jd');
    const g = await ws.gql(GROUP, { input: { name: '行为', kind: 'behaviour' } });
    const t = await ws.gql(TAG, { input: { groupId: g.data.createTagGroup.id, name: '大促敏感' } });
    const tagId = t.data.createTag.id;

    expect((await ws.gql(TAGGING, { input: { tagIds: [tagId], customerIds: tmall.slice(0, 2) } })).data.tagCustomers).toEqual({
      __typename: 'TaggingResult',
      matchedCustomers: 2,
      changedAssignments: 2,
    });
    expect((await ws.gql(TAGGING, { input: { tagIds: [tagId], filter: { sourceChannels: ['tmall'] } } })).data.tagCustomers).toMatchObject({
      matchedCustomers: 3,
      changedAssignments: 1,
    });
    const count = async () => (await ws.gql(`query ($id: ID!) { node(id: $id) { ... on Tag { customerCount } } }`, { id: tagId })).data.node.customerCount;
    expect(await count()).toBe(3);
    expect((await ws.gql(UNTAGGING, { input: { tagIds: [tagId], filter: {} } })).data.untagCustomers).toMatchObject({ matchedCustomers: 7, changedAssignments: 3 });
    expect(await count()).toBe(0);
  });

  it('unknown tag ids, both or neither of customerIds and filter are errors naming the field', async () => {
    const ws = await app.workspace();
    const ids = await customers(ws, 1);
    const r1 = await ws.gql(TAGGING, { input: { tagIds: ['VGFnOjAwMDAwMDAwLTAwMDAtMDAwMC0wMDAwLTAwMDAwMDAwMDAwMA=='], customerIds: ids } });
    expect(r1.data.tagCustomers.fields[0].field).toBe('input.tagIds.0');
    const g = await ws.gql(GROUP, { input: { name: 'g', kind: 'basic' } });
    const t = await ws.gql(TAG, { input: { groupId: g.data.createTagGroup.id, name: 't' } });
    const r2 = await ws.gql(TAGGING, { input: { tagIds: [t.data.createTag.id] } });
    expect(r2.data.tagCustomers.fields[0].field).toBe('input.customerIds');
    const r3 = await ws.gql(TAGGING, { input: { tagIds: [t.data.createTag.id], customerIds: ids, filter: {} } });
    expect(r3.data.tagCustomers.fields[0].field).toBe('input.customerIds');
  });
});
