// seedDemo(): the demo workspace that `pnpm start` shows on a fresh database: a login, staff
// sub-accounts, the tag taxonomy of the domain brief, an API key with every scope and a couple of
// thousand generated customers. Created once, in one transaction; later calls only make sure the
// requested demo API key exists.
import type { Db } from '../client.ts';
import { displayPrefix, generateApiKeySecret, hashPassword, hashSecret } from '../credentials.ts';
import { ALL_SCOPES } from '../scopes.ts';
import { DEMO_STAFF, DEMO_TAXONOMY } from './catalog.ts';
import { type CopySink, inTransaction } from './copy.ts';
import { generateCustomersIn } from './generate.ts';

export const DEMO_WORKSPACE_NAME = '演示品牌 Demo Brand';
export const DEMO_LOGIN = { email: 'demo@courtyard.local', password: 'courtyard-demo' } as const;

export interface SeedDemoOptions {
  /** Use this secret for the demo API key (e.g. from an env variable), so scripts can know it. Default: a new random key. */
  demoApiKey?: string | undefined;
  /** Generated customers in the demo workspace. Default 2,000 (keeps a fresh PGlite start fast). */
  customers?: number | undefined;
  /** Seed of the generated data. Default 1. */
  seed?: number | undefined;
}

export interface DemoSeedResult {
  /** True when this call created the demo workspace. */
  created: boolean;
  workspaceId: string;
  /** The demo API key's secret: when it was created by this call, or when `demoApiKey` was given. */
  apiKey?: string;
  login: { email: string; password: string };
}

// Serialises concurrent seeders (an API node starting while `pnpm db:seed` runs).
const LOCK_SQL = `SELECT pg_advisory_xact_lock(hashtext('courtyard:seed-demo'))`;

async function findDemoWorkspace(sink: CopySink): Promise<string | undefined> {
  const [row] = await sink.query<{ id: string }>(
    `SELECT w.id FROM "Workspace" w
       JOIN "Membership" ms ON ms."workspaceId" = w.id
       JOIN "Member" m ON m.id = ms."memberId"
      WHERE m.email = $1 AND w.name = $2
      ORDER BY w."createdAt", w.id LIMIT 1`,
    [DEMO_LOGIN.email, DEMO_WORKSPACE_NAME],
  );
  return row?.id;
}

async function insertApiKey(sink: CopySink, workspaceId: string, secret: string): Promise<void> {
  const secretHash = hashSecret(secret);
  const [other] = await sink.query<{ workspaceId: string }>('SELECT "workspaceId" FROM "ApiKey" WHERE "secretHash" = $1', [secretHash]);
  if (other) throw new Error('seedDemo: the demo API key is already used by another workspace; choose another key');
  await sink.query(
    `INSERT INTO "ApiKey" ("workspaceId", name, prefix, "secretHash", scopes) VALUES ($1, $2, $3, $4, $5::text[])`,
    [workspaceId, '演示密钥 Demo key', displayPrefix(secret), secretHash, ALL_SCOPES],
  );
}

async function createDemo(sink: CopySink, passwordHash: string, apiKey: string, options: SeedDemoOptions): Promise<string> {
  const [workspace] = await sink.query<{ id: string }>(
    `INSERT INTO "Workspace" (name, "timeZone") VALUES ($1, 'Asia/Shanghai') RETURNING id`,
    [DEMO_WORKSPACE_NAME],
  );
  const workspaceId = workspace!.id;
  // The demo login is public knowledge: if the member outlived its workspace, reset its password.
  // It is also a platform operator, so the demo shows the marketplace's review queue.
  const [member] = await sink.query<{ id: string }>(
    `INSERT INTO "Member" (email, name, "passwordHash", "platformAdmin") VALUES ($1, $2, $3, true)
     ON CONFLICT (email) DO UPDATE SET "passwordHash" = EXCLUDED."passwordHash", "platformAdmin" = true RETURNING id`,
    [DEMO_LOGIN.email, '演示管理员', passwordHash],
  );
  await sink.query(`INSERT INTO "Membership" ("workspaceId", "memberId", role) VALUES ($1, $2, 'owner')`, [workspaceId, member!.id]);
  await sink.query(
    `INSERT INTO "Staff" ("workspaceId", name, "wecomUserId") SELECT $1, * FROM unnest($2::text[], $3::text[])`,
    [workspaceId, DEMO_STAFF.map((s) => s.name), DEMO_STAFF.map((s) => s.wecomUserId)],
  );
  const groups = await sink.query<{ id: string; name: string }>(
    `INSERT INTO "TagGroup" ("workspaceId", name, kind, description)
     SELECT $1, g.name, g.kind::"TagGroupKind", g.description FROM unnest($2::text[], $3::text[], $4::text[]) AS g(name, kind, description)
     RETURNING id, name`,
    [workspaceId, DEMO_TAXONOMY.map((g) => g.name), DEMO_TAXONOMY.map((g) => g.kind), DEMO_TAXONOMY.map((g) => g.description)],
  );
  const groupId = new Map(groups.map((g) => [g.name, g.id]));
  const tags = DEMO_TAXONOMY.flatMap((g) => g.tags.map((tag) => ({ groupId: groupId.get(g.name)!, name: tag, color: g.color })));
  await sink.query(
    `INSERT INTO "Tag" ("workspaceId", "groupId", name, color) SELECT $1, * FROM unnest($2::uuid[], $3::text[], $4::text[])`,
    [workspaceId, tags.map((t) => t.groupId), tags.map((t) => t.name), tags.map((t) => t.color)],
  );
  await insertApiKey(sink, workspaceId, apiKey);
  await generateCustomersIn(sink, { workspaceId, customers: options.customers ?? 2_000, seed: options.seed ?? 1 });
  return workspaceId;
}

/** Creates the demo workspace if it is missing (idempotent; see the file comment). */
export async function seedDemo(db: Db, options: SeedDemoOptions = {}): Promise<DemoSeedResult> {
  const login = { email: DEMO_LOGIN.email, password: DEMO_LOGIN.password };
  const existing = await inTransaction(db, async (sink) => {
    await sink.query(LOCK_SQL);
    const workspaceId = await findDemoWorkspace(sink);
    if (workspaceId && options.demoApiKey) {
      const [key] = await sink.query('SELECT 1 FROM "ApiKey" WHERE "workspaceId" = $1 AND "secretHash" = $2', [workspaceId, hashSecret(options.demoApiKey)]);
      if (!key) await insertApiKey(sink, workspaceId, options.demoApiKey);
    }
    return workspaceId;
  });
  if (existing) return { created: false, workspaceId: existing, ...(options.demoApiKey ? { apiKey: options.demoApiKey } : {}), login };

  const passwordHash = await hashPassword(DEMO_LOGIN.password);
  const apiKey = options.demoApiKey ?? generateApiKeySecret();
  const result = await inTransaction(db, async (sink) => {
    await sink.query(LOCK_SQL);
    // Another process may have seeded while we hashed the password.
    const raced = await findDemoWorkspace(sink);
    if (raced) return { created: false, workspaceId: raced };
    return { created: true, workspaceId: await createDemo(sink, passwordHash, apiKey, options) };
  });
  if (!result.created) return seedDemo(db, options);
  return { created: true, workspaceId: result.workspaceId, apiKey, login };
}
