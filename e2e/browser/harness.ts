// Browser tests run the real thing: the API process (`api/src/main.ts`, which serves the built
// admin) on its own database, and Debian's Chromium driven by playwright-core. Each test file gets
// a fresh database; each test signs up its own workspace, so tests never see each other's data.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { vi } from 'vitest';

// A browser scenario is many steps end to end; on a shared 2-core machine running the whole suite
// it may take minutes. Every file using this harness gets that room.
vi.setConfig({ testTimeout: 180_000 });

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = join(root, 'e2e', 'artifacts');

/**
 * Whether browser tests can run here. CI installs Chromium and must run them; on a workstation
 * without it they are skipped with the reason printed.
 */
export function browserAvailable(): boolean {
  const ok = existsSync(CHROMIUM) && existsSync(join(root, 'admin', 'dist', 'index.html'));
  if (!ok && process.env.CI) throw new Error(`Browser tests need ${CHROMIUM} (apt-get install -y chromium) and the built admin (pnpm --filter @courtyard/admin build).`);
  if (!ok) console.warn(`Skipping browser tests: install Chromium (apt-get install -y chromium) at ${CHROMIUM} and build the admin.`);
  return ok;
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A database of its own for one test file: PostgreSQL when TEST_DATABASE_URL is set, else a PGlite folder. */
async function freshDatabase(name: string): Promise<{ env: Record<string, string>; drop(): Promise<void> }> {
  const base = process.env.TEST_DATABASE_URL;
  if (!base) {
    const dir = mkdtempSync(join(tmpdir(), `courtyard-e2e-${name}-`));
    return { env: { COURTYARD_DATA_DIR: dir }, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const url = new URL(base);
  const database = `courtyard_e2e_${name.replace(/\W/g, '_')}_test`;
  const admin = new pg.Client({ connectionString: Object.assign(new URL(base), { pathname: '/postgres' }).toString() });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin.query(`CREATE DATABASE ${database}`);
  await admin.end();
  url.pathname = `/${database}`;
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      const c = new pg.Client({ connectionString: Object.assign(new URL(base), { pathname: '/postgres' }).toString() });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface Courtyard {
  /** Base URL of the admin and API, e.g. http://localhost:41234 */
  url: string;
  /** Everything the process printed so far. */
  output(): string;
  stop(): Promise<void>;
}

/** Starts `pnpm start`'s process (without the build step) on a free port and a fresh database. */
export async function startCourtyard(name: string): Promise<Courtyard> {
  const port = await freePort();
  const db = await freshDatabase(name);
  const env: NodeJS.ProcessEnv = { ...process.env, ...db.env, PORT: String(port), COURTYARD_SEED: 'false', COURTYARD_POLL_MS: '100' };
  if (!db.env.DATABASE_URL) delete env.DATABASE_URL;
  delete env.INIT_CWD;
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'api/src/main.ts'], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const deadline = Date.now() + 120_000;
  while (!output.includes('Courtyard is running')) {
    if (child.exitCode !== null) throw new Error(`the API exited early:\n${output}`);
    if (Date.now() > deadline) throw new Error(`the API was not ready in 120 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url: `http://localhost:${port}`,
    output: () => output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      await db.drop();
    },
  };
}

export interface Workspace {
  email: string;
  password: string;
  /** An API key with every scope, for arranging data and checking what the admin shows. */
  apiKey: string;
  gql<T = any>(query: string, variables?: Record<string, unknown>): Promise<T>;
}

async function post(url: string, query: string, variables: Record<string, unknown> | undefined, token?: string) {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: any; errors?: Array<{ message: string }> };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${body.errors.map((e) => e.message).join('; ')}\n${query}`);
  return body.data;
}

let counter = 0;

/** Signs up a new workspace with its owner and gives it an all-scope API key. */
export async function newWorkspace(app: Courtyard, name = 'E2E 品牌'): Promise<Workspace> {
  const email = `owner-${Date.now()}-${++counter}@e2e.test`;
  const password = 'e2e-password-123';
  const signUp = await post(app.url, `mutation($input: SignUpInput!) { signUp(input: $input) { __typename ... on SessionPayload { token } ... on Error { message } } }`, {
    input: { workspaceName: name, name: '运营小王', email, password },
  });
  if (signUp.signUp.__typename !== 'SessionPayload') throw new Error(`sign-up failed: ${signUp.signUp.message}`);
  const scopes = await post(app.url, '{ viewer { scopes } }', undefined, signUp.signUp.token);
  const key = await post(
    app.url,
    `mutation($input: CreateApiKeyInput!) { createApiKey(input: $input) { __typename ... on CreatedApiKey { secret } ... on Error { message } } }`,
    { input: { name: 'e2e', scopes: scopes.viewer.scopes } },
    signUp.signUp.token,
  );
  const apiKey = key.createApiKey.secret as string;
  return { email, password, apiKey, gql: (query, variables) => post(app.url, query, variables, apiKey) };
}

export interface BrowserSession {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  /** Console errors and uncaught exceptions seen so far; a test ends by asserting there are none. */
  consoleErrors: string[];
  /** Saves a screenshot as e2e/artifacts/<file>/<nn>-<step>.png. */
  shot(step: string): Promise<void>;
  close(): Promise<void>;
}

export async function openBrowser(testFile: string, baseURL: string): Promise<BrowserSession> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  // Generous for a shared 2-core machine running the whole suite; a step that never happens still fails.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(String(e)));
  const dir = join(ARTIFACTS, basename(testFile).replace(/\.test\.ts$/, ''));
  mkdirSync(dir, { recursive: true });
  let n = 0;
  return {
    browser,
    context,
    page,
    consoleErrors,
    async shot(step) {
      n += 1;
      await page.screenshot({ path: join(dir, `${String(n).padStart(2, '0')}-${step}.png`), fullPage: true });
    },
    close: () => browser.close(),
  };
}

/** Signs in through the sign-in page and waits for the shell. */
export async function signIn(page: Page, ws: Pick<Workspace, 'email' | 'password'>): Promise<void> {
  await page.goto('/login');
  await page.getByTestId('sign-in-email').locator('input').fill(ws.email);
  await page.getByTestId('sign-in-password').locator('input').fill(ws.password);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('workspace-switch').waitFor();
}
