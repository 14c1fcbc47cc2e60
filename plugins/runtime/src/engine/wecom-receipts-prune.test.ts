import type { Db } from '@courtyard/db';
import { createTestDb } from '@courtyard/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pruneWeComReceipts } from './wecom-receipts-prune.ts';

let db: Db;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db.close();
});

const DAY = 24 * 3600 * 1000;

async function receipt(workspaceId: string, key: string, status: 'pending' | 'processed' | 'failed', receivedDaysAgo: number, processedDaysAgo?: number) {
  const now = Date.now();
  await db.prisma.weComCallback.create({
    data: {
      workspaceId,
      dedupeKey: key,
      event: 'change_external_contact',
      changeType: 'add_external_contact',
      payload: {},
      status,
      receivedAt: new Date(now - receivedDaysAgo * DAY),
      processedAt: processedDaysAgo === undefined ? null : new Date(now - processedDaysAgo * DAY),
    },
  });
}

describe('WeCom receipt retention', () => {
  it('deletes processed receipts after 7 days and failed ones after 30, of its own workspaces only; pending ones stay', async () => {
    const ws = await db.prisma.workspace.create({ data: { name: 'prune' } });
    const other = await db.prisma.workspace.create({ data: { name: 'prune other' } });
    await receipt(ws.id, 'old-processed', 'processed', 9, 8);
    await receipt(ws.id, 'recent-processed', 'processed', 6, 6);
    await receipt(ws.id, 'old-pending', 'pending', 9);
    await receipt(ws.id, 'old-failed', 'failed', 31);
    await receipt(ws.id, 'recent-failed', 'failed', 10);
    await receipt(other.id, 'other-old-processed', 'processed', 9, 8);

    expect(await pruneWeComReceipts(db, new Set([ws.id]))).toBe(2);
    const left = await db.prisma.weComCallback.findMany({ where: { workspaceId: { in: [ws.id, other.id] } }, select: { dedupeKey: true }, orderBy: { dedupeKey: 'asc' } });
    expect(left.map((r) => r.dedupeKey)).toEqual(['old-pending', 'other-old-processed', 'recent-failed', 'recent-processed']);
    expect(await pruneWeComReceipts(db, new Set([ws.id]))).toBe(0);
  });
});
