// `pnpm start` as a newcomer runs it: a fresh embedded database, no PostgreSQL, a chosen demo key.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'courtyard-start-'));
const DEMO_KEY = 'demo-secret-for-scripts';

afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

async function start(port: number): Promise<{ child: ChildProcess; output: () => string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), COURTYARD_DATA_DIR: dataDir, COURTYARD_DEMO_API_KEY: DEMO_KEY };
  delete env.DATABASE_URL;
  delete env.INIT_CWD;
  const child = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 90_000;
  while (!output.includes('Demo API key')) {
    if (child.exitCode !== null) throw new Error(`exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`not ready in 90 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return { child, output: () => output };
}

async function stop(child: ChildProcess): Promise<number | null> {
  child.kill('SIGTERM');
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

async function gql(port: number, query: string) {
  const res = await fetch(`http://localhost:${port}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${DEMO_KEY}` },
    body: JSON.stringify({ query }),
  });
  return (await res.json()) as { data: any; errors?: unknown[] };
}

describe('pnpm start on a fresh machine', () => {
  it('migrates the embedded database, seeds the demo workspace once, serves /graphql with the chosen demo key, and stops cleanly', async () => {
    const port = await freePort();
    const first = await start(port);
    expect(first.output()).toContain('embedded PGlite');
    expect(first.output()).toContain('demo@courtyard.local / courtyard-demo');
    expect(first.output()).toContain(DEMO_KEY);
    const r = await gql(port, '{ viewer { workspace { name } } customers { totalCount } tagGroups(kind: risk) { tags { name } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data.customers.totalCount).toBeGreaterThan(100);
    expect(r.data.tagGroups[0].tags.map((t: { name: string }) => t.name)).toContain('投诉倾向');
    expect(await stop(first.child)).toBe(0);

    const second = await start(port);
    expect(second.output()).not.toContain('Applied');
    const again = await gql(port, '{ customers { totalCount } }');
    expect(again.data.customers.totalCount).toBe(r.data.customers.totalCount);
    expect(await stop(second.child)).toBe(0);
  }, 240_000);
});
