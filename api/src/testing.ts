// Test harness: the real schema in memory over a real database, one fresh workspace per test.
import { ALL_SCOPES, displayPrefix, generateApiKeySecret, hashSecret, type Db, type Scope } from '@courtyard/db';
import { createTestDb } from '@courtyard/db/testing';
import { createApp, type App, type AppOptions } from './app.ts';

export interface GqlResult<T = Record<string, any>> {
  status: number;
  data: T;
  errors?: { message: string; extensions?: Record<string, any>; path?: (string | number)[] }[];
  contentType: string | null;
}

export interface TestWorkspace {
  id: string;
  /** An API key secret of this workspace. */
  key: string;
  /** Runs an operation with this workspace's key (or `token` if given). */
  gql<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>>;
  /** A further key of the same workspace with only these scopes. */
  keyWith(scopes: Scope[]): Promise<string>;
}

export interface TestApp extends App {
  sql: string[];
  /** A new workspace with an all-scopes API key. */
  workspace(name?: string): Promise<TestWorkspace>;
  request<T = Record<string, any>>(query: string, variables?: Record<string, unknown>, token?: string, init?: RequestInit & { path?: string }): Promise<GqlResult<T>>;
  close(): Promise<void>;
}

async function createKey(db: Db, workspaceId: string, scopes: Scope[]): Promise<string> {
  const secret = generateApiKeySecret();
  await db.prisma.apiKey.create({ data: { workspaceId, name: 'test', scopes, prefix: displayPrefix(secret), secretHash: hashSecret(secret) } });
  return secret;
}

/**
 * The app over a fresh test database. Its journey runtime is not started: a test moves customers
 * on with `app.runtime.drain()`, and only through its own workspaces, as test files may share one
 * PostgreSQL database.
 */
export async function createTestApp(options: Omit<AppOptions, 'db'> = {}): Promise<TestApp> {
  const sql: string[] = [];
  const db = await createTestDb({ onQuery: (q) => sql.push(q) });
  const workspaces = new Set<string>();
  const app = createApp({ ...options, db, logErrors: options.logErrors ?? true, runtime: { workspaces, ...options.runtime } });

  async function request<T>(query: string, variables?: Record<string, unknown>, token?: string, init: RequestInit & { path?: string } = {}): Promise<GqlResult<T>> {
    const headers = new Headers(init.headers);
    headers.set('content-type', 'application/json');
    headers.set('accept', 'application/graphql-response+json');
    if (token) headers.set('authorization', `Bearer ${token}`);
    const response = await app.yoga.fetch(`http://yoga${init.path ?? '/graphql'}`, {
      method: 'POST',
      body: JSON.stringify({ query, variables }),
      ...init,
      headers,
    });
    const text = await response.text();
    const body = text ? JSON.parse(text) : {};
    return { status: response.status, data: body.data, errors: body.errors, contentType: response.headers.get('content-type') };
  }

  return {
    ...app,
    sql,
    request,
    async workspace(name = 'Test brand') {
      const ws = await db.prisma.workspace.create({ data: { name }, select: { id: true } });
      workspaces.add(ws.id);
      const key = await createKey(db, ws.id, ALL_SCOPES);
      return {
        id: ws.id,
        key,
        gql: (query, variables, token) => request(query, variables, token ?? key),
        keyWith: (scopes) => createKey(db, ws.id, scopes),
      };
    },
    async close() {
      app.close();
      await app.runtime.stop();
      await db.close();
    },
  };
}

export interface SseSubscription {
  /** The `next` payloads received so far, in order. */
  received: any[];
  /** Waits until `count` payloads arrived or `ms` passed; returns how many arrived. */
  waitFor(count: number, ms: number): Promise<number>;
  close(): void;
}

/**
 * Subscribes over Server-Sent Events: in memory to an app, or over HTTP to a running server's
 * GraphQL URL. An answer that is not a stream (an error) becomes the first payload.
 */
export async function subscribeSse(
  target: Pick<App, 'yoga'> | string,
  token: string,
  query: string,
  variables: Record<string, unknown> = {},
): Promise<SseSubscription> {
  const abort = new AbortController();
  const init: RequestInit = {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  };
  const response = typeof target === 'string' ? await fetch(target, init) : await target.yoga.fetch('http://yoga/graphql', init);
  const received: any[] = [];
  if (!response.headers.get('content-type')?.includes('text/event-stream')) {
    received.push(JSON.parse(await response.text()));
  } else {
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      let text = '';
      for (let chunk; !(chunk = await reader.read().catch(() => ({ done: true as const }))).done; ) {
        text += chunk.value;
        const messages = text.split('\n\n');
        text = messages.pop()!;
        for (const lines of messages.map((m) => m.split('\n'))) {
          if (lines.includes('event: next')) received.push(JSON.parse(lines.filter((l) => l.startsWith('data:')).map((l) => l.slice(5)).join('\n')));
        }
      }
    })();
  }
  return {
    received,
    async waitFor(count, ms) {
      for (const start = Date.now(); received.length < count && Date.now() - start < ms; ) await new Promise((r) => setTimeout(r, 10));
      return received.length;
    },
    close: () => abort.abort(),
  };
}
