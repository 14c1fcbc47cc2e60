// The API process serves the built admin: its routes load index.html, hashed assets are cached for
// good, and a rebuild while running (old assets gone) answers 404 instead of taking the process down.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../src/server.ts';
import { createTestApp, type TestApp } from '../src/testing.ts';

let app: TestApp;
let server: RunningServer;
const dir = mkdtempSync(join(tmpdir(), 'courtyard-admin-'));
const base = () => `http://127.0.0.1:${server.port}`;

beforeAll(async () => {
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Courtyard</title><script src="/assets/app-1.js"></script>');
  writeFileSync(join(dir, 'assets', 'app-1.js'), 'console.log(1)');
  app = await createTestApp();
  server = await startServer(app, { port: 0, host: '127.0.0.1', admin: { dir } });
});
afterAll(async () => {
  await server?.close();
  await app?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('serving the admin', () => {
  it('answers the admin\'s own routes with index.html, never cached, and assets cached for good', async () => {
    for (const path of ['/', '/segments/U2VnbWVudDox', '/journeys?status=active']) {
      const res = await fetch(`${base()}${path}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toContain('<title>Courtyard</title>');
    }
    const asset = await fetch(`${base()}/assets/app-1.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
  });

  it('keeps /graphql for the API', async () => {
    const res = await fetch(`${base()}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) });
    expect(await res.json()).toEqual({ data: { __typename: 'Query' } });
  });

  it('serves a rebuild made while running, and a vanished asset is a 404 while the process lives on', async () => {
    rmSync(join(dir, 'assets', 'app-1.js'));
    writeFileSync(join(dir, 'assets', 'app-2.js'), 'console.log(2)');
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>Courtyard 2</title><script src="/assets/app-2.js"></script>');
    expect((await fetch(`${base()}/assets/app-1.js`)).status).toBe(404);
    expect(await (await fetch(`${base()}/assets/app-2.js`)).text()).toBe('console.log(2)');
    expect(await (await fetch(`${base()}/customers`)).text()).toContain('Courtyard 2');
  });
});
