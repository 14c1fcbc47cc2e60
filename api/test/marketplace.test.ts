import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
let operator: string;
beforeAll(async () => {
  app = await createTestApp();
  const signUp = await app.request(`mutation ($input: SignUpInput!) { signUp(input: $input) { ... on SessionPayload { token member { email } } } }`, {
    input: { workspaceName: '平台运营', name: '运营', email: `ops-${randomBytes(4).toString('hex')}@example.com`, password: 'correct horse battery' },
  });
  operator = signUp.data.signUp.token;
  await app.db.prisma.member.update({ where: { email: signUp.data.signUp.member.email }, data: { platformAdmin: true } });
});
afterAll(async () => {
  await app?.close();
});

const uid = () => randomBytes(4).toString('hex');

async function partner(): Promise<string> {
  const r = await app.request(`mutation ($input: SignUpPartnerInput!) { signUpPartner(input: $input) { __typename ... on PartnerCredential { key partner { name } } } }`, {
    input: { partnerName: `Acme ${uid()}`, name: '阿克米', email: `dev-${uid()}@acme.example`, password: 'partner password 1' },
  });
  expect(r.data.signUpPartner.__typename).toBe('PartnerCredential');
  return r.data.signUpPartner.key;
}

function manifest(id: string, version: string, scopes: string[], extra: Record<string, unknown> = {}) {
  return {
    id,
    version,
    name: { 'zh-CN': '优惠券发放', en: 'Coupon issuer' },
    description: { 'zh-CN': '给客户发放优惠券', en: 'Issues coupons to customers' },
    publisher: { name: 'Acme', email: 'dev@acme.example' },
    icon: 'ticket',
    categories: ['coupons'],
    scopes,
    endpoints: { baseUrl: 'https://plugins.acme.example/coupons' },
    nodes: [
      {
        id: `${id}.issue-coupon`,
        version,
        kind: 'action',
        title: { 'zh-CN': '发放优惠券', en: 'Issue a coupon' },
        description: { 'zh-CN': '发一张券', en: 'Issues one coupon' },
        icon: 'ticket',
        configSchema: { type: 'object', properties: { batchId: { type: 'string' } }, required: ['batchId'] },
        ports: [
          { id: 'issued', title: { 'zh-CN': '已发放', en: 'Issued' } },
          { id: 'out_of_stock', title: { 'zh-CN': '已领完', en: 'Out of stock' } },
        ],
        scopes,
      },
    ],
    ...extra,
  };
}

const PUBLISH = `mutation ($manifest: JSON!, $changelog: String) { publishPluginVersion(manifest: $manifest, changelog: $changelog) {
  __typename
  ... on PluginVersion { id version status scopesGrew addedScopes { name } changelog plugin { pluginId } }
  ... on ValidationError { fields { field message code } }
  ... on ConflictError { field message }
} }`;
const REVIEW = `mutation ($id: ID!, $decision: PluginReviewDecision!, $reason: String) { reviewPluginVersion(id: $id, decision: $decision, reason: $reason) {
  __typename ... on PluginVersion { status rejectionReason } ... on ValidationError { fields { field } } ... on ReviewStateError { status }
} }`;
const QUEUE = `{ pluginReviewQueue(first: 100) { edges { node { id version plugin { pluginId } } } } }`;
const MARKETPLACE = `query ($search: String, $category: String, $language: Locale) { marketplace(search: $search, category: $category, language: $language) {
  totalCount edges { node { id pluginId name { zhCN en } installCount listedVersion { version } requestedScopes { name description { zhCN en } apiScopes } } }
} }`;
const INSTALL = `mutation ($input: InstallPluginInput!) { installPlugin(input: $input) {
  __typename ... on InstalledPlugin { token installation { id status version { version } grantedScopes { name } } }
  ... on ValidationError { fields { field message code } } ... on NotFoundError { field } ... on ConflictError { field }
} }`;
const NODE_TYPES = `{ journeyNodeTypes { id version kind ports { id } } }`;
const UNINSTALL = `mutation ($id: ID!) { uninstallPlugin(id: $id) { __typename ... on UninstalledPlugin { installation { status uninstalledAt } journeys { name inDraft publishedVersions } } } }`;

async function publish(key: string, m: unknown, changelog?: string) {
  return (await app.request(PUBLISH, { manifest: m, changelog }, key)).data.publishPluginVersion;
}

