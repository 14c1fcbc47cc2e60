// Installed partner nodes in journeys: valid in the installing workspace only, config checked
// against the manifest's JSON Schema and ports as declared; uninstalling makes them unknown again.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createManifest, createPluginServer, defineAction, fireTrigger, secretString, step, z } from '@courtyard/plugin-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';
import { CREATE, dbId, edge, ENROLL, node, PUBLISH, published, setup, STATS, tagsOf, UPDATE } from './journey-fixtures.ts';

let app: TestApp;
let operator: string;
beforeAll(async () => {
  app = await createTestApp();
  const signUp = await app.request(`mutation ($input: SignUpInput!) { signUp(input: $input) { ... on SessionPayload { token member { email } } } }`, {
    input: { workspaceName: '平台运营', name: '运营', email: `ops-${uid()}@example.com`, password: 'correct horse battery' },
  });
  operator = signUp.data.signUp.token;
  await app.db.prisma.member.update({ where: { email: signUp.data.signUp.member.email }, data: { platformAdmin: true } });
});
afterAll(async () => {
  await app?.close();
});

function uid() {
  return randomBytes(4).toString('hex');
}

function manifest(id: string, version: string) {
  return {
    id,
    version,
    name: { 'zh-CN': '优惠券发放', en: 'Coupon issuer' },
    description: { 'zh-CN': '给客户发放优惠券', en: 'Issues coupons to customers' },
    publisher: { name: 'Acme', email: 'dev@acme.example' },
    icon: 'ticket',
    scopes: ['customers:read', 'tags:write'],
    endpoints: { baseUrl: 'https://plugins.acme.example/coupons' },
    nodes: [
      {
        id: `${id}.issue-coupon`,
        version,
        kind: 'action',
        title: { 'zh-CN': '发放优惠券', en: 'Issue a coupon' },
        description: { 'zh-CN': '发一张券', en: 'Issues one coupon' },
        icon: 'ticket',
        configSchema: {
          type: 'object',
          properties: { batchId: { type: 'string', minLength: 1 }, amountYuan: { type: 'integer', minimum: 1, maximum: 500 } },
          required: ['batchId'],
        },
        ports: [
          { id: 'issued', title: { 'zh-CN': '已发放', en: 'Issued' } },
          { id: 'out_of_stock', title: { 'zh-CN': '已领完', en: 'Out of stock' } },
        ],
        scopes: ['customers:read', 'tags:write'],
      },
    ],
  };
}

/** A partner publishes `acme-…` 1.0.0 and an operator approves it. */
async function listedPlugin(): Promise<string> {
  const signUp = await app.request(`mutation ($input: SignUpPartnerInput!) { signUpPartner(input: $input) { ... on PartnerCredential { key } } }`, {
    input: { partnerName: `Acme ${uid()}`, name: '阿克米', email: `dev-${uid()}@acme.example`, password: 'partner password 1' },
  });
  const key = signUp.data.signUpPartner.key;
  const id = `acme-${uid()}`;
  const published = await app.request(`mutation ($m: JSON!) { publishPluginVersion(manifest: $m) { __typename ... on PluginVersion { id } } }`, { m: manifest(id, '1.0.0') }, key);
  expect(published.data.publishPluginVersion.__typename).toBe('PluginVersion');
  const reviewed = await app.request(`mutation ($id: ID!) { reviewPluginVersion(id: $id, decision: approve) { __typename } }`, { id: published.data.publishPluginVersion.id }, operator);
  expect(reviewed.data.reviewPluginVersion.__typename).toBe('PluginVersion');
  return id;
}

async function install(ws: TestWorkspace, pluginId: string): Promise<string> {
  const r = await ws.gql(`mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { __typename ... on InstalledPlugin { installation { id } } } }`, {
    input: { pluginId, grantedScopes: ['CUSTOMERS_READ', 'TAGS_WRITE'] },
  });
  expect(r.data.installPlugin.__typename).toBe('InstalledPlugin');
  return r.data.installPlugin.installation.id;
}

const VALIDATE = `query ($d: JSONObject!) { validateJourney(definition: $d) { code severity nodeId field } }`;
const DRAFT_ISSUES = `query ($id: ID!) { journey(id: $id) { validation { code nodeId field } } }`;

/** An API-triggered journey: start → the partner's coupon node → a tag on `issued`. */
function couponJourney(pluginId: string, config: Record<string, unknown>, port = 'issued') {
  return {
    nodes: [node('start', 'api'), { id: 'coupon', type: `${pluginId}.issue-coupon`, version: '1.0.0', config }, node('wait', 'wait', { duration: { amount: 1, unit: 'days' } })],
    edges: [edge('start', 'next', 'coupon'), edge('coupon', port, 'wait')],
  };
}

