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
  // Variant by cumulative weight over the customer's bucket (0–99).
  let cumulative = 0;
  const cases = definition.content.variants
    .map((v, i) => {
      cumulative += v.weight;
      return `WHEN ${bucket(`'variant:' || $8::text || ':'`)} % 100 < ${cumulative} THEN ($11::text[])[${i + 1}]`;
    })
    .join(' ');
  const variantKeys = definition.content.variants.map((v) => v.key);
  const senders = definition.senderStaffIds;
  const rows = await query<{ status: string; n: number }>(
    `WITH ins AS (
       INSERT INTO "Delivery" ("workspaceId", key, "customerId", channel, body, marketing, status, "campaignId", "campaignRunId", variant, "senderStaffId")
       SELECT $1::uuid, 'campaign:' || $9::text || ':' || c.id::text, c.id, $10::text, '', $4::boolean,
              CASE WHEN ${bucket(`'holdout:' || $8::text || ':'`)} < $7::int THEN 'held_out'::"DeliveryStatus" ELSE 'planned'::"DeliveryStatus" END,
              $8::uuid, $9::uuid, CASE ${cases} ELSE ($11::text[])[1] END,
              CASE WHEN cardinality($12::uuid[]) = 0 THEN NULL
                   WHEN c."ownerStaffId" = ANY($12::uuid[]) THEN c."ownerStaffId"
                   ELSE ($12::uuid[])[1 + abs(hashtext('sender:' || c.id::text)) % cardinality($12::uuid[])] END
         FROM "Customer" c
        WHERE c."workspaceId" = $1::uuid
          AND c.id IN (SELECT m."customerId" FROM "SegmentMember" m WHERE m."segmentId" = ANY($2::uuid[]) AND m."workspaceId" = $1::uuid)
          AND NOT EXISTS (SELECT 1 FROM "SegmentMember" x WHERE x."segmentId" = ANY($3::uuid[]) AND x."customerId" = c.id)
          AND NOT c.blacklisted
          AND (NOT $4::boolean OR c."marketingConsent")
          AND NOT EXISTS (SELECT 1 FROM "CustomerTag" t WHERE t."customerId" = c.id AND t."tagId" = ANY($5::uuid[]))
          AND ($6::int IS NULL OR NOT $4::boolean OR
               (SELECT count(*) FROM "Delivery" d WHERE d."customerId" = c.id AND d.marketing AND d."sentAt" >= $13) < $6::int)
       ON CONFLICT ("workspaceId", key) DO NOTHING
       RETURNING status
     )
     SELECT status::text AS status, count(*)::int AS n FROM ins GROUP BY status`,
    [
      ...filterParams(settings, definition),
      Math.round(definition.audience.holdoutPercent * 100),
      run.campaignId,
      run.id,
      definition.content.channelId,
      variantKeys,
      senders,
      dayStart(now, settings.timeZone),
    ],
  );
  const count = (status: string) => rows.find((r) => r.status === status)?.n ?? 0;
  return { planned: count('planned'), heldOut: count('held_out') };
}
