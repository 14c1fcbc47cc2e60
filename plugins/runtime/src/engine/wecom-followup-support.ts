// What the WeCom follow-up passes share: their dependencies, the claim of due rows (FOR UPDATE SKIP
// LOCKED with a lease), the workspace's client, and WeCom's cursor paging.
import type { WeComClient } from '@courtyard/wecom';
import { workspaceWeComClient } from '../channels/wecom-connection.ts';
import type { WeComPollDeps } from './wecom-mass-sends.ts';

export interface FollowUpDeps extends WeComPollDeps {
  /** Rows of the workspace were read back or changed state (the API drops its cached reads). */
  onChange?(workspaceId: string): void;
}

const DEFAULT_POLL_MS = 5 * 60_000;

export const wsFilter = (deps: WeComPollDeps) => (deps.workspaces ? [...deps.workspaces] : null);
export const pollMs = (deps: FollowUpDeps) => deps.wecom.pollMs ?? DEFAULT_POLL_MS;

/**
 * Takes the due rows of `table` in the given states (and meeting `where`, a condition on its own
 * columns), holding them for the lease; returns `columns` of the rows taken.
 */
export async function claim<T>(deps: WeComPollDeps, table: string, statuses: string[], columns: string, now: Date, where = 'true'): Promise<T[]> {
  return deps.db.query<T>(
    `WITH due AS (
       SELECT id FROM "${table}" WHERE "nextPollAt" <= $1 AND status::text = ANY($2::text[]) AND ($3::uuid[] IS NULL OR "workspaceId" = ANY($3::uuid[])) AND (${where})
        ORDER BY "nextPollAt" LIMIT $4 FOR UPDATE SKIP LOCKED)
     UPDATE "${table}" t SET "nextPollAt" = $1::timestamptz + $5 * interval '1 millisecond' FROM due WHERE t.id = due.id
     RETURNING ${columns}`,
    [now, statuses, wsFilter(deps), deps.claimLimit ?? 50, deps.leaseMs ?? 60_000],
  );
}

export async function clientFor(deps: WeComPollDeps, workspaceId: string): Promise<WeComClient> {
  const client = await workspaceWeComClient(deps.db, workspaceId, deps.wecom.client);
  if (!client) throw new Error('WeCom is not connected in this workspace');
  return client;
}

export async function allPages<T>(fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor?: string | undefined }>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    items.push(...page.items);
    cursor = page.next_cursor || undefined;
  } while (cursor);
  return items;
}
