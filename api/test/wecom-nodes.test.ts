// Several API nodes behind one callback URL: the node that acknowledged a callback has its profile
// read and welcome message under way, so it processes it; another node takes it only once it has
// waited long enough for that node to have died. WeCom is not called twice for one add.
import { createReceiptWriter, processDueWeComCallbacks, type WeComProcessDeps } from '@courtyard/schema';
import type { XmlFields } from '@courtyard/wecom';
import { describe, expect, it } from 'vitest';
import { useWeComHarness } from './wecom-fixtures.ts';

const harness = useWeComHarness();

describe('WeCom callbacks on several nodes', () => {
  it("a node leaves the callbacks another node acknowledged to that node, and takes them once they have waited 5 s", async () => {
    const { ws, s } = await harness.connected(['zhangsan']);
    // This file's server works only when told to: the two nodes below are the ones under test.
    await harness.server.wecom.stop();
    s.setCallbackUrl(undefined);
    const addFields = async (externalUserId: string, mobile: string): Promise<XmlFields> => {
      const { callback } = await s.addByPhone({ userid: 'zhangsan', mobile, external_userid: externalUserId });
      return Object.fromEntries(Object.entries(callback.fields).map(([k, v]) => [k, String(v)]));
    };
    const { app } = harness;
    const node = (name: string): WeComProcessDeps => ({ db: app.db, pubsub: app.pubsub, runtime: app.runtime, workspaces: new Set([ws.id]), node: name });
    const receivedByA = createReceiptWriter(app.db, { node: 'node-a' });
    const customer = (externalUserId: string) => app.db.prisma.customer.findFirst({ where: { workspaceId: ws.id, wecomExternalId: externalUserId } });

    expect(await receivedByA.record(ws.id, await addFields('wm_node_1', '13600136011'))).toMatchObject({ stored: true });
    // Node B passes over it: node A acknowledged it a moment ago.
    expect(await processDueWeComCallbacks(node('node-b'))).toBe(0);
    expect(await customer('wm_node_1')).toBeNull();
    // Node A takes it.
    expect(await processDueWeComCallbacks(node('node-a'))).toBe(1);
    expect(await customer('wm_node_1')).toMatchObject({ wecomExternalId: 'wm_node_1' });

    // Node A acknowledged this one and then died: past the 5 s, node B takes it.
    expect(await receivedByA.record(ws.id, await addFields('wm_node_2', '13600136012'))).toMatchObject({ stored: true });
    expect(await processDueWeComCallbacks(node('node-b'))).toBe(0);
    await app.db.query(`UPDATE "WeComCallback" SET "receivedAt" = now() - interval '6 seconds' WHERE "workspaceId" = $1 AND status = 'pending'`, [ws.id]);
    expect(await processDueWeComCallbacks(node('node-b'))).toBe(1);
    expect(await customer('wm_node_2')).toMatchObject({ wecomExternalId: 'wm_node_2' });
    expect(await app.db.prisma.weComCallback.count({ where: { workspaceId: ws.id, status: 'processed' } })).toBe(2);
  });
});