async function approve(versionId: string) {
  const r = await app.request(REVIEW, { id: versionId, decision: 'approve' }, operator);
  expect(r.data.reviewPluginVersion).toMatchObject({ __typename: 'PluginVersion', status: 'approved' });
}

/** A listed plugin with one approved version asking for `scopes`. */
async function listedPlugin(scopes: string[]) {
  const key = await partner();
  const id = `acme-${uid()}`;
  const v1 = await publish(key, manifest(id, '1.0.0', scopes), '首个版本');
  await approve(v1.id);
  return { key, id, v1 };
}

async function seedCustomerAndTag(ws: TestWorkspace) {
  const customer = await app.db.prisma.customer.create({ data: { workspaceId: ws.id, name: '林', phone: `138${Math.floor(Math.random() * 1e8).toString().padStart(8, '0')}` } });
  const group = await app.db.prisma.tagGroup.create({ data: { workspaceId: ws.id, name: `券 ${uid()}`, kind: 'behaviour' } });
  const tag = await app.db.prisma.tag.create({ data: { workspaceId: ws.id, groupId: group.id, name: '已领券' } });
  const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
  return { customerId: gid('Customer', customer.id), tagId: gid('Tag', tag.id), customerUuid: customer.id };
}

describe('marketplace', () => {
  it('a published version is reviewed, listed, installed with its grant, its node shows in that workspace only, its token works within its scopes and uninstalling revokes it', async () => {
    const key = await partner();
    const id = `acme-${uid()}`;
    const brand = await app.workspace('花漾');
    const other = await app.workspace('别家');

    const v1 = await publish(key, manifest(id, '1.0.0', ['customers:read', 'tags:write']), '首个版本');
    expect(v1).toMatchObject({ __typename: 'PluginVersion', version: '1.0.0', status: 'submitted', scopesGrew: false, changelog: '首个版本', plugin: { pluginId: id } });

    // Submitted: in the operators' queue, not in the marketplace; the queue is for operators only.
    expect((await app.request(QUEUE, {}, operator)).data.pluginReviewQueue.edges.map((e: any) => e.node.id)).toContain(v1.id);
    expect((await brand.gql(QUEUE)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await app.request(QUEUE, {}, key)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await brand.gql(MARKETPLACE, { search: id })).data.marketplace.totalCount).toBe(0);
    expect((await brand.gql(`query ($id: ID!) { plugin(id: $id) { pluginId } }`, { id })).data.plugin).toBeNull();

    await approve(v1.id);
    expect((await app.request(QUEUE, {}, operator)).data.pluginReviewQueue.edges.map((e: any) => e.node.id)).not.toContain(v1.id);
    expect((await app.request(REVIEW, { id: v1.id, decision: 'reject', reason: 'late' }, operator)).data.reviewPluginVersion).toEqual({ __typename: 'ReviewStateError', status: 'approved' });

    // Listed at once, also for a read the brand made just before (cached reads of every workspace move on).
    expect((await brand.gql(MARKETPLACE, { search: id })).data.marketplace.totalCount).toBe(1);
    // Found by search (either language) and category, with the scopes in plain words.
    const listed = await brand.gql(MARKETPLACE, { search: '优惠券', category: 'coupons', language: 'zh_CN' });
    const node = listed.data.marketplace.edges.find((e: any) => e.node.pluginId === id)?.node;
    expect(node).toMatchObject({ name: { zhCN: '优惠券发放', en: 'Coupon issuer' }, installCount: 0, listedVersion: { version: '1.0.0' } });
    expect(node.requestedScopes).toEqual([
      { name: 'customers:read', description: { zhCN: '读取客户资料（姓名、手机号、邮箱、属性）', en: 'Read customer profiles (name, phone, email, attributes)' }, apiScopes: ['CUSTOMERS_READ'] },
      { name: 'tags:write', description: { zhCN: '给客户打标签、去标签', en: 'Add and remove customer tags' }, apiScopes: ['TAGS_WRITE'] },
    ]);
    expect((await brand.gql(MARKETPLACE, { search: 'coupon issuer', language: 'zh_CN' })).data.marketplace.edges.some((e: any) => e.node.pluginId === id)).toBe(false);
    expect((await brand.gql(MARKETPLACE, { search: 'coupon issuer', language: 'en' })).data.marketplace.edges.some((e: any) => e.node.pluginId === id)).toBe(true);
    const page = await brand.gql(`query ($id: ID!) { plugin(id: $id) { pluginId versions { version status changelog nodes { id } } } }`, { id });
    expect(page.data.plugin).toEqual({ pluginId: id, versions: [{ version: '1.0.0', status: 'approved', changelog: '首个版本', nodes: [{ id: `${id}.issue-coupon` }] }] });

    // Installing grants exactly the scopes asked for.
    const installed = await brand.gql(INSTALL, { input: { pluginId: id, grantedScopes: ['CUSTOMERS_READ', 'TAGS_WRITE'] } });
    expect(installed.data.installPlugin).toMatchObject({ __typename: 'InstalledPlugin', installation: { status: 'active', version: { version: '1.0.0' }, grantedScopes: [{ name: 'customers:read' }, { name: 'tags:write' }] } });
    const { token, installation } = installed.data.installPlugin;
    expect(token).toMatch(/^cyt_/);
    expect((await brand.gql(INSTALL, { input: { pluginId: id, grantedScopes: ['CUSTOMERS_READ', 'TAGS_WRITE'] } })).data.installPlugin).toEqual({ __typename: 'ConflictError', field: 'input.pluginId' });
    expect((await brand.gql(MARKETPLACE, { search: id })).data.marketplace.edges[0].node.installCount).toBe(1);

    // The node is in this workspace's palette, with its ports, and nowhere else.
    const types = (await brand.gql(NODE_TYPES)).data.journeyNodeTypes;
    expect(types.find((t: any) => t.id === `${id}.issue-coupon`)).toEqual({ id: `${id}.issue-coupon`, version: '1.0.0', kind: 'action', ports: [{ id: 'issued' }, { id: 'out_of_stock' }] });
    expect(types.some((t: any) => t.id === 'courtyard.add-tags')).toBe(true);
    expect((await other.gql(NODE_TYPES)).data.journeyNodeTypes.some((t: any) => t.id.startsWith(`${id}.`))).toBe(false);

    // The token reads customers and tags them in its workspace, and nothing beyond.
    const { customerId, tagId } = await seedCustomerAndTag(brand);
    const theirs = await seedCustomerAndTag(other);
    const read = await app.request(`{ customers(first: 10) { totalCount edges { node { id name } } } }`, {}, token);
    expect(read.data.customers.totalCount).toBe(1);
    expect(read.data.customers.edges[0].node.name).toBe('林');
    const tagging = await app.request(`mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename ... on TaggingResult { changedAssignments } ... on ValidationError { fields { field message } } } }`, { input: { tagIds: [tagId], customerIds: [customerId] } }, token);
    expect(tagging.data.tagCustomers).toEqual({ __typename: 'TaggingResult', changedAssignments: 1 });
    const foreign = await app.request(`mutation ($input: TaggingInput!) { tagCustomers(input: $input) { __typename ... on ValidationError { fields { field } } } }`, { input: { tagIds: [theirs.tagId], customerIds: [theirs.customerId] } }, token);
    expect(foreign.data.tagCustomers.__typename).toBe('ValidationError');
    expect(await app.db.prisma.customerTag.count({ where: { customerId: theirs.customerUuid } })).toBe(0);
    const segments = await app.request(`{ segments(first: 1) { totalCount } }`, {}, token);
    expect(segments.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN' });
    const createTag = await app.request(`mutation ($input: TagInput!) { createTag(input: $input) { __typename } }`, { input: { groupId: 'x', name: 'y' } }, token);
    expect(createTag.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', refused: ['createTag'], allowedMutations: ['tagCustomers', 'untagCustomers'] });
    expect((await app.request(INSTALL, { input: { pluginId: id, grantedScopes: [] } }, token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await app.request(`{ journeyNodeTypes { id } }`, {}, token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // A journey uses the node; uninstalling names it, revokes the token and removes the node.
    await app.db.prisma.journey.create({
      data: { workspaceId: brand.id, name: '首单送券', draft: { nodes: [{ id: 'coupon', type: `${id}.issue-coupon`, version: '1.0.0', config: { batchId: 'b1' } }], edges: [] } },
    });
    await app.db.prisma.journey.create({ data: { workspaceId: brand.id, name: '不相关', draft: { nodes: [], edges: [] } } });
    const uninstalled = await brand.gql(UNINSTALL, { id: installation.id });
    expect(uninstalled.data.uninstallPlugin).toMatchObject({ __typename: 'UninstalledPlugin', installation: { status: 'uninstalled' }, journeys: [{ name: '首单送券', inDraft: true, publishedVersions: [] }] });
    const revoked = await app.request(`{ customers(first: 1) { totalCount } }`, {}, token);
    expect(revoked.status).toBe(401);
    expect(revoked.errors?.[0]).toMatchObject({ extensions: { code: 'UNAUTHENTICATED' } });
    expect(revoked.errors?.[0]?.message).toMatch(/uninstalled/);
    expect((await brand.gql(NODE_TYPES)).data.journeyNodeTypes.some((t: any) => t.id.startsWith(`${id}.`))).toBe(false);
    expect((await brand.gql(`{ installations(first: 5) { totalCount edges { node { status plugin { pluginId } } } } }`)).data.installations).toEqual({
      totalCount: 1,
      edges: [{ node: { status: 'uninstalled', plugin: { pluginId: id } } }],
    });
  });

  it('refuses bad manifests with errors naming their JSON path, and a published version again as a conflict', async () => {
    const key = await partner();
    const id = `acme-${uid()}`;
    const fields = (r: any) => r.fields.map((f: any) => f.field);

    const malformed = await publish(key, '{"id": "acme-x", ');
    expect(malformed).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'manifest', code: 'invalid_json' }] });
    const notObject = await publish(key, [1, 2]);
    expect(notObject).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'manifest', code: 'invalid_type' }] });

    const big = manifest(id, '1.0.0', ['customers:read'], { description: { 'zh-CN': '长'.repeat(100), en: 'x'.repeat(300 * 1024) } });
    const oversized = await publish(key, big);
    expect(oversized).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'manifest', code: 'too_big' }] });
    expect(oversized.fields[0].message).toMatch(/256 KB/);

    const unknownScope = manifest(id, '1.0.0', ['customers:read', 'wallet:drain']);
    const scopes = await publish(key, unknownScope);
    expect(scopes.__typename).toBe('ValidationError');
    expect(fields(scopes)).toEqual(['manifest.scopes.1', 'manifest.nodes.0.scopes.1']);
    expect(scopes.fields[0]).toMatchObject({ code: 'unknown_scope' });
    expect(scopes.fields[0].message).toMatch(/unknown scope "wallet:drain": use one of customers:read/);

    const badUrls = await publish(key, manifest(id, '1.0.0', ['customers:read'], { endpoints: { baseUrl: 'not a url', installCallback: 'ftp://acme.example/hook' } }));
    expect(fields(badUrls)).toEqual(['manifest.endpoints.baseUrl', 'manifest.endpoints.installCallback']);
    const noEndpoints = await publish(key, { ...manifest(id, '1.0.0', ['customers:read']), endpoints: undefined });
    expect(fields(noEndpoints)).toEqual(['manifest.endpoints']);
    const badNode = manifest(id, 'one', ['customers:read']);
    badNode.nodes[0]!.id = 'other.node';
    expect(fields(await publish(key, badNode))).toEqual(expect.arrayContaining(['manifest.version', 'manifest.nodes.0.id']));
    expect(fields(await publish(key, manifest('courtyard', '1.0.0', ['customers:read'])))).toContain('manifest.id');
    // A secret the platform would not seal (nested, or not a string) is refused, not stored in plain text.
    const nestedSecret = manifest(id, '1.0.0', ['customers:read']);
    nestedSecret.nodes[0]!.configSchema = {
      type: 'object',
      properties: {
        apiKey: { type: 'string', 'x-secret': true },
        pin: { type: 'number', 'x-secret': true },
        auth: { type: 'object', properties: { token: { type: 'string', 'x-secret': true } } },
      },
    } as never;
    const unsealable = await publish(key, nestedSecret);
    expect(unsealable.__typename).toBe('ValidationError');
    expect(unsealable.fields).toEqual([
      { field: 'manifest.nodes.0.configSchema.properties.pin', code: 'unsealable_secret', message: expect.stringContaining('must be a string') },
      { field: 'manifest.nodes.0.configSchema.properties.auth.properties.token', code: 'unsealable_secret', message: expect.stringContaining('make it a top-level string') },
    ]);
    // Nothing was stored by any of these.
    expect(await app.db.prisma.pluginListing.count({ where: { pluginId: id } })).toBe(0);

    expect((await publish(key, manifest(id, '1.0.0', ['customers:read']))).__typename).toBe('PluginVersion');
    expect(await publish(key, manifest(id, '1.0.0', ['customers:read', 'tags:read']))).toMatchObject({ __typename: 'ConflictError', field: 'manifest.version' });
    expect(await publish(key, manifest(id, '0.9.0', ['customers:read']))).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'manifest.version', code: 'too_small' }] });
    // Another partner cannot publish under this plugin id.
    expect(await publish(await partner(), manifest(id, '2.0.0', ['customers:read']))).toMatchObject({ __typename: 'ConflictError', field: 'manifest.id' });
  });

  it('keeps partners, brands and operators apart: a partner key never acts in a workspace, a brand key never publishes, only operators review', async () => {
    const key = await partner();
    const brand = await app.workspace();
    const id = `acme-${uid()}`;
    const asPartner = await app.request(`{ customers(first: 1) { totalCount } }`, {}, key);
    expect(asPartner.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await app.request(`{ viewer { workspace { id } } }`, {}, key)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect((await brand.gql(PUBLISH, { manifest: manifest(id, '1.0.0', ['customers:read']) })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const v = await publish(key, manifest(id, '1.0.0', ['customers:read']));
    expect((await brand.gql(REVIEW, { id: v.id, decision: 'approve' })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await app.request(REVIEW, { id: v.id, decision: 'approve' }, key)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await app.request(REVIEW, { id: v.id, decision: 'reject' }, operator)).data.reviewPluginVersion).toEqual({ __typename: 'ValidationError', fields: [{ field: 'reason' }] });
    expect((await app.request(REVIEW, { id: v.id, decision: 'reject', reason: '说明里缺少退款规则' }, operator)).data.reviewPluginVersion).toEqual({
      __typename: 'PluginVersion',
      status: 'rejected',
      rejectionReason: '说明里缺少退款规则',
    });
    // The partner follows its review; a rejected version is neither listed nor installable.
    const own = await app.request(`{ partner { plugins { pluginId listed versions { version status rejectionReason } } } }`, {}, key);
    expect(own.data.partner.plugins).toEqual([{ pluginId: id, listed: false, versions: [{ version: '1.0.0', status: 'rejected', rejectionReason: '说明里缺少退款规则' }] }]);
    expect((await brand.gql(INSTALL, { input: { pluginId: id, grantedScopes: ['CUSTOMERS_READ'] } })).data.installPlugin).toEqual({ __typename: 'NotFoundError', field: 'input.pluginId' });

    // A revoked partner key stops working at once.
    const keys = await app.request(`{ partner { keys { id } } }`, {}, key);
    await app.request(`mutation ($id: ID!) { revokePartnerKey(id: $id) { __typename } }`, { id: keys.data.partner.keys[0].id }, key);
    expect((await app.request(`{ partner { name } }`, {}, key)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });

  it('installing needs exactly the requested scopes, no more than the caller holds, and an approved version', async () => {
    const { id } = await listedPlugin(['customers:read', 'tags:write']);
    const brand = await app.workspace();
    const missing = await brand.gql(INSTALL, { input: { pluginId: id, grantedScopes: ['CUSTOMERS_READ'] } });
    expect(missing.data.installPlugin).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.grantedScopes', code: 'missing_scope' }] });
    expect(missing.data.installPlugin.fields[0].message).toMatch(/TAGS_WRITE/);
    const extra = await brand.gql(INSTALL, { input: { pluginId: id, grantedScopes: ['CUSTOMERS_READ', 'TAGS_WRITE', 'ORDERS_READ'] } });
    expect(extra.data.installPlugin).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.grantedScopes', code: 'extra_scope' }] });
    const narrowKey = await brand.keyWith(['plugins:write', 'customers:read']);
    const beyond = await brand.gql(INSTALL, { input: { pluginId: id, grantedScopes: ['CUSTOMERS_READ', 'TAGS_WRITE'] } }, narrowKey);
    expect(beyond.data.installPlugin).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.grantedScopes', code: 'forbidden_scope' }] });
    const noVersion = await brand.gql(INSTALL, { input: { pluginId: id, version: '9.9.9', grantedScopes: ['CUSTOMERS_READ', 'TAGS_WRITE'] } });
    expect(noVersion.data.installPlugin).toMatchObject({ __typename: 'ValidationError', fields: [{ field: 'input.version', code: 'not_installable' }] });
    const readOnly = await brand.keyWith(['plugins:read', 'customers:read', 'tags:write']);
    expect((await brand.gql(INSTALL, { input: { pluginId: id, grantedScopes: ['CUSTOMERS_READ', 'TAGS_WRITE'] } }, readOnly)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect(await app.db.prisma.installation.count({ where: { workspaceId: brand.id } })).toBe(0);
  });

  it('a version asking for more scopes is marked, and upgrading to it needs a new grant while the old version keeps running', async () => {
    const { key, id } = await listedPlugin(['customers:read']);
    const brand = await app.workspace();
    const installed = (await brand.gql(INSTALL, { input: { pluginId: id, grantedScopes: ['CUSTOMERS_READ'] } })).data.installPlugin;
    const { token } = installed;
    const installationId = installed.installation.id;

    const v2 = await publish(key, manifest(id, '1.1.0', ['customers:read', 'events:write']), '记录领券事件');
    expect(v2).toMatchObject({ scopesGrew: true, addedScopes: [{ name: 'events:write' }] });
    const v2Same = await publish(key, manifest(id, '1.0.1', ['customers:read']));
    expect(v2Same).toMatchObject({ __typename: 'ValidationError' }); // lower than 1.1.0
    await approve(v2.id);

    const UPGRADE_INFO = `query ($id: ID!) { node(id: $id) { ... on Installation { version { version } availableUpgrade { needsConsent version { version } addedScopes { name description { zhCN } } } } } }`;
    expect((await brand.gql(UPGRADE_INFO, { id: installationId })).data.node).toEqual({
      version: { version: '1.0.0' },
      availableUpgrade: { needsConsent: true, version: { version: '1.1.0' }, addedScopes: [{ name: 'events:write', description: { zhCN: '写入客户行为事件' } }] },
    });

    const UPGRADE = `mutation ($input: UpgradeInstallationInput!) { upgradeInstallation(input: $input) {
      __typename ... on Installation { version { version } grantedScopes { name } } ... on ConsentRequiredError { targetVersion addedScopes { name } } ... on ValidationError { fields { field code } }
    } }`;
    const INGEST = `mutation ($events: [EventInput!]!) { ingestEvents(events: $events) { __typename } }`;
    const event = [{ customer: { phone: '13800000001' }, idempotencyKey: uid(), type: 'coupon_issued', occurredAt: new Date().toISOString() }];

    const noGrant = await brand.gql(UPGRADE, { input: { id: installationId } });
    expect(noGrant.errors).toBeUndefined();
    expect(noGrant.data.upgradeInstallation).toEqual({ __typename: 'ConsentRequiredError', targetVersion: '1.1.0', addedScopes: [{ name: 'events:write' }] });
    expect((await brand.gql(UPGRADE_INFO, { id: installationId })).data.node.version).toEqual({ version: '1.0.0' });
    expect((await app.request(INGEST, { events: event }, token)).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await brand.gql(UPGRADE, { input: { id: installationId, grantedScopes: ['CUSTOMERS_READ'] } })).data.upgradeInstallation).toMatchObject({
      __typename: 'ValidationError',
      fields: [{ field: 'input.grantedScopes', code: 'missing_scope' }],
    });

    expect((await brand.gql(UPGRADE, { input: { id: installationId, grantedScopes: ['CUSTOMERS_READ', 'EVENTS_WRITE'] } })).data.upgradeInstallation).toEqual({
      __typename: 'Installation',
      version: { version: '1.1.0' },
      grantedScopes: [{ name: 'customers:read' }, { name: 'events:write' }],
    });
    // The same token holds the new grant at once.
    expect((await app.request(INGEST, { events: event }, token)).data.ingestEvents.__typename).toBe('IngestEventsPayload');
    const down = await brand.gql(UPGRADE, { input: { id: installationId, version: '1.0.0' } });
    expect(down.errors).toBeUndefined();
    expect(down.data.upgradeInstallation).toMatchObject({ fields: [{ field: 'input.version', code: 'not_newer' }] });

    // Deprecating the listed version lists the previous approved one again; installations keep running.
    const deprecated = await app.request(`mutation ($id: ID!) { deprecatePluginVersion(id: $id) { __typename ... on PluginVersion { status } } }`, { id: v2.id }, key);
    expect(deprecated.data.deprecatePluginVersion).toEqual({ __typename: 'PluginVersion', status: 'deprecated' });
    expect((await brand.gql(MARKETPLACE, { search: id })).data.marketplace.edges[0].node.listedVersion).toEqual({ version: '1.0.0' });
    expect((await app.request(`{ customers(first: 1) { totalCount } }`, {}, token)).data.customers).toBeTruthy();
  });
});

describe('partner roles', () => {
  it('owners manage members, keys, deprecation and the callback secret; developers publish; the last owner stays', async () => {
    const ownerEmail = `owner-${uid()}@acme.example`;
    const ownerKey = (await app.request(`mutation ($input: SignUpPartnerInput!) { signUpPartner(input: $input) { ... on PartnerCredential { key } } }`, {
      input: { partnerName: `Acme ${uid()}`, name: '老板', email: ownerEmail, password: 'partner password 1' },
    })).data.signUpPartner.key as string;
    // A developer with a Courtyard login of their own.
    const devEmail = `dev-${uid()}@acme.example`;
    await app.request(`mutation ($input: SignUpInput!) { signUp(input: $input) { __typename } }`, { input: { workspaceName: '自己的店', name: '开发', email: devEmail, password: 'developer password 1' } });
    const SET = `mutation ($e: String!, $r: PartnerRole!) { setPartnerMember(email: $e, role: $r) { __typename ... on PartnerMember { role } ... on Error { message } } }`;
    expect((await app.request(SET, { e: `nobody-${uid()}@acme.example`, r: 'developer' }, ownerKey)).data.setPartnerMember).toMatchObject({ __typename: 'NotFoundError', message: expect.stringContaining('sign up first') });
    expect((await app.request(SET, { e: devEmail, r: 'developer' }, ownerKey)).data.setPartnerMember).toEqual({ __typename: 'PartnerMember', role: 'developer' });
    const devKey = (await app.request(`mutation ($input: LoginPartnerInput!) { loginPartner(input: $input) { ... on PartnerCredential { key } } }`, { input: { email: devEmail, password: 'developer password 1' } })).data.loginPartner.key as string;

    // The developer publishes; the owner's powers are refused to them.
    const id = `acme-${uid()}`;
    const published = await app.request(`mutation ($m: JSON!) { publishPluginVersion(manifest: $m) { __typename ... on PluginVersion { id } } }`, { m: manifest(id, '1.0.0', ['customers:read']) }, devKey);
    expect(published.data.publishPluginVersion.__typename).toBe('PluginVersion');
    await app.request(`mutation ($id: ID!) { reviewPluginVersion(id: $id, decision: approve) { __typename } }`, { id: published.data.publishPluginVersion.id }, operator);
    const forbidden = async (query: string, variables: Record<string, unknown>) => (await app.request(query, variables, devKey)).errors?.[0]?.extensions?.code;
    expect(await forbidden(`mutation ($id: ID!) { deprecatePluginVersion(id: $id) { __typename } }`, { id: published.data.publishPluginVersion.id })).toBe('FORBIDDEN');
    expect(await forbidden(`mutation { createPartnerKey(name: "ci") { __typename } }`, {})).toBe('FORBIDDEN');
    expect(await forbidden(`mutation ($id: ID!) { rotatePluginCallbackSecret(pluginId: $id) { __typename } }`, { id })).toBe('FORBIDDEN');
    expect(await forbidden(SET, { e: devEmail, r: 'owner' })).toBe('FORBIDDEN');

    // The only owner cannot step down or leave.
    expect((await app.request(SET, { e: ownerEmail, r: 'developer' }, ownerKey)).data.setPartnerMember).toMatchObject({ __typename: 'ValidationError' });
    const REMOVE = `mutation ($e: String!) { removePartnerMember(email: $e) { __typename ... on Partner { members { role } } } }`;
    expect((await app.request(REMOVE, { e: ownerEmail }, ownerKey)).data.removePartnerMember.__typename).toBe('ValidationError');
    // The owner deprecates; removing the developer revokes their key at once.
    expect((await app.request(`mutation ($id: ID!) { deprecatePluginVersion(id: $id) { __typename } }`, { id: published.data.publishPluginVersion.id }, ownerKey)).data.deprecatePluginVersion.__typename).toBe('PluginVersion');
    expect((await app.request(REMOVE, { e: devEmail }, ownerKey)).data.removePartnerMember).toEqual({ __typename: 'Partner', members: [{ role: 'owner' }] });
    expect((await app.request(`{ partner { name } }`, {}, devKey)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
  });
});
