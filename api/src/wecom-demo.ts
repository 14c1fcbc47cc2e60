// `pnpm start` without a WeCom corp: the demo workspace is connected to a WeCom stand-in this
// process starts, so live codes, scans and welcome messages work end to end on one machine.
// Scans are simulated through the stand-in's control API (POST <stand-in>/__standin/simulateScan
// with {"config_id": "…"}). The stand-in keeps its state in memory: live codes created in an
// earlier run point at contact ways it no longer knows.
import type { Db } from '@courtyard/db';
import { storeWeComConnection } from '@courtyard/schema';
import { startWeComStandIn, type WeComStandIn } from '@courtyard/wecom/standin';
import { TEST_CORP } from '@courtyard/wecom/standin/testing';

/** The stand-in's corp; a connection with any other corp id is a real one and is left alone. */
export const DEMO_CORP = { ...TEST_CORP, agentSecret: 'standin-secret' } as const;

export async function startDemoWeCom(db: Db, workspaceId: string, apiPort: number): Promise<WeComStandIn | null> {
  const existing = await db.prisma.weComConnection.findUnique({ where: { workspaceId }, select: { corpId: true } });
  if (existing && existing.corpId !== DEMO_CORP.corpId) return null;
  const standIn = await startWeComStandIn({ corpId: DEMO_CORP.corpId, token: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, callbackUrl: `http://127.0.0.1:${apiPort}/wecom/callback/${workspaceId}` });
  const staff = await db.prisma.staff.findMany({ where: { workspaceId, wecomUserId: { not: null } }, select: { name: true, wecomUserId: true } });
  for (const s of staff) standIn.addStaff({ userid: s.wecomUserId!, name: s.name });
  await storeWeComConnection(db, { workspaceId, corpId: DEMO_CORP.corpId, agentSecret: DEMO_CORP.agentSecret, callbackToken: DEMO_CORP.token, encodingAesKey: DEMO_CORP.encodingAesKey, baseUrl: standIn.url });
  return standIn;
}
