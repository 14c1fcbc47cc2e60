// Two API processes over one PostgreSQL and one Redis: node A runs the journey workers, node B
// only serves the API (COURTYARD_WORKERS=0). Customers enrolled through B are moved on by A, and a
// subscriber on B sees A's progress.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ALL_SCOPES, createDb, displayPrefix, generateApiKeySecret, hashSecret, type Db } from '@courtyard/db';
import { migrate } from '@courtyard/db/migrate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { subscribeSse } from '../src/testing.ts';
import { reachable } from './reachable.ts';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const POSTGRES_URL = process.env.TEST_POSTGRES_ADMIN_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
const DATABASE = `courtyard_journeys_nodes_${process.pid}`;
const databaseUrl = Object.assign(new URL(POSTGRES_URL), { pathname: `/${DATABASE}` }).toString();

const available = (await reachable(REDIS_URL, 6379)) && (await reachable(POSTGRES_URL, 5432));
const children: ChildProcess[] = [];
let admin: Db | undefined;
let db: Db | undefined;

/** Starts `pnpm start`'s entry point and resolves with its GraphQL URL once it listens. */
function startNode(name: string, env: Record<string, string>): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../src/main.ts', import.meta.url))], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    env: { ...process.env, PORT: '0', DATABASE_URL: databaseUrl, REDIS_URL, COURTYARD_SEED: 'false', INIT_CWD: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`node ${name} did not start within 60 s:\n${output}`)), 60_000);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const url = /GraphQL API and GraphiQL: (\S+)/.exec(output)?.[1];
      if (url) {
        clearTimeout(timer);
        resolve(url);
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    child.once('exit', (code) => reject(new Error(`node ${name} exited with ${code}:\n${output}`)));
  });
}

beforeAll(async () => {
  if (!available) return;
  admin = await createDb({ databaseUrl: POSTGRES_URL, poolSize: 1 });
  await admin.query(`DROP DATABASE IF EXISTS ${DATABASE}`);
  await admin.query(`CREATE DATABASE ${DATABASE}`);
  db = await createDb({ databaseUrl, poolSize: 2 });
  await migrate(db);
});

afterAll(async () => {
  for (const child of children) child.kill('SIGTERM');
  await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : null)));
  await db?.close();
  await admin?.query(`DROP DATABASE IF EXISTS ${DATABASE} WITH (FORCE)`).catch(() => undefined);
  await admin?.close();
});

describe.skipIf(!available)('journeys across API nodes through Redis', () => {
  it('customers enrolled through an API-only node are moved on by a worker node, and the first node\'s subscriber sees the counts', async () => {
    const [workerUrl, apiUrl] = await Promise.all([startNode('A', { COURTYARD_WORKERS: '1' }), startNode('B', { COURTYARD_WORKERS: '0' })]);
    const workspace = await db!.prisma.workspace.create({ data: { name: '两个节点' } });
    const key = generateApiKeySecret();
    await db!.prisma.apiKey.create({ data: { workspaceId: workspace.id, name: 'test', scopes: ALL_SCOPES, prefix: displayPrefix(key), secretHash: hashSecret(key) } });
    const gql = async (url: string, query: string, variables: Record<string, unknown> = {}) => {
      const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify({ query, variables }) });
      const body = (await response.json()) as { data: any; errors?: unknown };
      expect(body.errors).toBeUndefined();
      return body.data;
    };

    const people = await gql(apiUrl, `mutation { upsertCustomers(customers: [{ phone: "13900005001" }, { phone: "13900005002" }]) { ... on UpsertCustomersPayload { results { customer { id } } } } }`);
    const customerIds = people.upsertCustomers.results.map((r: any) => r.customer.id);
    const group = await gql(apiUrl, `mutation { createTagGroup(input: { name: "组", kind: basic }) { ... on TagGroup { id } } }`);
    const tag = await gql(apiUrl, `mutation ($g: ID!) { createTag(input: { groupId: $g, name: "已触达" }) { ... on Tag { id } } }`, { g: group.createTagGroup.id });
    const tagId = Buffer.from(tag.createTag.id, 'base64').toString().split(':')[1];
    const definition = {
      nodes: [
        { id: 'start', type: 'courtyard.api', version: '1.0.0', config: {} },
        { id: 'tag', type: 'courtyard.add-tags', version: '1.0.0', config: { tagIds: [tagId] } },
      ],
      edges: [{ from: 'start', port: 'next', to: 'tag' }],
    };
    const journey = await gql(apiUrl, `mutation ($i: JourneyInput!) { createJourney(input: $i) { ... on Journey { id } } }`, { i: { name: '跨节点', definition } });
    const journeyId = journey.createJourney.id;
    const published = await gql(workerUrl, `mutation ($id: ID!) { publishJourney(id: $id) { __typename } }`, { id: journeyId });
    expect(published.publishJourney.__typename).toBe('PublishJourneyPayload');

    const sub = await subscribeSse(apiUrl, key, `subscription ($id: ID!) { journeyProgress(journeyId: $id) { nodes { nodeId entered completed } } }`, { id: journeyId });
    try {
      expect(await sub.waitFor(1, 5000)).toBe(1);
      expect(sub.received[0].data.journeyProgress.nodes).toEqual([]);
      // Redis subscriptions attach asynchronously; give B's a moment before anything is published.
      await new Promise((r) => setTimeout(r, 300));
      const enrolled = await gql(apiUrl, `mutation ($j: ID!, $c: [ID!]!) { enrollCustomers(journeyId: $j, customerIds: $c) { ... on EnrollCustomersPayload { enrolled } } }`, { j: journeyId, c: customerIds });
      expect(enrolled.enrollCustomers.enrolled).toBe(2);

      const done = (m: any) => m.data.journeyProgress.nodes.some((n: any) => n.nodeId === 'tag' && n.completed === 2);
      for (const start = Date.now(); !sub.received.some(done) && Date.now() - start < 15_000; ) await new Promise((r) => setTimeout(r, 50));
      expect(sub.received.find(done).data.journeyProgress.nodes).toContainEqual({ nodeId: 'tag', entered: 2, completed: 2 });
      const tagged = await db!.prisma.customerTag.count({ where: { workspaceId: workspace.id, tagId } });
      expect(tagged).toBe(2);
    } finally {
      sub.close();
    }
  });
});
