// A campaign's audience, set-based: members of the chosen segments, minus the exclusion segments,
// the workspace's always-excluded customers (blacklist, no marketing consent, risk tags) and anyone
// already at the frequency cap today. `estimateAudience` counts each step; `snapshotAudience`
// writes one Delivery row per customer in one INSERT … SELECT (the control group as held_out).
import type { QueryFn } from '@courtyard/db';
import { dayStart } from '../engine/clock.ts';
import type { CampaignDefinition } from './definition.ts';

export interface AudienceSettings {
  workspaceId: string;
  timeZone: string;
  frequencyCapPerDay: number | null;
  campaignExcludedTagIds: string[];
}

export async function loadAudienceSettings(query: QueryFn, workspaceId: string): Promise<AudienceSettings> {
  const [row] = await query<AudienceSettings>(
    `SELECT id AS "workspaceId", "timeZone", "frequencyCapPerDay", COALESCE("campaignExcludedTagIds", '{}')::text[] AS "campaignExcludedTagIds" FROM "Workspace" WHERE id = $1`,
    [workspaceId],
  );
  if (!row) throw new Error(`workspace ${workspaceId} not found`);
  return row;
}

/** $1–$6 of both statements: workspace, segments, exclusion segments, marketing, risk tags, cap. */
function filterParams(settings: AudienceSettings, definition: CampaignDefinition): unknown[] {
  return [
    settings.workspaceId,
    definition.audience.segmentIds,
    definition.audience.excludeSegmentIds,
    definition.content.marketing,
    settings.campaignExcludedTagIds,
    settings.frequencyCapPerDay,
  ];
}

export interface AudienceEstimate {
  /** Customers in at least one of the chosen segments. */
  inSegments: number;
  excludedBySegments: number;
  blacklisted: number;
  noConsent: number;
  riskTagged: number;
  overFrequencyCap: number;
  /** Who the campaign would reach, control group included. */
  audience: number;
  /** Of those, the control group (recorded, not sent to). */
  holdout: number;
  /** audience − holdout. */
  toSend: number;
}

/** The stable bucket (0–9,999) of a customer for a campaign: the same customer lands in the same control group and variant every run. */
const bucket = (salt: string) => `(abs(hashtext(${salt} || c.id::text)) % 10000)`;

/**
 * Counts the audience step by step, without writing anything. Each exclusion counts the customers
 * it removes among those the steps before it left.
 */
export async function estimateAudience(query: QueryFn, settings: AudienceSettings, campaignId: string, definition: CampaignDefinition, now = new Date()): Promise<AudienceEstimate> {
  const [row] = await query<Record<keyof AudienceEstimate, number>>(
    `WITH base AS (
       SELECT c.id,
              EXISTS (SELECT 1 FROM "SegmentMember" x WHERE x."segmentId" = ANY($3::uuid[]) AND x."customerId" = c.id) AS ex_segment,
              c.blacklisted AS ex_black,
              ($4::boolean AND NOT c."marketingConsent") AS ex_consent,
              EXISTS (SELECT 1 FROM "CustomerTag" t WHERE t."customerId" = c.id AND t."tagId" = ANY($5::uuid[])) AS ex_risk,
              ($6::int IS NOT NULL AND $4::boolean AND
                (SELECT count(*) FROM "Delivery" d WHERE d."customerId" = c.id AND d.marketing AND d."sentAt" >= $7) >= $6::int) AS ex_cap,
              ${bucket('$8::text')} < $9::int AS control
         FROM "Customer" c
        WHERE c."workspaceId" = $1::uuid
          AND c.id IN (SELECT m."customerId" FROM "SegmentMember" m WHERE m."segmentId" = ANY($2::uuid[]) AND m."workspaceId" = $1::uuid)
     )
     SELECT count(*)::int AS "inSegments",
            count(*) FILTER (WHERE ex_segment)::int AS "excludedBySegments",
            count(*) FILTER (WHERE NOT ex_segment AND ex_black)::int AS blacklisted,
            count(*) FILTER (WHERE NOT ex_segment AND NOT ex_black AND ex_consent)::int AS "noConsent",
            count(*) FILTER (WHERE NOT ex_segment AND NOT ex_black AND NOT ex_consent AND ex_risk)::int AS "riskTagged",
            count(*) FILTER (WHERE NOT ex_segment AND NOT ex_black AND NOT ex_consent AND NOT ex_risk AND ex_cap)::int AS "overFrequencyCap",
            count(*) FILTER (WHERE NOT (ex_segment OR ex_black OR ex_consent OR ex_risk OR ex_cap))::int AS audience,
            count(*) FILTER (WHERE NOT (ex_segment OR ex_black OR ex_consent OR ex_risk OR ex_cap) AND control)::int AS holdout
       FROM base`,
    [
      ...filterParams(settings, definition),
      dayStart(now, settings.timeZone),
      `holdout:${campaignId}:`,
      Math.round(definition.audience.holdoutPercent * 100),
    ],
  );
  return { ...row!, toSend: row!.audience - row!.holdout };
}