const errors = (issues: { code: string; severity: string; nodeId: string | null; field: string | null }[]) =>
  issues.filter((i) => i.severity === 'error').map(({ code, nodeId, field }) => ({ code, nodeId, field }));

async function createJourney(ws: TestWorkspace, name: string, definition: unknown): Promise<string> {
  const created = await ws.gql(CREATE, { input: { name } });
  const id = created.data.createJourney.id;
  const updated = await ws.gql(UPDATE, { id, input: { definition } });
  expect(updated.data.updateJourney.__typename).toBe('Journey');
  return id;
}

describe('installed partner nodes in journeys', () => {
  it('are valid in the installing workspace, with the config checked against the manifest JSON Schema and the ports it declares', async () => {
    const pluginId = await listedPlugin();
    const brand = await app.workspace('花漾');
    const other = await app.workspace('别家');

    // Before installing, the node type is unknown, named by node.
    const before = await brand.gql(VALIDATE, { d: couponJourney(pluginId, { batchId: 'B1' }) });
    expect(errors(before.data.validateJourney)).toEqual([{ code: 'UNKNOWN_NODE_TYPE', nodeId: 'coupon', field: 'nodes.1.type' }]);

    await install(brand, pluginId);
    const ok = await brand.gql(VALIDATE, { d: couponJourney(pluginId, { batchId: 'B1', amountYuan: 20 }) });
    expect(errors(ok.data.validateJourney)).toEqual([]);

    // The simulator walks through the partner's node without calling it, on its first port.
    const { customers } = await setup(brand);
    const sim = await brand.gql(`query ($d: JSONObject!, $c: ID!) { simulateJourney(definition: $d, customerId: $c) { ... on JourneySimulation { outcome steps { nodeId port note } } } }`, {
      d: couponJourney(pluginId, { batchId: 'B1', amountYuan: 20 }),
      c: Object.values(customers)[0],
    });
    expect(sim.data.simulateJourney.steps[1]).toEqual({ nodeId: 'coupon', port: 'issued', note: expect.stringContaining('not called in a simulation') });

    // Config against the JSON Schema: the field at fault is named.
    const missing = await brand.gql(VALIDATE, { d: couponJourney(pluginId, {}) });
    expect(errors(missing.data.validateJourney)).toEqual([{ code: 'INVALID_CONFIG', nodeId: 'coupon', field: 'batchId' }]);
    const tooMuch = await brand.gql(VALIDATE, { d: couponJourney(pluginId, { batchId: 'B1', amountYuan: 5000 }) });
    expect(errors(tooMuch.data.validateJourney)).toEqual([{ code: 'INVALID_CONFIG', nodeId: 'coupon', field: 'amountYuan' }]);
    const wrongType = await brand.gql(VALIDATE, { d: couponJourney(pluginId, { batchId: 7 }) });
    expect(errors(wrongType.data.validateJourney)).toEqual([{ code: 'INVALID_CONFIG', nodeId: 'coupon', field: 'batchId' }]);

    // Ports as declared: `next` is not one of them; the out-of-stock port unconnected is only a warning.
    const badPort = await brand.gql(VALIDATE, { d: couponJourney(pluginId, { batchId: 'B1' }, 'next') });
    expect(errors(badPort.data.validateJourney)).toContainEqual({ code: 'UNKNOWN_PORT', nodeId: 'coupon', field: 'edges.1.port' });
    expect(ok.data.validateJourney).toContainEqual({ code: 'UNCONNECTED_PORT', severity: 'warning', nodeId: 'coupon', field: null });

    // Another workspace has not installed it: unknown there, and its journey cannot be published.
    const elsewhere = await other.gql(VALIDATE, { d: couponJourney(pluginId, { batchId: 'B1' }) });
    expect(errors(elsewhere.data.validateJourney)).toEqual([{ code: 'UNKNOWN_NODE_TYPE', nodeId: 'coupon', field: 'nodes.1.type' }]);
    const otherJourney = await createJourney(other, '别家送券', couponJourney(pluginId, { batchId: 'B1' }));
    expect((await other.gql(PUBLISH, { id: otherJourney })).data.publishJourney).toMatchObject({
      __typename: 'JourneyValidationError',
      issues: [{ code: 'UNKNOWN_NODE_TYPE', nodeId: 'coupon', field: 'nodes.1.type' }],
    });

    // The installing workspace publishes it; a bad config is refused naming node and field.
    const journey = await createJourney(brand, '首单送券', couponJourney(pluginId, {}));
    expect((await brand.gql(DRAFT_ISSUES, { id: journey })).data.journey.validation).toContainEqual({ code: 'INVALID_CONFIG', nodeId: 'coupon', field: 'batchId' });
    expect((await brand.gql(PUBLISH, { id: journey })).data.publishJourney).toMatchObject({
      __typename: 'JourneyValidationError',
      issues: [{ code: 'INVALID_CONFIG', nodeId: 'coupon', field: 'batchId' }],
    });
    await brand.gql(UPDATE, { id: journey, input: { definition: couponJourney(pluginId, { batchId: 'B1' }) } });
    expect((await brand.gql(PUBLISH, { id: journey })).data.publishJourney).toMatchObject({ __typename: 'PublishJourneyPayload', version: { number: 1 } });
  });

  it('after uninstalling, the journeys using the node are reported, their drafts name the node and they cannot be published', async () => {
    const pluginId = await listedPlugin();
    const brand = await app.workspace('花漾');
    const installationId = await install(brand, pluginId);
    const journey = await createJourney(brand, '会员送券', couponJourney(pluginId, { batchId: 'B2' }));
    expect((await brand.gql(PUBLISH, { id: journey })).data.publishJourney.__typename).toBe('PublishJourneyPayload');

    // Before uninstalling, the installation says which journeys would lose the plugin's nodes.
    const usedBy = await brand.gql(`query ($id: ID!) { node(id: $id) { ... on Installation { usedBy { name inDraft publishedVersions journey { id } } } } }`, { id: installationId });
    expect(usedBy.data.node.usedBy).toEqual([{ name: '会员送券', inDraft: true, publishedVersions: [1], journey: { id: journey } }]);
    const uninstalled = await brand.gql(`mutation ($id: ID!) { uninstallPlugin(id: $id) { __typename ... on UninstalledPlugin { journeys { name inDraft publishedVersions } } } }`, { id: installationId });
    expect(uninstalled.data.uninstallPlugin).toEqual({ __typename: 'UninstalledPlugin', journeys: [{ name: '会员送券', inDraft: true, publishedVersions: [1] }] });

    expect((await brand.gql(DRAFT_ISSUES, { id: journey })).data.journey.validation).toContainEqual({ code: 'UNKNOWN_NODE_TYPE', nodeId: 'coupon', field: 'nodes.1.type' });
    const republish = await brand.gql(PUBLISH, { id: journey });
    expect(republish.data.publishJourney).toMatchObject({ __typename: 'JourneyValidationError', issues: [{ code: 'UNKNOWN_NODE_TYPE', nodeId: 'coupon' }] });
    expect(republish.data.publishJourney.issues[0].message).toContain(`${pluginId}.issue-coupon@1.0.0`);
  });
});

