// Records a journey's node configs name — tags, segments, channels, other journeys — checked to
// exist in the journey's workspace, so a draft naming a deleted tag or another workspace's segment
// is refused at publishing (and shown by the validation query) with the node and field, rather
// than doing nothing at run time. Fields are known by name, as the admin knows which to draw as
// pickers: `tagIds`, `segmentId` / `segmentIds`, `channel` (an id; a channel type such as `wecom`
// is not a reference) and `journeyId`.
import { isUuid, type Db } from '@courtyard/db';
import { toUuid } from './refs.ts';
import type { JourneyIssue, ValidatedJourney } from './validate.ts';

type Kind = 'Tag' | 'Segment' | 'Channel' | 'Journey';
const FIELDS: Record<string, Kind> = { tagIds: 'Tag', segmentId: 'Segment', segmentIds: 'Segment', channel: 'Channel', journeyId: 'Journey' };
const WHAT: Record<Kind, string> = { Tag: 'tag', Segment: 'segment', Channel: 'channel', Journey: 'journey' };

interface Ref {
  kind: Kind;
  id: string;
  nodeId: string;
  field: string;
  value: string;
}

function refsOf(validated: ValidatedJourney): Ref[] {
  const refs: Ref[] = [];
  for (const [nodeId, { config }] of validated.nodes) {
    if (!config || typeof config !== 'object') continue;
    for (const [field, kind] of Object.entries(FIELDS)) {
      const value = (config as Record<string, unknown>)[field];
      const values = Array.isArray(value) ? value.map((v, i) => [v, `${field}.${i}`] as const) : value === undefined ? [] : [[value, field] as const];
      for (const [v, path] of values) {
        if (typeof v !== 'string' || !v) continue;
        const id = toUuid(v);
        // A channel may be named by its type (wecom, sms …): only ids are references.
        if (kind === 'Channel' && !isUuid(id)) continue;
        refs.push({ kind, id, nodeId, field: path, value: v });
      }
    }
  }
  return refs;
}

/** One issue for each referenced record that is not in the workspace. */
export async function referenceIssues(db: Db, workspaceId: string, validated: ValidatedJourney): Promise<JourneyIssue[]> {
  const refs = refsOf(validated);
  if (!refs.length) return [];
  const found = new Set<string>();
  for (const kind of new Set(refs.map((r) => r.kind))) {
    const ids = [...new Set(refs.filter((r) => r.kind === kind && isUuid(r.id)).map((r) => r.id))];
    if (!ids.length) continue;
    const rows = await db.query<{ id: string }>(`SELECT id::text FROM "${kind}" WHERE "workspaceId" = $1::uuid AND id = ANY($2::uuid[])`, [workspaceId, ids]);
    for (const r of rows) found.add(`${kind}:${r.id}`);
  }
  return refs
    .filter((r) => !found.has(`${r.kind}:${r.id}`))
    .map((r) => ({
      code: 'UNKNOWN_REFERENCE',
      severity: 'error' as const,
      nodeId: r.nodeId,
      field: r.field,
      message: `${r.field}: no ${WHAT[r.kind]} "${r.value}" in this workspace (deleted, or never here): pick another`,
    }));
}