/**
 * Writes the run's deliveries: one per customer of the audience, unique per run and customer,
 * with its variant (by weight, stable per customer and campaign) and its sender (the customer's
 * owner when among the senders, else one picked evenly by hash). The control group is stored as
 * held_out. Returns how many were planned and held out.
 */
export async function snapshotAudience(
  query: QueryFn,
  settings: AudienceSettings,
  run: { id: string; campaignId: string },
  definition: CampaignDefinition,
  now = new Date(),
): Promise<{ planned: number; heldOut: number }> {
  // Built for this definition: filters that exclude nobody (no exclusion segments, no risk tags,
  // no cap) and choices with one answer (one variant, no holdout, no senders) are left out, so
  // PostgreSQL does per customer only what the campaign asks for.
  const params: unknown[] = [];
  const p = (value: unknown, type: string) => `$${params.push(value)}::${type}`;
  const workspace = p(settings.workspaceId, 'uuid');
  const campaign = p(run.campaignId, 'text');
  const runId = p(run.id, 'text');
  const holdout = Math.round(definition.audience.holdoutPercent * 100);
  const status = holdout > 0
    ? `CASE WHEN ${bucket(`'holdout:' || ${campaign} || ':'`)} < ${p(holdout, 'int')} THEN 'held_out'::"DeliveryStatus" ELSE 'planned'::"DeliveryStatus" END`
    : `'planned'::"DeliveryStatus"`;
  const variants = definition.content.variants;
  let cumulative = 0;
  const variant = variants.length === 1
    ? p(variants[0]!.key, 'text')
    : `CASE ${variants
        .map((v) => {
          cumulative += v.weight;
          return `WHEN ${bucket(`'variant:' || ${campaign} || ':'`)} % 100 < ${cumulative} THEN ${p(v.key, 'text')}`;
        })
        .join(' ')} END`;
  const senders = definition.senderStaffIds;
  let sender = 'NULL::uuid';
  if (senders.length) {
    const list = p(senders, 'uuid[]');
    sender = `CASE WHEN c."ownerStaffId" = ANY(${list}) THEN c."ownerStaffId" ELSE (${list})[1 + abs(hashtext('sender:' || c.id::text)) % ${senders.length}] END`;
  }
  const marketing = definition.content.marketing;
  const filters = [
    `c."workspaceId" = ${workspace}`,
    `c.id IN (SELECT m."customerId" FROM "SegmentMember" m WHERE m."segmentId" = ANY(${p(definition.audience.segmentIds, 'uuid[]')}) AND m."workspaceId" = ${workspace})`,
    'NOT c.blacklisted',
  ];
  if (definition.audience.excludeSegmentIds.length) {
    filters.push(`NOT EXISTS (SELECT 1 FROM "SegmentMember" x WHERE x."segmentId" = ANY(${p(definition.audience.excludeSegmentIds, 'uuid[]')}) AND x."customerId" = c.id)`);
  }
  if (marketing) filters.push('c."marketingConsent"');
  if (settings.campaignExcludedTagIds.length) {
    filters.push(`NOT EXISTS (SELECT 1 FROM "CustomerTag" t WHERE t."customerId" = c.id AND t."tagId" = ANY(${p(settings.campaignExcludedTagIds, 'uuid[]')}))`);
  }
  if (marketing && settings.frequencyCapPerDay != null) {
    filters.push(
      `(SELECT count(*) FROM "Delivery" d WHERE d."customerId" = c.id AND d.marketing AND d."sentAt" >= ${p(dayStart(now, settings.timeZone), 'timestamptz')}) < ${p(settings.frequencyCapPerDay, 'int')}`,
    );
  }
  // The key names the run, created in this transaction: no earlier row can hold it.
  const rows = await query<{ status: string; n: number }>(
    `WITH ins AS (
       INSERT INTO "Delivery" ("workspaceId", key, "customerId", channel, body, marketing, status, "campaignId", "campaignRunId", variant, "senderStaffId")
       SELECT ${workspace}, 'campaign:' || ${runId} || ':' || c.id::text, c.id, ${p(definition.content.channelId, 'text')}, '', ${p(marketing, 'boolean')},
              ${status}, ${campaign}::uuid, ${runId}::uuid, ${variant}, ${sender}
         FROM "Customer" c
        WHERE ${filters.join('\n          AND ')}
       RETURNING status
     )
     SELECT status::text AS status, count(*)::int AS n FROM ins GROUP BY status`,
    params,
  );
  const count = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
  return { planned: count('planned'), heldOut: count('held_out') };
}
