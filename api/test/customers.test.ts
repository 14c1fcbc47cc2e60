import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const UPSERT = /* GraphQL */ `
  mutation ($input: CustomerInput!) {
    upsertCustomer(input: $input) {
      __typename
      ... on UpsertCustomerPayload { created customer { id name phone email birthday attributes lifecycleStage } }
      ... on ValidationError { message fields { field message } }
      ... on ConflictError { message field }
    }
  }
`;

const BATCH = /* GraphQL */ `
  mutation ($customers: [CustomerInput!]!) {
    upsertCustomers(customers: $customers) {
      __typename
      ... on UpsertCustomersPayload {
        createdCount updatedCount failedCount
        results { index created customer { id phone } error { index code message fields { field message } } }
      }
      ... on ValidationError { message fields { field message } }
    }
  }
`;

describe('upserting customers', () => {
  it('creates a customer, normalises the phone, and updates the same person when the phone is sent again', async () => {
    const ws = await app.workspace();
    const first = await ws.gql(UPSERT, { input: { phone: '+86 138 0013 8000', name: '王小燕', birthday: '1995-08-17', attributes: { skin: 'dry' } } });
    expect(first.errors).toBeUndefined();
    expect(first.data.upsertCustomer).toMatchObject({ __typename: 'UpsertCustomerPayload', created: true, customer: { phone: '13800138000', name: '王小燕', birthday: '1995-08-17' } });

    const second = await ws.gql(UPSERT, { input: { phone: '13800138000', email: 'Wang@Example.com', attributes: { hair: 'oily', skin: null } } });
    expect(second.data.upsertCustomer).toMatchObject({
      created: false,
      customer: { id: first.data.upsertCustomer.customer.id, name: '王小燕', email: 'wang@example.com', attributes: { hair: 'oily' } },
    });
  });

  it('rejects a malformed phone, email and birthday with errors naming each field, and stores nothing', async () => {
    const ws = await app.workspace();
    const result = await ws.gql(UPSERT, { input: { phone: '12345', email: 'not-an-email', birthday: '1995-02-30' } });
    expect(result.status).toBe(200);
    const error = result.data.upsertCustomer;
    expect(error.__typename).toBe('ValidationError');
    expect(error.fields.map((f: { field: string }) => f.field).sort()).toEqual(['input.birthday', 'input.email', 'input.phone']);
    const count = await ws.gql('{ customers { totalCount } }');
    expect(count.data.customers.totalCount).toBe(0);
  });

  it('requires an identity', async () => {
    const ws = await app.workspace();
    const result = await ws.gql(UPSERT, { input: { name: '无名' } });
    expect(result.data.upsertCustomer.__typename).toBe('ValidationError');
    expect(result.data.upsertCustomer.fields[0].field).toBe('input.phone');
  });

  it('reports a conflict when phone and email belong to two different customers', async () => {
    const ws = await app.workspace();
    await ws.gql(UPSERT, { input: { phone: '13900000001' } });
    await ws.gql(UPSERT, { input: { email: 'b@example.com' } });
    const result = await ws.gql(UPSERT, { input: { phone: '13900000001', email: 'b@example.com' } });
    expect(result.data.upsertCustomer).toMatchObject({ __typename: 'ConflictError', field: 'input.email' });
  });

  it('a batch stores its valid items and reports each bad one by index and field', async () => {
    const ws = await app.workspace();
    await ws.gql(UPSERT, { input: { phone: '13700000000', name: '旧' } });
    const result = await ws.gql(BATCH, {
      customers: [
        { phone: '13700000000', name: '新' },
        { phone: 'abc' },
        { email: 'x@example.com', birthday: 'yesterday' },
        { wecomExternalId: 'wm_1', attributes: [1, 2] },
        { phone: '13600000000' },
        { phone: '13600000000', name: 'dup' },
      ],
    });
    expect(result.errors).toBeUndefined();
    const payload = result.data.upsertCustomers;
    expect(payload).toMatchObject({ createdCount: 1, updatedCount: 1, failedCount: 4 });
    expect(payload.results.map((r: any) => r.error?.fields?.[0]?.field ?? null)).toEqual([
      null,
      'customers.1.phone',
      'customers.2.birthday',
      'customers.3.attributes',
      null,
      'customers.5.phone',
    ]);
    expect(payload.results[0]).toMatchObject({ created: false, customer: { phone: '13700000000' } });
    expect(payload.results[4]).toMatchObject({ created: true, customer: { phone: '13600000000' } });
    const list = await ws.gql('{ customers { totalCount } }');
    expect(list.data.customers.totalCount).toBe(2);
  });

  it('a batch over 1,000 items is refused whole with the limit in the message', async () => {
    const ws = await app.workspace();
    const customers = Array.from({ length: 1001 }, (_, i) => ({ email: `c${i}@example.com` }));
    const result = await ws.gql(BATCH, { customers });
    expect(result.data.upsertCustomers).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'customers' }] });
    expect(result.data.upsertCustomers.message).toContain('at most 1000');
  });
});

