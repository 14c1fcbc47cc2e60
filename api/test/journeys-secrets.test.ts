import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature } from '@courtyard/plugin-sdk';
import { resealJourneySecrets } from '@courtyard/runtime/journey';
import { resealWeComConnections, storeWeComConnection } from '@courtyard/schema';
import { keyId, openCredentials } from '@courtyard/wecom/secrets';
import { createHash } from 'node:crypto';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';
import { CREATE, edge, ENROLL, node, PUBLISH, setup, UPDATE } from './journey-fixtures.ts';

const FIRST = 'whsec_Zmlyc3Qtc2VjcmV0LWZpcnN0LXNlY3JldA==';
const SECOND = 'whsec_c2Vjb25kLXNlY3JldC1zZWNvbmQtc2VjcmV0';
const PLACEHOLDER = '••••••';
const URL = 'https://erp.example.cn/hooks/courtyard';

/** Requests the webhook node made, with their headers and body as sent. */
const received: { headers: Record<string, string>; body: string }[] = [];
const fakeFetch = (async (_url: string, init: RequestInit) => {
  received.push({ headers: Object.fromEntries(new Headers(init.headers).entries()), body: String(init.body) });
  return new Response('ok', { status: 200 });
}) as typeof fetch;

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp({ runtime: { fetch: fakeFetch } });
});
afterAll(async () => {
  await app?.close();
});

const webhookJourney = (secret?: string) => ({
  nodes: [node('start', 'api'), node('hook', 'call-webhook', { url: URL, ...(secret === undefined ? {} : { secret }) })],
  edges: [edge('start', 'next', 'hook')],
});
const READ = `query ($id: ID!) { journey(id: $id) { draft versions(first: 5) { edges { node { number definition } } } validation { code severity nodeId field message } } }`;
const errorsOf = (journey: any) => journey.validation.filter((i: any) => i.severity === 'error');
const CREATE_DRAFT = `mutation ($input: JourneyInput!) { createJourney(input: $input) { __typename ... on Journey { id draft } } }`;
const UPDATE_DRAFT = `mutation ($id: ID!, $input: JourneyPatch!) { updateJourney(id: $id, input: $input) { __typename ... on Journey { draft } } }`;
const hookConfig = (definition: any) => definition.nodes.find((n: any) => n.id === 'hook').config;

async function storedSecret(journeyId: string, table: 'Journey' | 'JourneyVersion' = 'Journey'): Promise<unknown> {
  const column = table === 'Journey' ? 'draft' : 'definition';
  const where = table === 'Journey' ? 'id' : '"journeyId"';
  const rows = await app.db.query<{ d: any }>(`SELECT ${column} AS d FROM "${table}" WHERE ${where} = $1`, [dbId(journeyId)]);
  return rows.map((r) => hookConfig(r.d).secret)[0];
}
const dbId = (globalId: string) => Buffer.from(globalId, 'base64').toString().split(':')[1]!;

/** Enrolls the customers, runs the journey and returns who the receiver verified with which secret. */
async function run(ws: TestWorkspace, journeyId: string, customerIds: string[]) {
  received.length = 0;
  expect((await ws.gql(ENROLL, { j: journeyId, c: customerIds })).data.enrollCustomers.enrolled).toBe(customerIds.length);
  await app.runtime.drain();
  return received.map((r) => ({
    first: verifySignature(FIRST, r.headers, r.body).ok,
    second: verifySignature(SECOND, r.headers, r.body).ok,
  }));
}

