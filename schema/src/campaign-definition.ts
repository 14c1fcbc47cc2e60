// A campaign definition from API input: ids (global IDs or uuids) turned into uuids, its shape
// parsed, and its segments, channel and senders checked against the workspace. Issues become
// field errors under the argument's path, e.g. input.definition.content.variants.
import { toUuid } from '@courtyard/runtime';
import { CampaignError, checkCampaign, parseDefinition, type CampaignDefinition, type CampaignIssue } from '@courtyard/runtime/campaigns';
import type { Context } from './context.ts';
import { InputError, NotFoundError } from './errors.ts';
import { zJSONObject } from './scalars.ts';
import { decodeId, parse } from './validation.ts';

/** Issues of a campaign definition as field errors under `path` (e.g. input.definition.content.variants). */
export function issuesError(issues: CampaignIssue[], path: string[]): InputError {
  return new InputError(issues.map((i) => ({ path: [...path, ...i.path.map(String)], message: i.message, code: 'invalid_campaign' })));
}

/** Definitions name segments, the channel and senders by global ID or uuid; the engine works with uuids. */
function normalizeIds(raw: Record<string, unknown>): Record<string, unknown> {
  const ids = (v: unknown) => (Array.isArray(v) ? v.map((x) => (typeof x === 'string' ? toUuid(x) : x)) : v);
  const out: Record<string, unknown> = { ...raw };
  if (raw.audience && typeof raw.audience === 'object' && !Array.isArray(raw.audience)) {
    const audience = { ...(raw.audience as Record<string, unknown>) };
    for (const key of ['segmentIds', 'excludeSegmentIds']) if (key in audience) audience[key] = ids(audience[key]);
    out.audience = audience;
  }
  if (raw.content && typeof raw.content === 'object' && !Array.isArray(raw.content)) {
    const content = { ...(raw.content as Record<string, unknown>) };
    if (typeof content.channelId === 'string') content.channelId = toUuid(content.channelId);
    out.content = content;
  }
  if ('senderStaffIds' in raw) out.senderStaffIds = ids(raw.senderStaffIds);
  return out;
}

/** Parses a definition from input and checks it against the workspace; errors name `path.<field>`. */
export async function checkedDefinition(ctx: Context, workspaceId: string, raw: unknown, path: string[]): Promise<CampaignDefinition> {
  const definition = parseCampaignDefinition(raw, path);
  const issues = await checkCampaign(ctx.db.query, workspaceId, definition);
  if (issues.length) throw issuesError(issues, path);
  return definition;
}

/**
 * A draft's definition as written so far: a JSON object with its ids turned into uuids, not yet
 * checked. Scheduling or starting the campaign checks it in full.
 */
export function draftDefinition(raw: unknown, path: string[]): Record<string, unknown> {
  return normalizeIds(parse(zJSONObject(), raw, path));
}

/** Shape only (no database): for previews. */
export function parseCampaignDefinition(raw: unknown, path: string[]): CampaignDefinition {
  const object = parse(zJSONObject(), raw, path);
  try {
    return parseDefinition(normalizeIds(object));
  } catch (error) {
    if (error instanceof CampaignError) throw issuesError(error.issues, path);
    throw error;
  }
}

export async function findCampaign(ctx: Context, globalId: string, path: string[]) {
  const id = decodeId(globalId, 'Campaign', path);
  const campaign = await ctx.prisma.campaign.findFirst({ where: { id, workspaceId: ctx.workspaceId() } });
  if (!campaign) throw new NotFoundError('campaign', path.join('.'), globalId);
  return campaign;
}