describe('updating and deleting customers', () => {
  it('updates fields, clears with null, and deletes', async () => {
    const ws = await app.workspace();
    const created = await ws.gql(UPSERT, { input: { phone: '13500000000', city: '杭州', name: '李雷' } });
    const id = created.data.upsertCustomer.customer.id;
    const updated = await ws.gql(
      `mutation ($id: ID!, $input: CustomerPatch!) { updateCustomer(id: $id, input: $input) { __typename ... on Customer { city name blacklisted lifecycleStage } } }`,
      { id, input: { city: null, blacklisted: true, lifecycleStage: 'vip' } },
    );
    expect(updated.data.updateCustomer).toEqual({ __typename: 'Customer', city: null, name: '李雷', blacklisted: true, lifecycleStage: 'vip' });
    const deleted = await ws.gql(`mutation ($id: ID!) { deleteCustomer(id: $id) { __typename ... on Deleted { deletedId } } }`, { id });
    expect(deleted.data.deleteCustomer).toEqual({ __typename: 'Deleted', deletedId: id });
    const again = await ws.gql(`mutation ($id: ID!) { deleteCustomer(id: $id) { __typename } }`, { id });
    expect(again.data.deleteCustomer.__typename).toBe('NotFoundError');
    const fetched = await ws.gql(`query ($id: ID!) { customer(id: $id) { id } }`, { id });
    expect(fetched.data.customer).toBeNull();
  });

  it('deleting a customer deletes their messages, and only theirs', async () => {
    const ws = await app.workspace();
    await ws.gql(UPSERT, { input: { phone: '13500000010' } });
    await ws.gql(UPSERT, { input: { phone: '13500000011' } });
    const [gone, kept] = await Promise.all(['13500000010', '13500000011'].map((phone) => app.db.prisma.customer.findFirstOrThrow({ where: { workspaceId: ws.id, phone } })));
    await app.db.prisma.delivery.createMany({
      data: [gone!, gone!, kept!].map((c, i) => ({ workspaceId: ws.id, key: `test:${i}`, customerId: c.id, channel: 'log', body: `你好 ${i}` })),
    });
    const id = Buffer.from(`Customer:${gone!.id}`).toString('base64');
    const deleted = await ws.gql(`mutation ($id: ID!) { deleteCustomer(id: $id) { __typename } }`, { id });
    expect(deleted.data.deleteCustomer.__typename).toBe('Deleted');
    const left = await app.db.prisma.delivery.findMany({ where: { workspaceId: ws.id } });
    expect(left.map((d) => [d.customerId, d.body])).toEqual([[kept!.id, '你好 2']]);
  });

  it('an update that takes another customer\'s phone is a conflict naming the field', async () => {
    const ws = await app.workspace();
    await ws.gql(UPSERT, { input: { phone: '13500000001' } });
    const b = await ws.gql(UPSERT, { input: { phone: '13500000002' } });
    const result = await ws.gql(
      `mutation ($id: ID!, $input: CustomerPatch!) { updateCustomer(id: $id, input: $input) { __typename ... on ConflictError { field message } } }`,
      { id: b.data.upsertCustomer.customer.id, input: { phone: '13500000001' } },
    );
    expect(result.data.updateCustomer).toMatchObject({ __typename: 'ConflictError', field: 'input.phone' });
  });
});