describe('write-only node secrets', () => {
  it('the webhook secret is never read back (create, update, draft, version), the placeholder keeps it, a new value replaces it, and runs sign with the current one', async () => {
    const ws = await app.workspace();
    const { customers } = await setup(ws);
    const created = await ws.gql(CREATE_DRAFT, { input: { name: '推送 ERP', definition: webhookJourney(FIRST) } });
    expect(hookConfig(created.data.createJourney.draft)).toEqual({ url: URL, secret: PLACEHOLDER });
    const id = created.data.createJourney.id;
    const sealed = await storedSecret(id);
    expect(sealed).toMatch(/^sealed:v2\./);
    expect(JSON.stringify(sealed)).not.toContain('Zmlyc3Q');

    // The admin sends the draft back as it read it: the stored secret stays, byte for byte.
    const kept = await ws.gql(UPDATE_DRAFT, { id, input: { definition: webhookJourney(PLACEHOLDER) } });
    expect(hookConfig(kept.data.updateJourney.draft).secret).toBe(PLACEHOLDER);
    expect(await storedSecret(id)).toBe(sealed);

    expect((await ws.gql(PUBLISH, { id })).data.publishJourney.__typename).toBe('PublishJourneyPayload');
    const read = (await ws.gql(READ, { id })).data.journey;
    expect(hookConfig(read.draft).secret).toBe(PLACEHOLDER);
    expect(hookConfig(read.versions.edges[0].node.definition).secret).toBe(PLACEHOLDER);
    expect(await storedSecret(id, 'JourneyVersion')).toBe(sealed);
    expect(JSON.stringify(read)).not.toContain(FIRST);
    expect(JSON.stringify(read)).not.toContain('sealed:');

    expect(await run(ws, id, [customers['13900000001']!])).toEqual([{ first: true, second: false }]);

    const replaced = await ws.gql(UPDATE_DRAFT, { id, input: { definition: webhookJourney(SECOND) } });
    expect(hookConfig(replaced.data.updateJourney.draft).secret).toBe(PLACEHOLDER);
    expect(await storedSecret(id)).not.toBe(sealed);
    expect((await ws.gql(PUBLISH, { id })).data.publishJourney.__typename).toBe('PublishJourneyPayload');
    expect(await run(ws, id, [customers['13900000002']!])).toEqual([{ first: false, second: true }]);
  });

  it('an emptied secret is cleared and publishing asks for it; a too-short new one is named', async () => {
    const ws = await app.workspace();
    const id = (await ws.gql(CREATE, { input: { name: '无密钥', definition: webhookJourney(FIRST) } })).data.createJourney.id;
    await ws.gql(UPDATE, { id, input: { definition: webhookJourney('') } });
    expect(await storedSecret(id)).toBeUndefined();
    const refused = await ws.gql(PUBLISH, { id });
    expect(refused.data.publishJourney.issues).toEqual([expect.objectContaining({ code: 'INVALID_CONFIG', nodeId: 'hook', field: 'secret' })]);
    await ws.gql(UPDATE, { id, input: { definition: webhookJourney('short') } });
    expect(errorsOf((await ws.gql(READ, { id })).data.journey)).toEqual([expect.objectContaining({ code: 'INVALID_CONFIG', nodeId: 'hook', field: 'secret', message: expect.stringContaining('16 characters') })]);
  });

  it('a sealed secret copied into another workspace\'s or another journey\'s draft does not open: validation and publishing ask for it again', async () => {
    const a = await app.workspace();
    const b = await app.workspace();
    const source = (await a.gql(CREATE, { input: { name: '甲', definition: webhookJourney(FIRST) } })).data.createJourney.id;
    const sealed = await storedSecret(source);
    for (const ws of [b, a]) {
      const copy = (await ws.gql(CREATE, { input: { name: '复制', definition: webhookJourney() } })).data.createJourney.id;
      await app.db.query(`UPDATE "Journey" SET draft = $2::jsonb WHERE id = $1`, [dbId(copy), JSON.stringify(webhookJourney(sealed as string))]);
      const issues = errorsOf((await ws.gql(READ, { id: copy })).data.journey);
      expect(issues).toEqual([expect.objectContaining({ code: 'INVALID_CONFIG', nodeId: 'hook', field: 'secret', message: expect.stringContaining('enter it again') })]);
      expect((await ws.gql(PUBLISH, { id: copy })).data.publishJourney.__typename).toBe('JourneyValidationError');
    }
  });

  it('a secret saved in plain text before sealing reads as the placeholder and is sealed when the draft is saved back', async () => {
    const ws = await app.workspace();
    const id = (await ws.gql(CREATE, { input: { name: '旧旅程', definition: webhookJourney() } })).data.createJourney.id;
    await app.db.query(`UPDATE "Journey" SET draft = $2::jsonb WHERE id = $1`, [dbId(id), JSON.stringify(webhookJourney(FIRST))]);
    expect(hookConfig((await ws.gql(READ, { id })).data.journey.draft).secret).toBe(PLACEHOLDER);
    await ws.gql(UPDATE, { id, input: { definition: webhookJourney(PLACEHOLDER) } });
    expect(await storedSecret(id)).toMatch(/^sealed:v2\./);
    expect(errorsOf((await ws.gql(READ, { id })).data.journey)).toEqual([]);
  });
});

