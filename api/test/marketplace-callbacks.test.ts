// Installation callbacks: signed with the plugin's callback secret (only its partner reads it, and
// rotates it), delivered in order, retried with growing waits and given up after the last attempt
// with the credentials dropped; a rotated installation secret signs batches next to the old one.
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifySignature, type InstallCallback } from '@courtyard/plugin-sdk';
import { CALLBACK_BACKOFF_MS, CALLBACK_MAX_ATTEMPTS } from '@courtyard/runtime';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';

const uid = () => randomBytes(4).toString('hex');
const dbId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

/** A partner server that records every callback with its headers and answers `status`. */
async function partnerServer() {
  const state = { status: 200, received: [] as { headers: http.IncomingHttpHeaders; body: string }[] };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      state.received.push({ headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(state.status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { state, url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

function manifest(id: string, baseUrl: string) {
  return {
    id,
    version: '1.0.0',
    name: { 'zh-CN': '积分', en: 'Points' },
    description: { 'zh-CN': '发积分', en: 'Gives points' },
    publisher: { name: 'Acme' },
    icon: 'coins',
    scopes: ['tags:write'],
    endpoints: { baseUrl },
    nodes: [
      {
        id: `${id}.give-points`,
        version: '1.0.0',
        kind: 'action',
        title: { 'zh-CN': '发积分', en: 'Give points' },
        description: { 'zh-CN': '发积分', en: 'Gives points' },
        icon: 'coins',
        configSchema: { type: 'object', properties: {} },
        ports: [{ id: 'next', title: { 'zh-CN': '下一步', en: 'Next' } }],
        scopes: ['tags:write'],
      },
    ],
  };
}

let app: TestApp;
let operator: string;
beforeAll(async () => {
  app = await createTestApp({ runtime: { graphqlUrl: 'https://courtyard.example/graphql', remote: { allowPrivateEndpoints: true, timeoutMs: 3000 } } });
  const signUp = await app.request(`mutation ($input: SignUpInput!) { signUp(input: $input) { ... on SessionPayload { token member { email } } } }`, {
    input: { workspaceName: '运营', name: '运营', email: `ops-${uid()}@example.com`, password: 'correct horse battery' },
  });
  operator = signUp.data.signUp.token;
  await app.db.prisma.member.update({ where: { email: signUp.data.signUp.member.email }, data: { platformAdmin: true } });
});
afterAll(async () => {
  await app?.close();
});

async function listed(baseUrl: string) {
  const key = (await app.request(`mutation ($input: SignUpPartnerInput!) { signUpPartner(input: $input) { ... on PartnerCredential { key } } }`, {
    input: { partnerName: `Acme ${uid()}`, name: '阿克米', email: `dev-${uid()}@acme.example`, password: 'partner password 1' },
  })).data.signUpPartner.key as string;
  const pluginId = `points-${uid()}`;
  const version = (await app.request(`mutation ($m: JSON!) { publishPluginVersion(manifest: $m) { ... on PluginVersion { id } } }`, { m: manifest(pluginId, baseUrl) }, key)).data.publishPluginVersion;
  await app.request(`mutation ($id: ID!) { reviewPluginVersion(id: $id, decision: approve) { __typename } }`, { id: version.id }, operator);
  return { key, pluginId };
}

const CALLBACKS = `query ($id: ID!) { node(id: $id) { ... on Installation { callbacks { type status attempts lastError nextAttemptAt deliveredAt } } } }`;

describe('installation callbacks', () => {
  it('are signed with the plugin\'s callback secret, carry the credentials once, and follow a rotation of that secret', async () => {
    const partner = await partnerServer();
    try {
      const { key, pluginId } = await listed(partner.url);
      const secretOf = async () => (await app.request(`query ($id: ID!) { plugin(id: $id) { callbackSecret } }`, { id: pluginId }, key)).data.plugin.callbackSecret as string;
      const first = await secretOf();
      const ws = await app.workspace('花漾');
      const installed = await ws.gql(`mutation ($p: ID!) { installPlugin(input: { pluginId: $p, grantedScopes: [TAGS_WRITE] }) { ... on InstalledPlugin { token installation { id } } } }`, { p: pluginId });
      const { token, installation } = installed.data.installPlugin;
      await app.runtime.drain();

      expect(partner.state.received).toHaveLength(1);
      const created = partner.state.received[0]!;
      expect(verifySignature(first, created.headers as Record<string, string>, created.body)).toMatchObject({ ok: true });
      const event = JSON.parse(created.body) as Extract<InstallCallback, { type: 'installation.created' }>;
      expect(event).toMatchObject({
        type: 'installation.created',
        installationId: dbId(installation.id),
        workspace: { id: ws.id, name: '花漾' },
        plugin: { id: pluginId, version: '1.0.0' },
        scopes: ['tags:write'],
        credentials: { token, graphqlUrl: 'https://courtyard.example/graphql', signingSecret: expect.stringMatching(/^whsec_/) },
      });
      // The webhook-id is the callback's own id: a partner drops a repeat by it.
      const [row] = await app.db.prisma.pluginCallback.findMany({ where: { installationId: dbId(installation.id) } });
      expect(created.headers['webhook-id']).toBe(row!.id);

      // The partner rotates its callback secret: the next callback is signed with the new one only.
      const rotated = await app.request(`mutation ($id: ID!) { rotatePluginCallbackSecret(pluginId: $id) { __typename } }`, { id: pluginId }, key);
      expect(rotated.data.rotatePluginCallbackSecret.__typename).toBe('Plugin');
      const second = await secretOf();
      expect(second).not.toBe(first);
      // A brand cannot rotate a partner's secret, nor read it.
      expect((await ws.gql(`mutation ($id: ID!) { rotatePluginCallbackSecret(pluginId: $id) { __typename } }`, { id: pluginId })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

      // The brand rotates the installation's secret and token: the old token stops working at once.
      const before = (await app.db.prisma.installation.findUniqueOrThrow({ where: { id: dbId(installation.id) } })).signingSecret;
      await ws.gql(`mutation ($id: ID!) { rotateInstallationSecret(id: $id) { __typename } }`, { id: installation.id });
      expect((await app.request(`{ tags(first: 1) { totalCount } }`, {}, token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      await app.runtime.drain();
      const rotation = partner.state.received[1]!;
      expect(verifySignature(second, rotation.headers as Record<string, string>, rotation.body)).toMatchObject({ ok: true });
      expect(verifySignature(first, rotation.headers as Record<string, string>, rotation.body)).toMatchObject({ ok: false, reason: 'bad-signature' });
      const rotatedEvent = JSON.parse(rotation.body) as Extract<InstallCallback, { type: 'installation.secret_rotated' }>;
      expect(rotatedEvent.type).toBe('installation.secret_rotated');
      expect(rotatedEvent.credentials.signingSecret).not.toBe(before);
      // The new token works, within the grant.
      const newToken = rotatedEvent.credentials.token;
      const TAG = `mutation { tagCustomers(input: { customerIds: [], tagIds: [] }) { __typename } }`;
      expect((await app.request(TAG, {}, newToken)).errors?.[0]?.extensions?.code).not.toBe('UNAUTHENTICATED');
      expect((await app.request(TAG, {}, token)).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
      const stored = await app.db.prisma.installation.findUniqueOrThrow({ where: { id: dbId(installation.id) } });
      expect(stored).toMatchObject({ signingSecret: rotatedEvent.credentials.signingSecret, previousSigningSecret: before });
      expect(stored.previousSecretUntil!.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    } finally {
      await partner.close();
    }
  });

  it('a partner that keeps failing is retried with growing waits, then given up with the credentials dropped; the uninstall callback waits its turn', async () => {
    const partner = await partnerServer();
    try {
      partner.state.status = 503;
      const { pluginId } = await listed(partner.url);
      const ws = await app.workspace('小院');
      const installed = await ws.gql(`mutation ($p: ID!) { installPlugin(input: { pluginId: $p, grantedScopes: [TAGS_WRITE] }) { ... on InstalledPlugin { installation { id } } } }`, { p: pluginId });
      const id = installed.data.installPlugin.installation.id as string;
      await ws.gql(`mutation ($id: ID!) { uninstallPlugin(id: $id) { __typename } }`, { id });

      let now = Date.now();
      await app.runtime.drain(new Date(now));
      let outbox = (await ws.gql(CALLBACKS, { id })).data.node.callbacks;
      expect(outbox.map((c: any) => [c.type, c.status, c.attempts])).toEqual([
        ['installation.deleted', 'pending', 0],
        ['installation.created', 'pending', 1],
      ]);
      expect(outbox[1].lastError).toContain('503');
      expect(Date.parse(outbox[1].nextAttemptAt) - now).toBeGreaterThanOrEqual(CALLBACK_BACKOFF_MS[0]! - 1000);
      // Nothing is tried again before its time.
      await app.runtime.drain(new Date(now + 1000));
      expect(partner.state.received).toHaveLength(1);

      for (let attempt = 2; attempt <= CALLBACK_MAX_ATTEMPTS; attempt++) {
        now += CALLBACK_BACKOFF_MS[attempt - 2]! + 1000;
        await app.runtime.drain(new Date(now));
      }
      expect(partner.state.received.filter((r) => JSON.parse(r.body).type === 'installation.created')).toHaveLength(CALLBACK_MAX_ATTEMPTS);
      outbox = (await ws.gql(CALLBACKS, { id })).data.node.callbacks;
      expect(outbox[1]).toMatchObject({ type: 'installation.created', status: 'failed', attempts: CALLBACK_MAX_ATTEMPTS, nextAttemptAt: null });
      const created = await app.db.prisma.pluginCallback.findFirstOrThrow({ where: { installationId: dbId(id), type: 'installation.created' } });
      expect(created.payload).not.toHaveProperty('credentials');
      // With the install given up, the uninstall went next (in the same pass), and once the partner
      // is back up its retry is taken.
      expect(outbox[0]).toMatchObject({ type: 'installation.deleted', status: 'pending', attempts: 1 });
      partner.state.status = 200;
      await app.runtime.drain(new Date(now + CALLBACK_BACKOFF_MS[0]! + 1000));
      outbox = (await ws.gql(CALLBACKS, { id })).data.node.callbacks;
      expect(outbox[0]).toMatchObject({ type: 'installation.deleted', status: 'delivered', attempts: 2, lastError: null });
      // Another workspace does not see the callbacks.
      const other = await app.workspace('别家');
      expect((await other.gql(CALLBACKS, { id })).data.node).toBeNull();
    } finally {
      await partner.close();
    }
  });
});
