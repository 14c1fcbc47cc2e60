// The example plugin as a partner runs it: its own process (src/main.ts), called with signed batches.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createSigningSecret, signedHeaders, type InstallCallback, type RemoteBatchRequest } from '@courtyard/plugin-sdk';
import { startServer, type RunningServer } from '@courtyard/api';
import { createTestApp, type TestApp, type TestWorkspace } from '@courtyard/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const callbackSecret = createSigningSecret();
let child: ChildProcess;
let baseUrl: string;

/** Starts main.ts on a free port and waits for the address it prints. */
async function startPlugin(): Promise<{ child: ChildProcess; url: string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url))], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', COURTYARD_CALLBACK_SECRET: callbackSecret, COURTYARD_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the plugin did not start in 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    proc.stdout!.on('data', read);
    proc.stderr!.on('data', read);
    proc.on('exit', (code) => reject(new Error(`the plugin exited with ${code}:\n${output}`)));
  });
  return { child: proc, url };
}

async function signedPost(path: string, body: unknown, secret: string, id = 'msg') {
  const text = JSON.stringify(body);
  const res = await fetch(`${baseUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...signedHeaders(secret, id, text) }, body: text });
  return { status: res.status, body: (await res.json()) as any };
}

/** Installs the plugin for a workspace through the signed callback; returns the installation's secret. */
async function install(installationId: string, workspaceId: string, graphqlUrl = 'https://api.courtyard.example/graphql'): Promise<string> {
  const signingSecret = createSigningSecret();
  const event: InstallCallback = {
    type: 'installation.created',
    installationId,
    workspace: { id: workspaceId, name: '小林咖啡' },
    plugin: { id: 'example-coupons', version: '1.0.0' },
    scopes: ['tags:write'],
    occurredAt: new Date().toISOString(),
    credentials: { signingSecret, token: 'unused', graphqlUrl },
  };
  const res = await signedPost('/installations', event, callbackSecret);
  expect(res.status).toBe(200);
  return signingSecret;
}

function couponBatch(installationId: string, workspaceId: string, customerIds: string[], config: Record<string, unknown>, key: string, callback?: RemoteBatchRequest['callback']): RemoteBatchRequest {
  return {
    idempotencyKey: key,
    installationId,
    workspace: { id: workspaceId, timeZone: 'Asia/Shanghai' },
    journey: { id: 'j-1', versionId: 'jv-1', version: 1, nodeId: 'coupon' },
    node: { id: 'example-coupons.issue-coupon', version: '1.0.0' },
    config: config as RemoteBatchRequest['config'],
    scopes: ['tags:write'],
    now: new Date().toISOString(),
    items: customerIds.map((id) => ({
      enrollmentId: `enr-${id}`,
      idempotencyKey: `enr-${id}:coupon:1`,
      visit: 1,
      attempt: 1,
      enteredAt: new Date().toISOString(),
      trigger: { kind: 'event', event: { id: `ev-${id}`, type: 'order.paid', properties: {}, occurredAt: new Date().toISOString() } },
      customer: { id },
    })),
    ...(callback ? { callback } : {}),
  };
}

const issue = (secret: string, batch: RemoteBatchRequest) => signedPost('/nodes/example-coupons.issue-coupon', batch, secret, batch.idempotencyKey);

beforeAll(async () => {
  ({ child, url: baseUrl } = await startPlugin());
});
afterAll(() => {
  child?.kill('SIGTERM');
});

describe('example coupon plugin, run as its own process', () => {
  it('serves its manifest with both languages and the two ports', async () => {
    const manifest = (await (await fetch(`${baseUrl}/manifest`)).json()) as any;
    expect(manifest).toMatchObject({ id: 'example-coupons', endpoints: { baseUrl }, scopes: ['tags:write'] });
    expect(manifest.nodes[0].ports).toEqual([
      { id: 'issued', title: { 'zh-CN': '已发券', en: 'Coupon issued' } },
      { id: 'out_of_stock', title: { 'zh-CN': '库存不足', en: 'Out of stock' } },
    ]);
    expect(manifest.nodes[0].configSchema.properties.stock.description).toBe('本批次可发放的总张数（每个品牌各自计数）');
  });

  it('issues coupons while the stock lasts, then answers out_of_stock; a retried batch issues nothing new', async () => {
    const secret = await install('inst-a', 'ws-a');
    const config = { batchCode: 'SUMMER-20', valueCents: 2000, stock: 2 };
    const first = await issue(secret, couponBatch('inst-a', 'ws-a', ['c1', 'c2', 'c3'], config, 'batch-1'));
    expect(first.status).toBe(200);
    expect(first.body.results.map((r: any) => [r.customerId, r.port])).toEqual([
      ['c1', 'issued'],
      ['c2', 'issued'],
      ['c3', 'out_of_stock'],
    ]);
    expect(first.body.results[0].outputs).toEqual({ couponCode: expect.stringMatching(/^SUMMER-20-[0-9A-F]{10}$/), batchCode: 'SUMMER-20', valueCents: 2000 });
    expect(first.body.results[0].outputs.couponCode).not.toBe(first.body.results[1].outputs.couponCode);

    // The runtime retries the same batch (its answer was lost): the same coupons, nothing new issued.
    const retried = await issue(secret, couponBatch('inst-a', 'ws-a', ['c1', 'c2', 'c3'], config, 'batch-1'));
    expect(retried.body.results).toEqual(first.body.results);

    // A later customer finds the stock used up, even though the retry came in between.
    const later = await issue(secret, couponBatch('inst-a', 'ws-a', ['c4'], { ...config, stock: 3 }, 'batch-2'));
    expect(later.body.results).toEqual([{ customerId: 'c4', port: 'issued', outputs: expect.objectContaining({ batchCode: 'SUMMER-20' }) }]);
    const none = await issue(secret, couponBatch('inst-a', 'ws-a', ['c5'], { ...config, stock: 3 }, 'batch-3'));
    expect(none.body.results).toEqual([{ customerId: 'c5', port: 'out_of_stock' }]);
  });

  it('counts stock per brand: another workspace has its own', async () => {
    const secret = await install('inst-b', 'ws-b');
    const res = await issue(secret, couponBatch('inst-b', 'ws-b', ['c1'], { batchCode: 'SUMMER-20', valueCents: 2000, stock: 1 }, 'batch-1'));
    expect(res.body.results[0].port).toBe('issued');
  });

  it('refuses a batch signed with another installation\'s secret, an unknown installation, and a bad config', async () => {
    const secretA = await install('inst-c', 'ws-c');
    const config = { batchCode: 'AUTUMN', valueCents: 500, stock: 10 };
    const wrong = await issue(createSigningSecret(), couponBatch('inst-c', 'ws-c', ['c1'], config, 'k'));
    expect(wrong).toMatchObject({ status: 401, body: { error: { code: 'bad-signature' } } });
    const unknown = await issue(secretA, couponBatch('inst-unknown', 'ws-c', ['c1'], config, 'k'));
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: 'unknown-installation' } } });
    const bad = await issue(secretA, couponBatch('inst-c', 'ws-c', ['c1'], { batchCode: 'autumn sale', valueCents: 0, stock: 10 }, 'k'));
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues.map((i: any) => i.path)).toEqual(['config.batchCode', 'config.valueCents']);
  });

  it('after uninstall the installation\'s batches are refused', async () => {
    const secret = await install('inst-d', 'ws-d');
    const res = await signedPost(
      '/installations',
      { type: 'installation.deleted', installationId: 'inst-d', workspace: { id: 'ws-d', name: 'x' }, plugin: { id: 'example-coupons', version: '1.0.0' }, scopes: ['tags:write'], occurredAt: new Date().toISOString() },
      callbackSecret,
    );
    expect(res.status).toBe(200);
    const after = await issue(secret, couponBatch('inst-d', 'ws-d', ['c1'], { batchCode: 'X1', valueCents: 1, stock: 1 }, 'k'));
    expect(after).toMatchObject({ status: 401, body: { error: { code: 'unknown-installation' } } });
  });
});

describe('example coupon plugin calling back into Courtyard\'s GraphQL', () => {
  let app: TestApp;
  let api: RunningServer;
  let ws: TestWorkspace;
  let tagId: string;
  let customerIds: string[];
  beforeAll(async () => {
    app = await createTestApp();
    api = await startServer(app, { port: 0, host: '127.0.0.1' });
    ws = await app.workspace();
    const group = await ws.gql(`mutation { createTagGroup(input: { name: "优惠券", kind: behaviour }) { ... on TagGroup { id } } }`);
    const tag = await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "领过 618 券" }) { ... on Tag { id } } }`, { g: group.data.createTagGroup.id });
    tagId = tag.data.createTag.id;
    const upsert = await ws.gql(`mutation { upsertCustomers(customers: [{ name: "王芳", phone: "13800000001" }, { name: "李雷", phone: "13800000002" }, { name: "韩梅梅", phone: "13800000003" }]) { ... on UpsertCustomersPayload { results { customer { id } } } } }`);
    customerIds = upsert.data.upsertCustomers.results.map((r: any) => r.customer.id);
  });
  afterAll(async () => {
    await api?.close();
    await app?.close();
  });

  const tagsOf = async (ids: string[]) => {
    const res = await ws.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { tags { id } tagAssignments { source } } } }`, { ids });
    return res.data.nodes.map((n: any) => ({ tags: n.tags.map((t: any) => t.id), sources: n.tagAssignments.map((a: any) => a.source) }));
  };

  it('tags the customers who got a coupon, with the token the batch carries', async () => {
    const secret = await install('inst-api', ws.id, api.url);
    const token = await ws.keyWith(['tags:write']);
    const config = { batchCode: 'SALE-618', valueCents: 1000, stock: 2, tagIds: [tagId] };
    const res = await issue(secret, couponBatch('inst-api', ws.id, customerIds, config, 'api-batch', { url: api.url, token }));
    expect(res.status).toBe(200);
    expect(res.body.results.map((r: any) => r.port)).toEqual(['issued', 'issued', 'out_of_stock']);
    expect(await tagsOf(customerIds)).toEqual([
      { tags: [tagId], sources: ['plugin'] },
      { tags: [tagId], sources: ['plugin'] },
      { tags: [], sources: [] },
    ]);
  });

  it('a token without tags:write is refused, and the batch fails so Courtyard retries it', async () => {
    const secret = await install('inst-api-2', ws.id, api.url);
    const token = await ws.keyWith(['customers:read']);
    const config = { batchCode: 'SALE-619', valueCents: 1000, stock: 5, tagIds: [tagId] };
    const res = await issue(secret, couponBatch('inst-api-2', ws.id, customerIds.slice(2), config, 'api-batch-2', { url: api.url, token }));
    expect(res.status).toBe(500);
    expect(res.body.error).toMatchObject({ code: 'node-failed', message: expect.stringContaining("Courtyard's GraphQL refused the call") });
    expect((await tagsOf(customerIds.slice(2)))[0].tags).toEqual([]);
  });
});
