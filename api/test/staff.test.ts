import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const ERR = `__typename ... on Error { code message } ... on ValidationError { fields { field message } } ... on ConflictError { field }`;
const CREATE = `mutation ($input: StaffInput!) { createStaff(input: $input) { ${ERR} ... on Staff { id staffId name wecomUserId active perMinuteLimit perDayLimit } } }`;
const UPDATE = `mutation ($id: ID!, $input: StaffPatch!) { updateStaff(id: $id, input: $input) { ${ERR} ... on Staff { name active perMinuteLimit perDayLimit } } }`;

describe('staff sub-accounts', () => {
  it('adds an account with default limits, changes its limits, deactivates it, and lists it', async () => {
    const ws = await app.workspace();
    const created = (await ws.gql(CREATE, { input: { name: '李娜', wecomUserId: 'lina' } })).data.createStaff;
    expect(created).toMatchObject({ __typename: 'Staff', name: '李娜', wecomUserId: 'lina', active: true, perMinuteLimit: 20, perDayLimit: 200 });
    const updated = (await ws.gql(UPDATE, { id: created.id, input: { perMinuteLimit: 5, perDayLimit: 80, active: false } })).data.updateStaff;
    expect(updated).toEqual({ __typename: 'Staff', name: '李娜', active: false, perMinuteLimit: 5, perDayLimit: 80 });
    const list = (await ws.gql(`{ all: staff { name } active: staff(active: true) { name } }`)).data;
    expect(list).toEqual({ all: [{ name: '李娜' }], active: [] });
  });

  it('refuses limits below 1, a taken WeCom userid, and another workspace’s account', async () => {
    const ws = await app.workspace();
    const bad = (await ws.gql(CREATE, { input: { name: '王强', perMinuteLimit: 0 } })).data.createStaff;
    expect(bad).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.perMinuteLimit', message: expect.stringContaining('at least 1') }] });
    await ws.gql(CREATE, { input: { name: '王强', wecomUserId: 'wangq' } });
    expect((await ws.gql(CREATE, { input: { name: '另一个王强', wecomUserId: 'wangq' } })).data.createStaff).toEqual({ __typename: 'ConflictError', code: 'CONFLICT', message: expect.any(String), field: 'input.wecomUserId' });
    const other = await app.workspace();
    const theirs = (await other.gql(CREATE, { input: { name: '别家' } })).data.createStaff;
    expect((await ws.gql(UPDATE, { id: theirs.id, input: { perDayLimit: 1 } })).data.updateStaff.__typename).toBe('NotFoundError');
    expect((await ws.gql(`query ($id: ID!) { node(id: $id) { id } }`, { id: theirs.id })).data.node).toBeNull();
  });

  it('lists a staff member\'s customers (owner filter) and names each customer\'s owner; another workspace\'s staff owns none here', async () => {
    const ws = await app.workspace();
    const lina = (await ws.gql(CREATE, { input: { name: '李娜', wecomUserId: 'lina' } })).data.createStaff;
    const wang = (await ws.gql(CREATE, { input: { name: '王强', wecomUserId: 'wangq' } })).data.createStaff;
    const up = await ws.gql(`mutation { upsertCustomers(customers: [{ phone: "13800000001", name: "甲" }, { phone: "13800000002", name: "乙" }, { phone: "13800000003", name: "丙" }]) { ... on UpsertCustomersPayload { results { customer { id } } } } }`);
    const [a, b, c] = up.data.upsertCustomers.results.map((r: any) => Buffer.from(r.customer.id, 'base64').toString().split(':')[1]);
    await app.db.prisma.customer.updateMany({ where: { id: { in: [a, b] } }, data: { ownerStaffId: lina.staffId } });
    await app.db.prisma.customer.update({ where: { id: c }, data: { ownerStaffId: wang.staffId } });
    const LIST = `query ($f: CustomerFilter) { customers(filter: $f, first: 10) { __typename totalCount edges { node { name ownerStaff { name } } } } }`;
    const linas = (await ws.gql(LIST, { f: { ownerStaffIds: [lina.id] } })).data.customers;
    expect(linas.totalCount).toBe(2);
    expect(linas.edges.map((e: any) => e.node).sort((x: any, y: any) => x.name.localeCompare(y.name))).toEqual([
      { name: '乙', ownerStaff: { name: '李娜' } },
      { name: '甲', ownerStaff: { name: '李娜' } },
    ]);
    const other = await app.workspace();
    const theirs = (await other.gql(CREATE, { input: { name: '别家' } })).data.createStaff;
    expect((await ws.gql(LIST, { f: { ownerStaffIds: [theirs.id] } })).data.customers.totalCount).toBe(0);
    const bad = await ws.gql(LIST, { f: { ownerStaffIds: ['nope'] } });
    expect(bad.errors?.[0]?.extensions?.fields?.[0]?.field ?? JSON.stringify(bad)).toContain('ownerStaffIds.0');
  });
});