describe('partner triggers', () => {
  it('start journeys on the events the partner records with its token, matched against the trigger\'s config; a plugin with a trigger must ask for events:write', async () => {
    const key = (await app.request(`mutation ($input: SignUpPartnerInput!) { signUpPartner(input: $input) { ... on PartnerCredential { key } } }`, {
      input: { partnerName: `Acme ${uid()}`, name: '阿克米', email: `dev-${uid()}@acme.example`, password: 'partner password 1' },
    })).data.signUpPartner.key;
    const id = `acme-${uid()}`;
    const redeemed = {
      id: `${id}.coupon-redeemed`,
      version: '1.0.0',
      kind: 'trigger',
      title: { 'zh-CN': '核销优惠券时', en: 'When a coupon is redeemed' },
      description: { 'zh-CN': '客户在门店核销券', en: 'A customer redeems a coupon in store' },
      icon: 'ticket',
      configSchema: { type: 'object', properties: { batchCode: { type: 'string', minLength: 1 } }, required: ['batchCode'] },
      ports: [{ id: 'next', title: { 'zh-CN': '下一步', en: 'Next' } }],
      scopes: ['events:write'],
    };
    const base = { ...manifest(id, '1.0.0'), scopes: ['customers:read'], nodes: [redeemed] };
    const refused = await app.request(`mutation ($m: JSON!) { publishPluginVersion(manifest: $m) { __typename ... on ValidationError { fields { field message } } } }`, { m: base }, key);
    expect(refused.data.publishPluginVersion.fields).toContainEqual({ field: 'manifest.scopes', message: expect.stringContaining('ask for events:write') });
    const version = await app.request(`mutation ($m: JSON!) { publishPluginVersion(manifest: $m) { ... on PluginVersion { id } } }`, { m: { ...base, scopes: ['events:write'] } }, key);
    await app.request(`mutation ($id: ID!) { reviewPluginVersion(id: $id, decision: approve) { __typename } }`, { id: version.data.publishPluginVersion.id }, operator);

    const brand = await app.workspace('花漾');
    const installed = await brand.gql(`mutation ($p: ID!) { installPlugin(input: { pluginId: $p, grantedScopes: [EVENTS_WRITE] }) { ... on InstalledPlugin { token } } }`, { p: id });
    const token = installed.data.installPlugin.token as string;
    const types = (await brand.gql(`{ journeyNodeTypes { id kind } }`)).data.journeyNodeTypes;
    expect(types).toContainEqual({ id: `${id}.coupon-redeemed`, kind: 'trigger' });
    const { tags } = await setup(brand);
    const journey = await published(brand, '核销后关怀', {
      nodes: [{ id: 'redeemed', type: `${id}.coupon-redeemed`, version: '1.0.0', config: { batchCode: 'SUMMER' } }, node('care', 'add-tags', { tagIds: [dbId(tags['已关怀']!)] })],
      edges: [edge('redeemed', 'next', 'care')],
    });

    // The partner fires it with its installation token: only the SUMMER redemption matches; a repeat enrolls nobody twice.
    const viaApp: typeof fetch = (_url, init) => app.yoga.fetch('http://yoga/graphql', init as RequestInit) as Promise<Response>;
    const credentials = { graphqlUrl: 'http://yoga/graphql', token };
    const fired = await fireTrigger(credentials, `${id}.coupon-redeemed`, [
      { customer: { phone: '13900000001' }, idempotencyKey: 'r-1', properties: { batchCode: 'SUMMER', store: '静安店' } },
      { customer: { phone: '13900000002' }, idempotencyKey: 'r-2', properties: { batchCode: 'WINTER' } },
    ], { fetch: viaApp });
    expect(fired).toEqual({ stored: 2, duplicates: 0, rejected: [] });
    expect((await fireTrigger(credentials, `${id}.coupon-redeemed`, [{ customer: { phone: '13900000001' }, idempotencyKey: 'r-1', properties: { batchCode: 'SUMMER' } }], { fetch: viaApp })).duplicates).toBe(1);
    await app.runtime.drain();
    const enrolled = await app.db.prisma.enrollment.findMany({ where: { journeyId: dbId(journey) }, select: { status: true, trigger: true } });
    expect(enrolled).toEqual([{ status: 'completed', trigger: expect.objectContaining({ kind: 'event', event: expect.objectContaining({ type: `${id}.coupon-redeemed`, properties: { batchCode: 'SUMMER', store: '静安店' } }) }) }]);

    // Uninstalled: the token no longer fires anything.
    const installation = (await brand.gql(`{ installations(first: 1) { edges { node { id } } } }`)).data.installations.edges[0].node.id;
    await brand.gql(`mutation ($id: ID!) { uninstallPlugin(id: $id) { __typename } }`, { id: installation });
    await expect(fireTrigger(credentials, `${id}.coupon-redeemed`, [{ customer: { phone: '13900000001' }, idempotencyKey: 'r-3' }], { fetch: viaApp })).rejects.toThrow(/revoked/);
  });
});

