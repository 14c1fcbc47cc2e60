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

export async function createTestApp(options: Omit<AppOptions, 'db'> = {}): Promise<TestApp> {
  const sql: string[] = [];
  const db = await createTestDb({ onQuery: (q) => sql.push(q) });
  const app = createApp({ ...options, db, logErrors: options.logErrors ?? true });

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
      const key = await createKey(db, ws.id, ALL_SCOPES);
      return {
        id: ws.id,
        key,
        gql: (query, variables, token) => request(query, variables, token ?? key),
        keyWith: (scopes) => createKey(db, ws.id, scopes),
      };
    },
    close: () => db.close(),
  };
}
