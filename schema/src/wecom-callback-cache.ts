// What the callback path reads again and again, kept 2 s per key: a workspace's opened connection
// and time zone, live codes by state, staff accounts (a busy corp pushes hundreds of callbacks a
// second). New credentials, welcome messages and staff names take effect within 2 s.
import type { Db } from '@courtyard/db';
import { liveConnection } from './wecom-store.ts';

export type Live = NonNullable<Awaited<ReturnType<typeof liveConnection>>>;

const TTL_MS = 2000;
const recent = new Map<string, { at: number; value: Promise<unknown> }>();

/** `load()`'s value for `key`, loaded again once it is 2 s old (a failed load is not kept). */
export function remember<T>(key: string, load: () => Promise<T>): Promise<T> {
  const hit = recent.get(key);
  if (hit && Date.now() - hit.at < TTL_MS) return hit.value as Promise<T>;
  const value = load();
  value.catch(() => recent.delete(key));
  if (recent.size > 10_000) recent.clear();
  recent.set(key, { at: Date.now(), value });
  return value;
}

/** The next read of `key` loads it again. */
export function forget(key: string): void {
  recent.delete(key);
}

export function callbackConnection(db: Db, workspaceId: string): Promise<Live | null> {
  return remember(`connection:${workspaceId}`, () => liveConnection(db, workspaceId));
}

export function timeZoneOf(db: Db, workspaceId: string): Promise<string> {
  return remember(`timeZone:${workspaceId}`, async () => (await db.prisma.workspace.findUniqueOrThrow({ where: { id: workspaceId }, select: { timeZone: true } })).timeZone);
}