// ---- The engine runs installed partner nodes through the remote caller ----

/** A partner's coupon plugin served with the SDK on a loopback port; `mode` makes it misbehave. */
async function partnerServer(pluginId: string, secretOf: (installationId: string) => Promise<string | undefined>) {
  // Batches that passed the SDK's signature check and ran.
  const batches: { customers: { id: string; phone?: unknown; name?: unknown }[]; config: unknown }[] = [];
  let issued = 0;
  const issueCoupon = defineAction({
    id: `${pluginId}.issue-coupon`,
    version: '1.0.0',
    title: { 'zh-CN': '发放优惠券', en: 'Issue a coupon' },
    description: { 'zh-CN': '发一张券', en: 'Issues one coupon' },
    icon: 'ticket',
    config: z.object({ batchCode: z.string().min(2), stock: z.number().int().min(0), apiToken: secretString(z.string().min(8)).optional() }),
    ports: [
      { id: 'issued', title: { 'zh-CN': '已发券', en: 'Coupon issued' } },
      { id: 'out_of_stock', title: { 'zh-CN': '库存不足', en: 'Out of stock' } },
    ],
    scopes: ['customers:read'],
    async run({ items, config }) {
      batches.push({ customers: items.map((i) => i.customer as { id: string }), config });
      return items.map(() => (issued < config.stock ? (issued++, step.next('issued', { couponCode: `${config.batchCode}-${issued}` })) : step.next('out_of_stock')));
    },
  });
  const handler = createPluginServer({ nodes: [issueCoupon] }, { secrets: secretOf, log: () => {} });
  // 'hold': batches wait until `release()` (a partner that is slow to answer).
  let release!: () => void;
  let held = new Promise<void>((resolve) => (release = resolve));
  const state = {
    mode: 'ok' as 'ok' | 'down' | 'wrong-port' | 'hold',
    requests: 0,
    batches,
    release: () => {
      release();
      held = new Promise<void>((resolve) => (release = resolve));
    },
  };
  const server = http.createServer(async (req, res) => {
    if (req.url?.includes('/nodes/')) state.requests++;
    if (state.mode === 'hold' && req.url?.includes('/nodes/')) {
      await held;
      return handler(req, res);
    }
    // Working: the SDK's handler verifies the signature and the timestamp, then runs the node.
    if (state.mode === 'ok' || !req.url?.includes('/nodes/')) return handler(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (state.mode === 'down') return void res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":{"code":"down","message":"maintenance"}}');
      const body = JSON.parse(Buffer.concat(chunks).toString());
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ idempotencyKey: body.idempotencyKey, results: body.items.map((i: any) => ({ customerId: i.customer.id, port: 'next' })) }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const manifest = createManifest({
    id: pluginId,
    version: '1.0.0',
    name: { 'zh-CN': '发券', en: 'Coupons' },
    description: { 'zh-CN': '发券', en: 'Coupons' },
    publisher: { name: 'Acme' },
    icon: 'ticket',
    endpoints: { baseUrl: `http://127.0.0.1:${port}` },
    nodes: [issueCoupon],
  });
  return { state, manifest, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

describe('the engine runs installed partner nodes', () => {
  let remoteApp: TestApp;
  let ops: string;
  beforeAll(async () => {
    remoteApp = await createTestApp({ runtime: { remote: { allowPrivateEndpoints: true, timeoutMs: 3000 } } });
    const signUp = await remoteApp.request(`mutation ($input: SignUpInput!) { signUp(input: $input) { ... on SessionPayload { token member { email } } } }`, {
      input: { workspaceName: '平台运营', name: '运营', email: `ops-${uid()}@example.com`, password: 'correct horse battery' },
    });
    ops = signUp.data.signUp.token;
    await remoteApp.db.prisma.member.update({ where: { email: signUp.data.signUp.member.email }, data: { platformAdmin: true } });
  });
  afterAll(async () => {
    await remoteApp?.close();
  });

  it('sends the customers at the node in one signed batch, moves each by the port answered, retries a partner that is down and fails a wrong answer; after uninstalling nothing is sent; every call is in the call log', async () => {
    const pluginId = `acme-${uid()}`;
    const partner = await partnerServer(pluginId, async (id) => (await remoteApp.db.prisma.installation.findUnique({ where: { id } }))?.signingSecret);
    try {
      const key = (await remoteApp.request(`mutation ($input: SignUpPartnerInput!) { signUpPartner(input: $input) { ... on PartnerCredential { key } } }`, {
        input: { partnerName: `Acme ${uid()}`, name: '阿克米', email: `dev-${uid()}@acme.example`, password: 'partner password 1' },
      })).data.signUpPartner.key;
      const version = (await remoteApp.request(`mutation ($m: JSON!) { publishPluginVersion(manifest: $m) { __typename ... on PluginVersion { id } } }`, { m: partner.manifest }, key)).data.publishPluginVersion;
      expect(version.__typename).toBe('PluginVersion');
      await remoteApp.request(`mutation ($id: ID!) { reviewPluginVersion(id: $id, decision: approve) { __typename } }`, { id: version.id }, ops);

      const brand = await remoteApp.workspace('花漾');
      const installed = await brand.gql(`mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { __typename ... on InstalledPlugin { installation { id } } } }`, {
        input: { pluginId, grantedScopes: ['CUSTOMERS_READ'] },
      });
      const installationId = installed.data.installPlugin.installation.id;
      const { customers, tags } = await setup(brand);
      const ids = Object.values(customers);
      const journey = await published(brand, '首单送券', {
        nodes: [
          node('start', 'api'),
          { id: 'coupon', type: `${pluginId}.issue-coupon`, version: '1.0.0', config: { batchCode: 'SUMMER', stock: 2, apiToken: 'acme-token-2026' } },
          node('care', 'add-tags', { tagIds: [dbId(tags['已关怀']!)] }),
        ],
        edges: [edge('start', 'next', 'coupon'), edge('coupon', 'issued', 'care')],
      });

      // Three customers reach the node together: one signed batch, customer fields as granted.
      expect((await brand.gql(ENROLL, { j: journey, c: ids, k: 'first' })).data.enrollCustomers).toMatchObject({ enrolled: 3 });
      await remoteApp.runtime.drain();
      expect(partner.state.batches).toHaveLength(1);
      expect(partner.state.requests).toBe(1);
      // The partner's secret field is stored sealed and read back only as set; its batch gets it opened.
      expect(partner.state.batches[0]).toMatchObject({ config: { batchCode: 'SUMMER', stock: 2, apiToken: 'acme-token-2026' } });
      const read = (await brand.gql(`query ($id: ID!) { journey(id: $id) { draft versions(first: 1) { edges { node { definition } } } } }`, { id: journey })).data.journey;
      expect(read.draft.nodes[1].config.apiToken).toBe('••••••');
      expect(read.versions.edges[0].node.definition.nodes[1].config.apiToken).toBe('••••••');
      expect(JSON.stringify(await remoteApp.db.prisma.journey.findUniqueOrThrow({ where: { id: dbId(journey) } }))).not.toContain('acme-token-2026');
      expect(partner.state.batches[0]!.customers.map((c) => c.id).sort()).toEqual(ids.map(dbId).sort());
      // Fields as granted: customers:read shows the profile; tags and orders were not granted.
      const sentCustomer = partner.state.batches[0]!.customers.find((c) => c.id === dbId(customers['13900000001']!)) as Record<string, unknown>;
      expect(sentCustomer).toMatchObject({ name: '林小姐', phone: '13900000001' });
      expect(sentCustomer.tagIds ?? []).toEqual([]); // she is tagged VIP, but tags:read was not granted
      const stats = (await brand.gql(STATS, { id: journey })).data.journey.stats;
      expect(stats.find((s: any) => s.nodeId === 'coupon').byPort.sort((a: any, b: any) => a.port.localeCompare(b.port))).toEqual([
        { port: 'issued', count: 2 },
        { port: 'out_of_stock', count: 1 },
      ]);
      const cared = await Promise.all(ids.map((id) => tagsOf(brand, id)));
      expect(cared.filter((t) => t.includes('已关怀'))).toHaveLength(2);
      const outputs = await remoteApp.db.prisma.stepRun.findMany({ where: { journeyId: dbId(journey), nodeId: 'coupon', port: 'issued' }, select: { output: true } });
      expect(outputs.map((o) => (o.output as { couponCode: string }).couponCode).sort()).toEqual(['SUMMER-1', 'SUMMER-2']);

      // Down: the step is retried with the engine's backoff, then goes through once the partner is back.
      const [fourth] = Object.values((await brand.gql(`mutation { upsertCustomers(customers: [{ phone: "13900000004", name: "赵" }]) { ... on UpsertCustomersPayload { results { customer { id } } } } }`)).data.upsertCustomers.results.map((r: any) => r.customer.id)) as string[];
      partner.state.mode = 'down';
      await brand.gql(ENROLL, { j: journey, c: [fourth], k: 'second' });
      await remoteApp.runtime.drain();
      const retrying = await remoteApp.db.prisma.enrollment.findFirstOrThrow({ where: { journeyId: dbId(journey), customerId: dbId(fourth!) } });
      expect(retrying).toMatchObject({ status: 'active', nodeId: 'coupon', attempt: 2 });
      expect(retrying.lastError).toContain('503');
      partner.state.mode = 'ok';
      await remoteApp.db.prisma.enrollment.update({ where: { id: retrying.id }, data: { readyAt: new Date() } });
      await remoteApp.runtime.drain();
      expect(await remoteApp.db.prisma.enrollment.findUniqueOrThrow({ where: { id: retrying.id } })).toMatchObject({ status: 'completed' });

      // A wrong answer (a port the node does not declare) is not retried: the customer fails there.
      const [fifth] = (await brand.gql(`mutation { upsertCustomers(customers: [{ phone: "13900000005", name: "钱" }]) { ... on UpsertCustomersPayload { results { customer { id } } } } }`)).data.upsertCustomers.results.map((r: any) => r.customer.id) as string[];
      partner.state.mode = 'wrong-port';
      await brand.gql(ENROLL, { j: journey, c: [fifth], k: 'third' });
      await remoteApp.runtime.drain();
      const failed = await remoteApp.db.prisma.enrollment.findFirstOrThrow({ where: { journeyId: dbId(journey), customerId: dbId(fifth!) } });
      expect(failed).toMatchObject({ status: 'failed', nodeId: 'coupon' });
      expect(failed.lastError).toContain('results.0.port');

      // Uninstalled: the next customers are not sent to the partner and fail at the node with the reason.
      partner.state.mode = 'ok';
      const sent = partner.state.requests;
      await brand.gql(`mutation ($id: ID!) { uninstallPlugin(id: $id) { __typename } }`, { id: installationId });
      const [sixth] = (await brand.gql(`mutation { upsertCustomers(customers: [{ phone: "13900000006", name: "孙" }]) { ... on UpsertCustomersPayload { results { customer { id } } } } }`)).data.upsertCustomers.results.map((r: any) => r.customer.id) as string[];
      await brand.gql(ENROLL, { j: journey, c: [sixth], k: 'fourth' });
      await remoteApp.runtime.drain();
      expect(partner.state.requests).toBe(sent);
      const stopped = await remoteApp.db.prisma.enrollment.findFirstOrThrow({ where: { journeyId: dbId(journey), customerId: dbId(sixth!) } });
      expect(stopped).toMatchObject({ status: 'failed', nodeId: 'coupon' });
      expect(stopped.lastError).toContain('uninstalled');

      // The call log, newest first, paged; another workspace cannot read it; pruned after 7 days.
      const CALLS = `query ($id: ID!, $after: String) { node(id: $id) { ... on Installation { calls(first: 2, after: $after) {
        pageInfo { hasNextPage endCursor } edges { node { kind nodeId eventType pluginVersion batchSize ok httpStatus attempts errorCode error latencyMs startedAt } } } } } }`;
      const pages = [];
      for (let after: string | undefined; ; ) {
        const page = (await brand.gql(CALLS, { id: installationId, after })).data.node.calls;
        pages.push(page);
        if (!page.pageInfo.hasNextPage) break;
        after = page.pageInfo.endCursor;
      }
      // Installation callbacks are calls too. This partner server refuses them (it does not know the
      // plugin's callback secret), so the install callback waits for its retry and the uninstall one
      // waits behind it: a partner never hears of an uninstall before the install.
      const all = pages.flatMap((p) => p.edges).map((e: any) => e.node);
      expect(all.filter((c: any) => c.kind === 'install-callback').map((c: any) => [c.eventType, c.ok, c.httpStatus])).toEqual([['installation.created', false, 401]]);
      const outbox = (await brand.gql(`query ($id: ID!) { node(id: $id) { ... on Installation { callbacks { type status attempts lastError nextAttemptAt } } } }`, { id: installationId })).data.node.callbacks;
      expect(outbox.map((c: any) => [c.type, c.status, c.attempts])).toEqual([
        ['installation.deleted', 'pending', 0],
        ['installation.created', 'pending', 1],
      ]);
      expect(outbox[1].lastError).toContain('401');
      expect(Date.parse(outbox[1].nextAttemptAt)).toBeGreaterThan(Date.now() + 20_000);
      const calls = all.filter((c: any) => c.kind === 'batch');
      expect(calls.map((c: any) => [c.ok, c.batchSize, c.httpStatus, c.errorCode])).toEqual([
        [false, 1, 200, 'invalid-answer'],
        [true, 1, 200, null],
        [false, 1, 503, 'partner-unavailable'],
        [true, 3, 200, null],
      ]);
      expect(calls[0]).toMatchObject({ kind: 'batch', nodeId: `${pluginId}.issue-coupon`, pluginVersion: '1.0.0', attempts: 1 });
      expect(calls[0].error).toContain('results.0.port');
      expect(calls.every((c: any) => c.latencyMs >= 0 && Date.parse(c.startedAt) <= Date.now())).toBe(true);
      const other = await remoteApp.workspace('别家');
      expect((await other.gql(CALLS, { id: installationId })).data.node).toBeNull();
      expect(await remoteApp.runtime.callLog.prune(new Date(Date.now() + 6 * 24 * 3600 * 1000))).toBe(0);
      expect(await remoteApp.runtime.callLog.prune(new Date(Date.now() + 8 * 24 * 3600 * 1000))).toBeGreaterThanOrEqual(4);
      // (Read past the query cache, which may serve a read of the last 5 s while nothing wrote.)
      const fresh = await remoteApp.request<any>(CALLS, { id: installationId }, brand.key, { headers: { 'cache-control': 'no-cache' } });
      expect(fresh.data!.node.calls.edges).toEqual([]);
    } finally {
      await partner.close();
    }
  });

  it('a partner slow to answer holds up neither the pass nor another workspace\'s journey: its customers keep their lease and move once it answers', async () => {
    const pluginId = `acme-${uid()}`;
    const partner = await partnerServer(pluginId, async (id) => (await remoteApp.db.prisma.installation.findUnique({ where: { id } }))?.signingSecret);
    try {
      const key = (await remoteApp.request(`mutation ($input: SignUpPartnerInput!) { signUpPartner(input: $input) { ... on PartnerCredential { key } } }`, {
        input: { partnerName: `Acme ${uid()}`, name: '阿克米', email: `dev-${uid()}@acme.example`, password: 'partner password 1' },
      })).data.signUpPartner.key;
      const version = (await remoteApp.request(`mutation ($m: JSON!) { publishPluginVersion(manifest: $m) { ... on PluginVersion { id } } }`, { m: partner.manifest }, key)).data.publishPluginVersion;
      await remoteApp.request(`mutation ($id: ID!) { reviewPluginVersion(id: $id, decision: approve) { __typename } }`, { id: version.id }, ops);

      const slow = await remoteApp.workspace('慢伙伴的品牌');
      await slow.gql(`mutation ($input: InstallPluginInput!) { installPlugin(input: $input) { __typename } }`, { input: { pluginId, grantedScopes: ['CUSTOMERS_READ'] } });
      const a = await setup(slow);
      const couponJourneyId = await published(slow, '送券', {
        nodes: [node('start', 'api'), { id: 'coupon', type: `${pluginId}.issue-coupon`, version: '1.0.0', config: { batchCode: 'SLOW', stock: 10 } }],
        edges: [edge('start', 'next', 'coupon')],
      });
      const other = await remoteApp.workspace('别的品牌');
      const b = await setup(other);
      const careJourneyId = await published(other, '关怀', { nodes: [node('start', 'api'), node('care', 'add-tags', { tagIds: [dbId(b.tags['已关怀']!)] })], edges: [edge('start', 'next', 'care')] });

      partner.state.mode = 'hold';
      await slow.gql(ENROLL, { j: couponJourneyId, c: Object.values(a.customers), k: 'slow' });
      await other.gql(ENROLL, { j: careJourneyId, c: Object.values(b.customers), k: 'care' });
      // One pass claims both journeys' customers; it ends while the partner still holds its batch.
      expect(await remoteApp.runtime.step()).toBe(6);
      expect(partner.state.requests).toBe(1);
      const cared = await remoteApp.db.prisma.enrollment.findMany({ where: { journeyId: dbId(careJourneyId) }, select: { status: true } });
      expect(cared.map((e) => e.status)).toEqual(['completed', 'completed', 'completed']);
      const waiting = await remoteApp.db.prisma.enrollment.findMany({ where: { journeyId: dbId(couponJourneyId) }, select: { status: true, nodeId: true, leaseUntil: true } });
      expect(waiting.map((e) => [e.status, e.nodeId])).toEqual([['active', 'coupon'], ['active', 'coupon'], ['active', 'coupon']]);
      expect(waiting.every((e) => e.leaseUntil && e.leaseUntil.getTime() > Date.now())).toBe(true);
      // Their lease keeps other passes off them: the partner is not called twice.
      expect(await remoteApp.runtime.step()).toBe(0);
      expect(partner.state.requests).toBe(1);

      partner.state.release();
      await remoteApp.runtime.drain();
      const done = await remoteApp.db.prisma.enrollment.findMany({ where: { journeyId: dbId(couponJourneyId) }, select: { status: true, leaseUntil: true } });
      expect(done.map((e) => [e.status, e.leaseUntil])).toEqual([['completed', null], ['completed', null], ['completed', null]]);
      const stats = (await slow.gql(STATS, { id: couponJourneyId })).data.journey.stats;
      expect(stats.find((s: any) => s.nodeId === 'coupon').byPort).toEqual([{ port: 'issued', count: 3 }]);
      expect(partner.state.requests).toBe(1);
    } finally {
      partner.state.release();
      await partner.close();
    }
  });
});
