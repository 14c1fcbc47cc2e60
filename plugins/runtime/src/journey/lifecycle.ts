import type { Db } from '@courtyard/db';
import type { TriggerNode } from '@courtyard/plugin-sdk';
import type { NodeRegistry } from '../registry.ts';
import { JourneySettings } from './definition.ts';
import { type JourneyIssue, validateJourney } from './validate.ts';
import { referenceIssues } from './references.ts';

export type LifecycleError =
  | { kind: 'not-found' }
  | { kind: 'invalid'; issues: JourneyIssue[] }
  | { kind: 'conflict'; message: string };

export interface PublishResult {
  versionId: string;
  version: number;
  /** Present when `migrate` was asked: enrollments moved to the new version, and those left behind by node. */
  migration?: MigrationReport;
}

export interface MigrationReport {
  moved: number;
  /** Customers left on their version because their node is not in the new one. */
  unmatched: { nodeId: string; customers: number }[];
}

/**
 * Publishes the draft as version N+1: validates it (errors block), stores an immutable copy, makes
 * it the one that takes new enrollments, and activates the journey. Customers inside stay on their
 * version unless `migrate` moves those whose node exists in the new one.
 */
export async function publishJourney(
  db: Db,
  registry: NodeRegistry,
  workspaceId: string,
  journeyId: string,
  options: { migrate?: boolean } = {},
): Promise<PublishResult | LifecycleError> {
  const journey = await db.prisma.journey.findFirst({ where: { id: journeyId, workspaceId } });
  if (!journey) return { kind: 'not-found' };
  if (journey.status === 'archived') return { kind: 'conflict', message: 'an archived journey cannot be published; duplicate it instead' };
  const validated = validateJourney(journey.draft, registry, { workspaceId, journeyId });
  const errors = [...validated.issues, ...(await referenceIssues(db, workspaceId, validated))].filter((i) => i.severity === 'error');
  if (errors.length) return { kind: 'invalid', issues: errors };
  const settings = JourneySettings.safeParse(journey.settings ?? {});
  if (!settings.success) {
    return { kind: 'invalid', issues: settings.error.issues.map((i) => ({ code: 'INVALID_SHAPE', severity: 'error', nodeId: null, field: `settings.${i.path.join('.')}`, message: i.message })) };
  }
  const trigger = validated.nodes.get(validated.triggerId!)!;
  const source = (trigger.node as TriggerNode).source(trigger.config);
  const triggerKey = source.kind === 'event' ? source.eventType : source.kind === 'segment' ? source.segmentId : null;

  const result = await db.transaction(async (query) => {
    const [fresh] = await query<{ latestVersion: number }>(
      `UPDATE "Journey" SET "latestVersion" = COALESCE("latestVersion", 0) + 1, status = CASE WHEN status = 'paused' THEN status ELSE 'active' END,
              "draftChanged" = false, "updatedAt" = now()
        WHERE id = $1 AND "workspaceId" = $2 RETURNING "latestVersion"`,
      [journeyId, workspaceId],
    );
    await query(`UPDATE "JourneyVersion" SET accepting = false WHERE "journeyId" = $1`, [journeyId]);
    const [version] = await query<{ id: string; version: number }>(
      `INSERT INTO "JourneyVersion" ("workspaceId", "journeyId", version, definition, layout, settings, "triggerKind", "triggerKey", accepting)
       VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6::jsonb, $7, $8, $9) RETURNING id, version`,
      [workspaceId, journeyId, fresh!.latestVersion, JSON.stringify(validated.definition), JSON.stringify(journey.layout ?? {}), JSON.stringify(settings.data), source.kind, triggerKey, journey.status !== 'paused'],
    );
    return version!;
  });
  const out: PublishResult = { versionId: result.id, version: result.version };
  if (options.migrate) out.migration = await migrateEnrollments(db, journeyId, result.id, validated.definition.nodes.map((n) => n.id));
  return out;
}

/**
 * Moves customers inside older versions to `versionId` where their current node exists there too
 * (same node id); reports the rest by node. Steps in flight keep their lease and visit, so a worker
 * finishing one still records it.
 */
export async function migrateEnrollments(db: Db, journeyId: string, versionId: string, nodeIds: string[]): Promise<MigrationReport> {
  const moved = await db.query<{ id: string }>(
    `UPDATE "Enrollment" SET "versionId" = $2
      WHERE "journeyId" = $1 AND "versionId" <> $2 AND status IN ('active', 'waiting') AND "nodeId" = ANY($3::text[])
      RETURNING id`,
    [journeyId, versionId, nodeIds],
  );
  const unmatched = await db.query<{ nodeId: string; customers: number }>(
    `SELECT "nodeId", count(*)::int AS customers FROM "Enrollment"
      WHERE "journeyId" = $1 AND "versionId" <> $2 AND status IN ('active', 'waiting') GROUP BY "nodeId" ORDER BY "nodeId"`,
    [journeyId, versionId],
  );
  return { moved: moved.length, unmatched };
}

/** Pauses: no new enrollments, and no steps run, until resumed (waits keep counting). */
export async function setJourneyStatus(db: Db, workspaceId: string, journeyId: string, action: 'pause' | 'resume' | 'archive'): Promise<{ status: string } | LifecycleError> {
  const journey = await db.prisma.journey.findFirst({ where: { id: journeyId, workspaceId } });
  if (!journey) return { kind: 'not-found' };
  if (journey.status === 'archived') return { kind: 'conflict', message: 'the journey is archived' };
  if (action !== 'archive' && journey.latestVersion == null) return { kind: 'conflict', message: 'publish the journey first' };
  if (action === 'pause' && journey.status !== 'active') return { kind: 'conflict', message: `only an active journey can be paused (it is ${journey.status})` };
  if (action === 'resume' && journey.status !== 'paused') return { kind: 'conflict', message: `only a paused journey can be resumed (it is ${journey.status})` };
  const status = action === 'pause' ? 'paused' : action === 'resume' ? 'active' : 'archived';
  await db.prisma.$transaction(async (tx) => {
    await tx.journey.update({ where: { id: journeyId }, data: { status } });
    await tx.journeyVersion.updateMany({ where: { journeyId }, data: { accepting: false } });
    if (action === 'resume') await tx.journeyVersion.updateMany({ where: { journeyId, version: journey.latestVersion! }, data: { accepting: true } });
  });
  if (action === 'archive') {
    await db.query(
      `UPDATE "Enrollment" SET status = 'exited', "exitReason" = 'journey archived', "endedAt" = now(), "leaseUntil" = NULL
        WHERE "journeyId" = $1 AND status IN ('active', 'waiting')`,
      [journeyId],
    );
  }
  return { status };
}
