import { createDb, type Db } from '@courtyard/db';
import { migrate } from '@courtyard/db/migrate';
import pg from 'pg';
import { createTestDb } from '@courtyard/db/testing';
import { publishJourney } from './journey/lifecycle.ts';
import type { JourneyDefinition, JourneySettings } from './journey/definition.ts';
import { builtinRegistry, type NodeRegistry } from './registry.ts';
import { JourneyRuntime, type RuntimeOptions } from './runtime.ts';

/**
 * A database and a runtime that works only for the workspaces made through `workspace()`, so test
 * files sharing one PostgreSQL database never run each other's steps.
 */
export async function createRuntimeFixture(options: Partial<RuntimeOptions> & { registry?: NodeRegistry } = {}) {
  const db = await createTestDb();
  const workspaces = new Set<string>();
  const runtime = new JourneyRuntime({ db, workspaces, pollMs: 50, log: () => undefined, ...options });
  return {
    db,
    runtime,
    async workspace(settings: { frequencyCapPerDay?: number; frequencyCapMode?: 'delay' | 'skip'; quietHoursStart?: string; quietHoursEnd?: string } = {}) {
      const ws = await db.prisma.workspace.create({ data: { name: `test ${Math.random().toString(36).slice(2)}`, ...settings } });
      workspaces.add(ws.id);
      return workspaceHelpers(db, runtime, ws.id, options.registry ?? builtinRegistry);
    },
    async close() {
      await runtime.stop();
      await db.close();
    },
  };
}

function workspaceHelpers(db: Db, runtime: JourneyRuntime, workspaceId: string, registry: NodeRegistry) {
  return {
    id: workspaceId,
    async customers(n: number, data: (i: number) => Record<string, unknown> = () => ({})) {
      const rows = await db.query<{ id: string }>(
        `INSERT INTO "Customer" ("workspaceId", name, phone, email, attributes, "marketingConsent", blacklisted)
         SELECT $1, '客户' || i, '1380000' || lpad(i::text, 4, '0'), 'c' || i || '@example.com', t.attrs, t.consent, t.black
           FROM jsonb_to_recordset($2::jsonb) AS t(i int, attrs jsonb, consent boolean, black boolean)
         RETURNING id`,
        [
          workspaceId,
          JSON.stringify(
            Array.from({ length: n }, (_, i) => {
              const d = data(i);
              return { i, attrs: d.attributes ?? {}, consent: d.marketingConsent ?? true, black: d.blacklisted ?? false };
            }),
          ),
        ],
      );
      return rows.map((r) => r.id);
    },
    async tag(name: string) {
      const group = await db.prisma.tagGroup.upsert({
        where: { workspaceId_name: { workspaceId, name: 'journey tests' } },
        create: { workspaceId, name: 'journey tests', kind: 'behaviour' },
        update: {},
      });
      return (await db.prisma.tag.create({ data: { workspaceId, groupId: group.id, name } })).id;
    },
    /** Creates and publishes a journey; throws with the issues when it does not validate. */
    async journey(definition: JourneyDefinition, settings: Partial<JourneySettings> = {}) {
      const journey = await db.prisma.journey.create({ data: { workspaceId, name: `j ${Math.random().toString(36).slice(2)}`, draft: definition as never, settings: settings as never } });
      const published = await publishJourney(db, registry, workspaceId, journey.id);
      if (!('versionId' in published)) throw new Error(`journey did not publish: ${JSON.stringify(published)}`);
      runtime.journeysChanged(workspaceId);
      return { journeyId: journey.id, ...published };
    },
    async tagsOf(customerId: string) {
      return (await db.query<{ tagId: string }>(`SELECT "tagId" FROM "CustomerTag" WHERE "customerId" = $1`, [customerId])).map((r) => r.tagId);
    },
    async enrollments(journeyId: string) {
      return db.query<{ id: string; customerId: string; status: string; nodeId: string; exitReason: string | null; lastError: string | null; versionId: string }>(
        `SELECT id, "customerId", status::text AS status, "nodeId", "exitReason", "lastError", "versionId" FROM "Enrollment" WHERE "journeyId" = $1 ORDER BY "customerId"`,
        [journeyId],
      );
    },
    async deliveries() {
      return db.query<{ key: string; customerId: string; status: string; body: string; error: string | null }>(
        `SELECT key, "customerId", status::text AS status, body, error FROM "Delivery" WHERE "workspaceId" = $1 ORDER BY "createdAt", key`,
        [workspaceId],
      );
    },
  };
}

/** A node reference for definitions in tests: type `courtyard.<name>` at 1.0.0. */
export function node(id: string, name: string, config: Record<string, unknown> = {}) {
  return { id, type: name.includes('.') ? name : `courtyard.${name}`, version: '1.0.0', config };
}

export function edge(from: string, to: string, port = 'next') {
  return { from, port, to };
}

/**
 * The PostgreSQL database of the tests that kill real worker processes (workers need a server):
 * TEST_DATABASE_URL when set (CI), else `courtyard_kill_test` on the local server, created and
 * migrated on first use.
 */
export async function killTestDatabase(): Promise<{ url: string; db: Db }> {
  const url = process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/courtyard_kill_test';
  if (!process.env.TEST_DATABASE_URL) {
    const admin = new pg.Client({ connectionString: url.replace(/\/[^/]+$/, '/postgres') });
    await admin.connect();
    const exists = await admin.query(`SELECT 1 FROM pg_database WHERE datname = 'courtyard_kill_test'`);
    if (!exists.rowCount) await admin.query('CREATE DATABASE courtyard_kill_test');
    await admin.end();
  }
  const db = await createDb({ databaseUrl: url, poolSize: 4 });
  if (!process.env.TEST_DATABASE_URL) await migrate(db);
  return { url, db };
}