describe('rotating the server key (COURTYARD_SECRET_KEY_PREVIOUS, pnpm secrets:reseal)', () => {
  const saved = { key: process.env.COURTYARD_SECRET_KEY, previous: process.env.COURTYARD_SECRET_KEY_PREVIOUS };
  const useKeys = (key: string, previous?: string) => {
    process.env.COURTYARD_SECRET_KEY = key;
    if (previous === undefined) delete process.env.COURTYARD_SECRET_KEY_PREVIOUS;
    else process.env.COURTYARD_SECRET_KEY_PREVIOUS = previous;
  };
  afterAll(() => {
    for (const [name, value] of [['COURTYARD_SECRET_KEY', saved.key], ['COURTYARD_SECRET_KEY_PREVIOUS', saved.previous]] as const) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  });
  const idOf = (text: string) => keyId(createHash('sha256').update(text).digest());
  const connectionRow = async (workspaceId: string) => (await app.db.prisma.weComConnection.findUniqueOrThrow({ where: { workspaceId } }));

  it('with the old key listed as previous, journeys still sign and WeCom credentials still open; resealing moves every value to the new key, and then the old key can go', async () => {
    const ws = await app.workspace();
    const { customers } = await setup(ws);
    useKeys('rotation old key');
    const id = (await ws.gql(CREATE, { input: { name: '轮换', definition: webhookJourney(FIRST) } })).data.createJourney.id;
    expect((await ws.gql(PUBLISH, { id })).data.publishJourney.__typename).toBe('PublishJourneyPayload');
    await storeWeComConnection(app.db, { workspaceId: ws.id, corpId: 'ww-rotation', agentSecret: 'agent-secret-rotation', callbackToken: 'token-rotation', encodingAesKey: 'k'.repeat(43), baseUrl: null });
    expect(await storedSecret(id)).toMatch(new RegExp(`^sealed:v2\\.${idOf('rotation old key')}\\.`));

    // The new key, the old one still listed: everything opens.
    useKeys('rotation new key', 'rotation old key');
    expect(await run(ws, id, [customers['13900000001']!])).toEqual([{ first: true, second: false }]);

    // This workspace only: other tests share the database, under keys of their own.
    const mine = { workspaceIds: [ws.id] };
    const wecom = await resealWeComConnections(app.db, mine);
    const journeys = await resealJourneySecrets(app.db, mine);
    expect(wecom).toEqual({ resealed: 3, current: 0, plain: 0, unopened: [] });
    expect(journeys).toEqual({ resealed: 2, current: 0, plain: 0, unopened: [] }); // the draft's and the version's
    const underNew = new RegExp(`^sealed:v2\\.${idOf('rotation new key')}\\.`);
    expect(await storedSecret(id)).toMatch(underNew);
    expect(await storedSecret(id, 'JourneyVersion')).toMatch(underNew);

    // The old key gone: the journey signs with the same secret, the connection opens with the new key alone.
    useKeys('rotation new key');
    expect(await run(ws, id, [customers['13900000002']!])).toEqual([{ first: true, second: false }]);
    expect(openCredentials(await connectionRow(ws.id), createHash('sha256').update('rotation new key').digest())).toEqual({ agentSecret: 'agent-secret-rotation', callbackToken: 'token-rotation', encodingAesKey: 'k'.repeat(43) });

    // Run again: nothing left to do.
    expect(await resealJourneySecrets(app.db, mine)).toEqual({ resealed: 0, current: 2, plain: 0, unopened: [] });
    expect(await resealWeComConnections(app.db, mine)).toEqual({ resealed: 0, current: 3, plain: 0, unopened: [] });
    expect(await storedSecret(id)).toMatch(underNew);
  });

  it('a value sealed under a key nobody listed is named by the reseal and left as it is; the journey asks for the secret again', async () => {
    const ws = await app.workspace();
    useKeys('a key that will be lost');
    const id = (await ws.gql(CREATE, { input: { name: '丢失的密钥', definition: webhookJourney(FIRST) } })).data.createJourney.id;
    await storeWeComConnection(app.db, { workspaceId: ws.id, corpId: 'ww-lost', agentSecret: 'agent-secret-lost', callbackToken: 'token-lost', encodingAesKey: 'k'.repeat(43), baseUrl: null });
    const before = await storedSecret(id);
    const connectionBefore = await connectionRow(ws.id);

    useKeys('rotation new key');
    const journeys = await resealJourneySecrets(app.db, { workspaceIds: [ws.id] });
    const wecom = await resealWeComConnections(app.db, { workspaceIds: [ws.id] });
    expect(journeys).toMatchObject({ resealed: 0, current: 0 });
    expect(wecom).toMatchObject({ resealed: 0, current: 0 });
    expect(journeys.unopened).toHaveLength(1);
    expect(wecom.unopened).toHaveLength(1);
    expect(journeys.unopened).toContainEqual(expect.stringMatching(new RegExp(`^journey ${dbId(id)} \\(丢失的密钥\\) draft, node hook, field secret: .*key id ${idOf('a key that will be lost')}.*COURTYARD_SECRET_KEY_PREVIOUS`)));
    expect(wecom.unopened).toContainEqual(expect.stringContaining(`WeCom connection of workspace ${ws.id}: agentSecret was sealed under a key this server was not given`));
    expect(await storedSecret(id)).toBe(before);
    expect(await connectionRow(ws.id)).toMatchObject({ agentSecretSealed: connectionBefore.agentSecretSealed, callbackTokenSealed: connectionBefore.callbackTokenSealed, encodingAesKeySealed: connectionBefore.encodingAesKeySealed });
    expect(errorsOf((await ws.gql(READ, { id })).data.journey)).toEqual([expect.objectContaining({ code: 'INVALID_CONFIG', nodeId: 'hook', field: 'secret', message: expect.stringContaining('enter it again') })]);
  });

  it('a secret a published version still holds in plain text (published before sealing existed) is sealed by the reseal, and the journey signs with it as before', async () => {
    const ws = await app.workspace();
    const { customers } = await setup(ws);
    useKeys('rotation new key');
    const id = (await ws.gql(CREATE, { input: { name: '旧版本', definition: webhookJourney(FIRST) } })).data.createJourney.id;
    expect((await ws.gql(PUBLISH, { id })).data.publishJourney.__typename).toBe('PublishJourneyPayload');
    await app.db.query(`UPDATE "JourneyVersion" SET definition = $2::jsonb WHERE "journeyId" = $1`, [dbId(id), JSON.stringify(webhookJourney(FIRST))]);
    expect(await storedSecret(id, 'JourneyVersion')).toBe(FIRST);

    const report = await resealJourneySecrets(app.db, { workspaceIds: [ws.id] });
    expect(report).toEqual({ resealed: 0, current: 1, plain: 1, unopened: [] });
    expect(await storedSecret(id, 'JourneyVersion')).toMatch(new RegExp(`^sealed:v2\\.${idOf('rotation new key')}\\.`));
    expect(JSON.stringify((await app.db.query(`SELECT definition FROM "JourneyVersion" WHERE "journeyId" = $1`, [dbId(id)]))[0])).not.toContain('whsec_');
    expect(await run(ws, id, [customers['13900000001']!])).toEqual([{ first: true, second: false }]);
  });
});
