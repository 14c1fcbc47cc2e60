// A campaign's definition: audience, content (A/B variants), senders, send windows and
// attribution. One zod schema; the API validates with it, the engine reads it, the admin draws
// its form from its JSON Schema. Ids are database ids (the API turns global ids into them).
import { templateProblems, z } from '@courtyard/plugin-sdk';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: 'use HH:mm, e.g. 12:00' });
const id = z.string().min(1).max(100);

export const SendWindow = z.strictObject({
  /** Local time (workspace time zone) the window opens, HH:mm. */
  start: hhmm,
  /** Local time it closes, HH:mm; before `start` means it runs past midnight. */
  end: hhmm,
  /** ISO weekdays it applies on (1 Monday … 7 Sunday); default every day. */
  weekdays: z.array(z.number().int().min(1).max(7)).min(1).max(7).optional(),
});
export type SendWindow = z.infer<typeof SendWindow>;

export const Variant = z.strictObject({
  /** Short key shown in results, e.g. "A". */
  key: z.string().regex(/^[A-Za-z0-9_-]{1,20}$/, { message: 'use 1–20 letters, digits, _ or -' }),
  /** Share of the recipients, in percent; the weights of all variants add up to 100. */
  weight: z.number().int().min(1, { message: 'must be at least 1' }).max(100, { message: 'must be at most 100' }),
  subject: z.string().min(1).max(200).optional(),
  body: z.string().min(1, { message: 'write the message' }).max(4000, { message: 'must be at most 4,000 characters' }),
});
export type Variant = z.infer<typeof Variant>;

export const CampaignDefinition = z.strictObject({
  audience: z.strictObject({
    /** Customers in any of these segments … */
    segmentIds: z.array(id).min(1, { message: 'choose at least one segment' }).max(20),
    /** … but in none of these. */
    excludeSegmentIds: z.array(id).max(20).default([]),
    /** Control group: this percent of the audience is recorded but not sent to (0 – 50). */
    holdoutPercent: z.number().min(0).max(50).default(0),
  }),
  content: z.strictObject({
    /** A channel of the workspace (its id). */
    channelId: id,
    /** One to five variants; recipients are split by weight (stable per customer). */
    variants: z.array(Variant).min(1, { message: 'add a variant' }).max(5, { message: 'at most 5 variants' }),
    /** Links the templates refer to as {{links.name}}. */
    links: z.record(z.string().regex(/^[A-Za-z0-9_]+$/), z.url({ protocol: /^https?$/ })).default({}),
    /** Marketing messages need consent and count towards the frequency cap. Default true. */
    marketing: z.boolean().default(true),
  }),
  /** Staff accounts the messages go out as; each customer's owner when among them, else spread evenly. Empty: no senders (webhook, email). */
  senderStaffIds: z.array(id).max(200).default([]),
  /** When messages may go (workspace time zone); empty: any time. */
  windows: z.array(SendWindow).max(10).default([]),
  /** Orders placed this long after a send count for it (last touch across campaigns and journeys). */
  attributionHours: z.number().int().min(1).max(24 * 30).default(72),
});
export type CampaignDefinitionInput = z.input<typeof CampaignDefinition>;
export type CampaignDefinition = z.output<typeof CampaignDefinition>;

export interface CampaignIssue {
  /** Path in the definition, e.g. ['content', 'variants', 1, 'body']. */
  path: (string | number)[];
  message: string;
}

/** Checks that need no database: weights, windows, templates. */
export function checkDefinitionShape(definition: CampaignDefinition): CampaignIssue[] {
  const issues: CampaignIssue[] = [];
  const variants = definition.content.variants;
  const total = variants.reduce((sum, v) => sum + v.weight, 0);
  if (total !== 100) issues.push({ path: ['content', 'variants'], message: `variant weights must add up to 100; they add up to ${total}` });
  const keys = new Set<string>();
  variants.forEach((v, i) => {
    if (keys.has(v.key)) issues.push({ path: ['content', 'variants', i, 'key'], message: `variant key "${v.key}" is used twice` });
    keys.add(v.key);
    for (const field of ['subject', 'body'] as const) {
      const template = v[field];
      if (template === undefined) continue;
      for (const message of templateProblems(template, { links: definition.content.links, linksPath: 'content.links', trigger: false })) {
        issues.push({ path: ['content', 'variants', i, field], message });
      }
    }
  });
  definition.windows.forEach((w, i) => {
    if (w.start === w.end) issues.push({ path: ['windows', i], message: `the window ${w.start}–${w.end} allows no time; give it an end after its start` });
  });
  const overlap = definition.audience.segmentIds.filter((s) => definition.audience.excludeSegmentIds.includes(s));
  if (overlap.length) issues.push({ path: ['audience', 'excludeSegmentIds'], message: `segment ${overlap[0]} is both included and excluded` });
  return issues;
}
