// The whole marketplace loop with the example plugin as its own process: a partner publishes it, an
// operator approves it, a brand installs it (the plugin learns of it through the signed callback and
// keeps the token), a journey uses its action, events enroll customers, the plugin receives signed
// batches and tags the winners through GraphQL with the installation token; rotating the secret and
// uninstalling reach the plugin too, and after the uninstall nothing is sent to it.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { startServer, type RunningServer } from '@courtyard/api';
import { createTestApp, type TestApp } from '@courtyard/api/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { couponManifest } from './plugin.ts';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

async function startPlugin(port: number, callbackSecret: string): Promise<{ child: ChildProcess; output: () => string }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./main.ts', import.meta.url))], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', COURTYARD_CALLBACK_SECRET: callbackSecret, COURTYARD_SECRET: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the plugin did not start in 30 s:\n${output}`)), 30_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (/listening on /.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    proc.stdout!.on('data', read);
    proc.stderr!.on('data', read);
    proc.on('exit', (code) => reject(new Error(`the plugin exited with ${code}:\n${output}`)));
  });
  return { child: proc, output: () => output };
}

const dbId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

describe('the marketplace loop with the example plugin as its own process', () => {
  let app: TestApp;
  let api: RunningServer;
  let plugin: { child: ChildProcess; output: () => string } | undefined;
  const calls: { nodeId: string | null; batchSize: number; eventType: string | null }[] = [];

  beforeAll(async () => {
    const apiPort = await freePort();
    app = await createTestApp({
      runtime: {
        graphqlUrl: `http://127.0.0.1:${apiPort}/graphql`,
        remote: { allowPrivateEndpoints: true, timeoutMs: 5000, onCall: (r) => calls.push({ nodeId: r.nodeId, batchSize: r.batchSize, eventType: r.eventType }) },
      },
    });
    api = await startServer(app, { port: apiPort, host: '127.0.0.1' });
  });
  afterAll(async () => {
    plugin?.child.kill('SIGTERM');
    await api?.close();
    await app?.close();
  });

  it('publish, approve, install, run in a journey with signed batches and tagging through GraphQL; rotate; uninstall stops it', async () => {
    // The platform's operator.
    const ops = await app.request(`mutation ($input: SignUpInput!) { signUp(input: $input) { ... on SessionPayload { token member { email } } } }`, {
      input: { workspaceName: '平台运营', name: '运营', email: `ops-${Date.now()}@example.com`, password: 'correct horse battery' },
    });
    await app.db.prisma.member.update({ where: { email: ops.data.signUp.member.email }, data: { platformAdmin: true } });
    const operator = ops.data.signUp.token as string;

    // The partner publishes the example plugin at the address its server will listen on.
    const pluginPort = await freePort();
    const partner = await app.request(`mutation ($input: SignUpPartnerInput!) { signUpPartner(input: $input) { ... on PartnerCredential { key } } }`, {
      input: { partnerName: '示例服务商', name: '小周', email: `partner-${Date.now()}@example.com`, password: 'partner password 1' },
    });
    const partnerKey = partner.data.signUpPartner.key as string;
    const published = await app.request(`mutation ($m: JSON!) { publishPluginVersion(manifest: $m) { __typename ... on PluginVersion { id status } } }`, { m: couponManifest(`http://127.0.0.1:${pluginPort}`) }, partnerKey);
    expect(published.data.publishPluginVersion).toMatchObject({ __typename: 'PluginVersion', status: 'submitted' });
    const secretOf = async () => (await app.request(`{ plugin(id: "example-coupons") { callbackSecret } }`, {}, partnerKey)).data.plugin.callbackSecret as string;
    const callbackSecret = await secretOf();
    expect(callbackSecret).toMatch(/^whsec_/);
    plugin = await startPlugin(pluginPort, callbackSecret);

    const approved = await app.request(`mutation ($id: ID!) { reviewPluginVersion(id: $id, decision: approve) { __typename ... on PluginVersion { status } } }`, { id: published.data.publishPluginVersion.id }, operator);
    expect(approved.data.reviewPluginVersion).toEqual({ __typename: 'PluginVersion', status: 'approved' });

    // A brand installs it; the partner learns of it through the signed callback.
    const brand = await app.workspace('小林咖啡');
    // Nobody but the plugin's partner reads its callback secret.
    expect((await brand.gql(`{ plugin(id: "example-coupons") { callbackSecret } }`)).data.plugin.callbackSecret).toBeNull();
    const installed = await brand.gql(`mutation { installPlugin(input: { pluginId: "example-coupons", grantedScopes: [TAGS_WRITE] }) { __typename ... on InstalledPlugin { installation { id } } } }`);
    expect(installed.data.installPlugin.__typename).toBe('InstalledPlugin');
    const installationId = installed.data.installPlugin.installation.id as string;
    await app.runtime.drain();
    const CALLBACKS = `query ($id: ID!) { node(id: $id) { ... on Installation { callbacks { type status attempts lastError } } } }`;
    expect((await brand.gql(CALLBACKS, { id: installationId })).data.node.callbacks).toEqual([{ type: 'installation.created', status: 'delivered', attempts: 1, lastError: null }]);
    // Delivered credentials do not stay in the outbox.
    const [row] = await app.db.prisma.pluginCallback.findMany({ where: { installationId: dbId(installationId) } });
    expect(row!.payload).not.toHaveProperty('credentials');

    // A journey: a paid order → the partner's coupon action → winners get the "coupon" tag (by the plugin, through GraphQL).
    const group = await brand.gql(`mutation { createTagGroup(input: { name: "优惠券", kind: behaviour }) { ... on TagGroup { id } } }`);
    const tag = await brand.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "领过券" }) { ... on Tag { id } } }`, { g: group.data.createTagGroup.id });
    const tagId = tag.data.createTag.id as string;
    const journey = await brand.gql(`mutation ($input: JourneyInput!) { createJourney(input: $input) { __typename ... on Journey { id } } }`, {
      input: {
        name: '付款送券',
        definition: {
          nodes: [
            { id: 'paid', type: 'courtyard.event', version: '1.0.0', config: { eventType: 'order.paid' } },
            { id: 'coupon', type: 'example-coupons.issue-coupon', version: '1.0.0', config: { batchCode: 'PAID-10', valueCents: 1000, stock: 2, tagIds: [dbId(tagId)] } },
          ],
          edges: [{ from: 'paid', port: 'next', to: 'coupon' }],
        },
      },
    });
    const journeyId = journey.data.createJourney.id as string;
    const publish = await brand.gql(`mutation ($id: ID!) { publishJourney(id: $id) { __typename } }`, { id: journeyId });
    expect(publish.data.publishJourney.__typename).toBe('PublishJourneyPayload');

    const customers = await brand.gql(`mutation { upsertCustomers(customers: [{ phone: "13800000001", name: "王芳" }, { phone: "13800000002", name: "李雷" }, { phone: "13800000003", name: "韩梅梅" }]) { ... on UpsertCustomersPayload { results { customer { id } } } } }`);
    const ids = customers.data.upsertCustomers.results.map((r: any) => r.customer.id) as string[];
    const paid = (phones: string[], key: string) =>
      brand.gql(`mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { __typename } }`, {
        e: phones.map((phone) => ({ type: 'order.paid', customer: { phone }, idempotencyKey: `${key}-${phone}` })),
      });
    expect((await paid(['13800000001', '13800000002', '13800000003'], 'first')).data.ingestEvents.__typename).toBe('IngestEventsPayload');
    await app.runtime.drain();

    // One signed batch of three; two coupons, then out of stock; the winners tagged by the plugin.
    expect(calls.filter((c) => c.nodeId === 'example-coupons.issue-coupon').map((c) => c.batchSize)).toEqual([3]);
    const stats = (await brand.gql(`query ($id: ID!) { journey(id: $id) { stats { nodeId byPort { port count } } } }`, { id: journeyId })).data.journey.stats;
    const failures = await app.db.prisma.enrollment.findMany({ where: { journeyId: dbId(journeyId), lastError: { not: null } }, select: { status: true, lastError: true } });
    expect(failures).toEqual([]);
    expect(stats.find((s: any) => s.nodeId === 'coupon').byPort.sort((a: any, b: any) => a.port.localeCompare(b.port))).toEqual([
      { port: 'issued', count: 2 },
      { port: 'out_of_stock', count: 1 },
    ]);
    const tagged = await brand.gql(`query ($ids: [ID!]!) { nodes(ids: $ids) { ... on Customer { tagAssignments { tag { id } source } } } }`, { ids });
    const assignments = tagged.data.nodes.map((n: any) => n.tagAssignments);
    expect(assignments.filter((a: any[]) => a.some((x) => x.tag.id === tagId && x.source === 'plugin'))).toHaveLength(2);
    expect(assignments.filter((a: any[]) => a.length === 0)).toHaveLength(1);

    // The brand rotates the installation's secret: the plugin gets the new secret and token, and keeps serving.
    const rotated = await brand.gql(`mutation ($id: ID!) { rotateInstallationSecret(id: $id) { __typename } }`, { id: installationId });
    expect(rotated.data.rotateInstallationSecret.__typename).toBe('Installation');
    await app.runtime.drain();
    await brand.gql(`mutation { upsertCustomers(customers: [{ phone: "13800000004", name: "周杰" }]) { __typename } }`);
    await paid(['13800000004'], 'second');
    await app.runtime.drain();
    const after = (await brand.gql(`query ($id: ID!) { journey(id: $id) { stats { nodeId byPort { port count } } } }`, { id: journeyId })).data.journey.stats;
    expect(after.find((s: any) => s.nodeId === 'coupon').byPort.find((p: any) => p.port === 'out_of_stock').count).toBe(2);

    // Uninstalled: the plugin is told, and the next paid order sends it nothing.
    const uninstalled = await brand.gql(`mutation ($id: ID!) { uninstallPlugin(id: $id) { __typename ... on UninstalledPlugin { journeys { name } } } }`, { id: installationId });
    expect(uninstalled.data.uninstallPlugin.journeys).toEqual([{ name: '付款送券' }]);
    await app.runtime.drain();
    expect((await brand.gql(CALLBACKS, { id: installationId })).data.node.callbacks.map((c: any) => [c.type, c.status])).toEqual([
      ['installation.deleted', 'delivered'],
      ['installation.secret_rotated', 'delivered'],
      ['installation.created', 'delivered'],
    ]);
    const batches = calls.filter((c) => c.nodeId).length;
    await brand.gql(`mutation { upsertCustomers(customers: [{ phone: "13800000005", name: "吴" }]) { __typename } }`);
    await paid(['13800000005'], 'third');
    await app.runtime.drain();
    expect(calls.filter((c) => c.nodeId).length).toBe(batches);
    expect(calls.filter((c) => c.eventType).map((c) => c.eventType)).toEqual(['installation.created', 'installation.secret_rotated', 'installation.deleted']);
    expect(plugin.output()).not.toMatch(/bad-signature|hook-failed/);
  });
});
