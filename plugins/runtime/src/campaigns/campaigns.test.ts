import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRuntimeFixture } from '../testing.ts';
import { estimateAudience, loadAudienceSettings } from './audience.ts';
import { CampaignDefinition, type CampaignDefinitionInput } from './definition.ts';
import { CampaignError, changeCampaignState, checkCampaign, runDueCampaigns, startRun } from './lifecycle.ts';
import { linkReceipts } from './receipts.ts';
import { campaignResults, holdoutResults } from './results.ts';
import { windowState } from './windows.ts';

let fx: Awaited<ReturnType<typeof createRuntimeFixture>>;
beforeAll(async () => {
  fx = await createRuntimeFixture();
});
afterAll(async () => fx?.close());

type Ws = Awaited<ReturnType<typeof fx.workspace>>;

async function segmentOf(ws: Ws, customerIds: string[], name = `s ${Math.random().toString(36).slice(2)}`) {
  const segment = await fx.db.prisma.segment.create({ data: { workspaceId: ws.id, name, type: 'static', dependsOn: [] } });
  await fx.db.query(`INSERT INTO "SegmentMember" ("segmentId", "customerId", "workspaceId") SELECT $1, unnest($2::uuid[]), $3`, [segment.id, customerIds, ws.id]);
  return segment.id;
}

async function channelOf(ws: Ws) {
  return (await fx.db.prisma.channel.create({ data: { workspaceId: ws.id, type: 'log', name: `log ${Math.random().toString(36).slice(2)}` } })).id;
}

async function campaignOf(ws: Ws, definition: CampaignDefinitionInput, extra: Record<string, unknown> = {}) {
  const parsed = CampaignDefinition.parse(definition);
  return (await fx.db.prisma.campaign.create({ data: { workspaceId: ws.id, name: `c ${Math.random().toString(36).slice(2)}`, definition: parsed as never, ...extra } })).id;
}

const deliveries = (campaignId: string) =>
  fx.db.query<{ id: string; customerId: string; status: string; variant: string; senderStaffId: string | null; body: string; error: string | null }>(
    `SELECT id::text AS id, "customerId", status::text AS status, variant, "senderStaffId", body, error FROM "Delivery" WHERE "campaignId" = $1 ORDER BY "customerId"`,
    [campaignId],
  );

describe('campaigns', () => {
  it('snapshots the audience minus exclusions, splits variants and a stable control group, sends and reports', async () => {
    const ws = await fx.workspace();
    const customers = await ws.customers(400, (i) => ({ blacklisted: i === 0, marketingConsent: i !== 1 }));
    const risk = await ws.tag('complained');
    await fx.db.query(`INSERT INTO "CustomerTag" ("customerId", "tagId", "workspaceId") VALUES ($1, $2, $3)`, [customers[2], risk, ws.id]);
    await fx.db.query(`UPDATE "Workspace" SET "campaignExcludedTagIds" = ARRAY[$2::uuid] WHERE id = $1`, [ws.id, risk]);
    const everyone = await segmentOf(ws, customers);
    const excluded = await segmentOf(ws, customers.slice(3, 13));
    const channel = await channelOf(ws);
    const definition: CampaignDefinitionInput = {
      audience: { segmentIds: [everyone], excludeSegmentIds: [excluded], holdoutPercent: 10 },
      content: {
        channelId: channel,
        variants: [
          { key: 'A', weight: 50, body: '{{customer.name}}，新茶到了' },
          { key: 'B', weight: 50, body: '{{customer.name}}，领券 {{links.coupon}}' },
        ],
        links: { coupon: 'https://shop.example.com/c/1' },
      },
    };
    const campaignId = await campaignOf(ws, definition);
    const estimate = await estimateAudience(fx.db.query, await loadAudienceSettings(fx.db.query, ws.id), campaignId, CampaignDefinition.parse(definition));
    expect(estimate).toMatchObject({ inSegments: 400, excludedBySegments: 10, blacklisted: 1, noConsent: 1, riskTagged: 1, overFrequencyCap: 0, audience: 387 });
    expect(estimate.holdout).toBeGreaterThan(15);
    expect(estimate.holdout).toBeLessThan(65);

    // Before anything is queued, the report already lists each variant, at zero.
    expect(await campaignResults(fx.db, { workspaceId: ws.id, campaignId }, 'VARIANT')).toEqual([
      expect.objectContaining({ key: 'A', planned: 0, sent: 0, orders: 0 }),
      expect.objectContaining({ key: 'B', planned: 0, sent: 0, orders: 0 }),
    ]);
    const run = await startRun(fx.db, campaignId, new Date());
    expect(run).toMatchObject({ number: 1, planned: 387 - estimate.holdout, heldOut: estimate.holdout });
    // A one-off campaign sends once.
    await expect(startRun(fx.db, campaignId, new Date(Date.now() + 1000))).rejects.toMatchObject({ code: 'INVALID_STATE' });
    // Starting the same occurrence again queues nothing twice.
    const rows = await deliveries(campaignId);
    expect(rows).toHaveLength(387);
    expect(new Set(rows.map((r) => r.customerId)).size).toBe(387);
    // Ids are UUIDv7, numbered in customer order within the snapshot.
    expect(rows.every((r) => /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(r.id))).toBe(true);
    const inIdOrder = [...rows].sort((x, y) => (x.id < y.id ? -1 : 1));
    expect(inIdOrder.map((r) => r.customerId)).toEqual(rows.map((r) => r.customerId).sort());
    const millis = parseInt(inIdOrder[0]!.id.replace('-', '').slice(0, 12), 16);
    expect(Math.abs(millis - Date.now())).toBeLessThan(60_000);
    for (const skipped of customers.slice(0, 13)) expect(rows.find((r) => r.customerId === skipped)).toBeUndefined();
    const a = rows.filter((r) => r.status === 'planned' && r.variant === 'A').length;
    const b = rows.filter((r) => r.status === 'planned' && r.variant === 'B').length;
    expect(a + b).toBe(run!.planned);
    expect(Math.abs(a - b)).toBeLessThan(run!.planned * 0.25);

    await fx.runtime.drain();
    const sent = await deliveries(campaignId);
    expect(sent.filter((r) => r.status === 'sent')).toHaveLength(run!.planned);
    expect(sent.filter((r) => r.status === 'held_out')).toHaveLength(run!.heldOut);
    const one = sent.find((r) => r.status === 'sent' && r.variant === 'B')!;
    expect(one.body).toMatch(/^客户\d+，领券 https:\/\/shop\.example\.com\/c\/1$/);
    const [runRow] = await fx.db.query<{ status: string; campaign: string }>(
      `SELECT r.status::text AS status, c.status::text AS campaign FROM "CampaignRun" r JOIN "Campaign" c ON c.id = r."campaignId" WHERE r.id = $1`,
      [run!.id],
    );
    expect(runRow).toEqual({ status: 'completed', campaign: 'completed' });

    // A reply and an order two hours after the send count for that message.
    const buyer = one.customerId;
    const [{ sentAt }] = (await fx.db.query<{ sentAt: Date }>(`SELECT "sentAt" FROM "Delivery" WHERE "campaignId" = $1 AND "customerId" = $2`, [campaignId, buyer])) as [{ sentAt: Date }];
    const later = new Date(new Date(sentAt).getTime() + 2 * 3600_000);
    expect(await linkReceipts(fx.db, ws.id, [{ id: 'e1', customerId: buyer, type: 'message_replied', properties: {}, occurredAt: later }])).toBe(1);
    await fx.db.query(
      `INSERT INTO "Order" ("workspaceId", "customerId", "externalId", platform, status, "totalCents", "paidCents", "placedAt") VALUES ($1, $2, 'o-1', 'youzan', 'paid', 12900, 11900, $3)`,
      [ws.id, buyer, later],
    );
    // An order of a control-group customer counts for the control group only.
    const control = sent.find((r) => r.status === 'held_out')!.customerId;
    await fx.db.query(
      `INSERT INTO "Order" ("workspaceId", "customerId", "externalId", platform, status, "totalCents", "paidCents", "placedAt") VALUES ($1, $2, 'o-2', 'youzan', 'paid', 5000, 5000, $3)`,
      [ws.id, control, later],
    );
    const byVariant = await campaignResults(fx.db, { workspaceId: ws.id, campaignId }, 'VARIANT');
    expect(byVariant.map((r) => r.key)).toEqual(['A', 'B']);
    expect(byVariant[1]).toMatchObject({ key: 'B', sent: b, replied: 1, delivered: 1, customersOrdered: 1, orders: 1, orderAmountCents: 12900, paidAmountCents: 11900 });
    expect(byVariant[0]).toMatchObject({ key: 'A', sent: a, replied: 0, orders: 0 });
    const [total] = await campaignResults(fx.db, { workspaceId: ws.id, campaignId }, 'TOTAL');
    expect(total).toMatchObject({ planned: run!.planned, sent: run!.planned, failed: 0, orders: 1 });
    expect(total!.orderRate).toBeCloseTo(1 / run!.planned);
    const holdout = await holdoutResults(fx.db, { workspaceId: ws.id, campaignId });
    expect(holdout!.control).toEqual({ customers: run!.heldOut, ordered: 1, rate: 1 / run!.heldOut });
    expect(holdout!.treatment).toEqual({ customers: run!.planned, ordered: 1, rate: 1 / run!.planned });
    expect(holdout!.ci95![0]).toBeLessThan(holdout!.uplift);
    expect(holdout!.ci95![1]).toBeGreaterThan(holdout!.uplift);
  });

  it('refuses before queuing anything: weights, windows, templates, archived segments, senders without limits, an empty audience', async () => {
    const ws = await fx.workspace();
    const customers = await ws.customers(3, () => ({ blacklisted: true }));
    const segment = await segmentOf(ws, customers);
    const archived = await segmentOf(ws, customers);
    await fx.db.query(`UPDATE "Segment" SET "archivedAt" = now() WHERE id = $1`, [archived]);
    const channel = await channelOf(ws);
    const staff = await fx.db.prisma.staff.create({ data: { workspaceId: ws.id, name: '小美', perMinuteLimit: 0, perDayLimit: 0 } });
    const bad = CampaignDefinition.parse({
      audience: { segmentIds: [archived] },
      content: { channelId: channel, variants: [{ key: 'A', weight: 60, body: '{{customer.nmae}} {{coupon}}' }, { key: 'B', weight: 30, body: 'hi' }] },
      senderStaffIds: [staff.id],
      windows: [{ start: '12:00', end: '12:00' }],
    });
    const issues = await checkCampaign(fx.db.query, ws.id, bad);
    const at = (path: string) => issues.filter((i) => i.path.join('.') === path).map((i) => i.message);
    expect(at('content.variants')).toEqual(['variant weights must add up to 100; they add up to 90']);
    expect(at('content.variants.0.body')).toEqual([expect.stringContaining('{{customer.nmae}} is not a customer field'), expect.stringContaining('{{coupon}} is not a known variable')]);
    expect(at('windows.0')).toEqual([expect.stringContaining('allows no time')]);
    expect(at('audience.segmentIds.0')).toEqual([expect.stringContaining('is archived')]);
    expect(at('senderStaffIds.0')).toEqual([expect.stringContaining('has no sending limits')]);

    const archivedCampaign = await campaignOf(ws, { ...bad, content: { ...bad.content, variants: [{ key: 'A', weight: 100, body: 'hi' }] }, windows: [], senderStaffIds: [] });
    await expect(startRun(fx.db, archivedCampaign, new Date())).rejects.toMatchObject({ code: 'INVALID_CAMPAIGN', issues: [expect.objectContaining({ path: ['audience', 'segmentIds', 0] })] });
    const empty = await campaignOf(ws, { audience: { segmentIds: [segment] }, content: { channelId: channel, variants: [{ key: 'A', weight: 100, body: 'hi' }] } });
    await expect(startRun(fx.db, empty, new Date())).rejects.toBeInstanceOf(CampaignError);
    await expect(startRun(fx.db, empty, new Date())).rejects.toMatchObject({ code: 'EMPTY_AUDIENCE' });
    const [counts] = await fx.db.query<{ runs: number; deliveries: number }>(
      `SELECT (SELECT count(*)::int FROM "CampaignRun" WHERE "workspaceId" = $1) AS runs, (SELECT count(*)::int FROM "Delivery" WHERE "workspaceId" = $1) AS deliveries`,
      [ws.id],
    );
    expect(counts).toEqual({ runs: 0, deliveries: 0 });
  });

  it('sends only inside its windows and within each sender’s per-minute limit, preferring the owner', async () => {
    const ws = await fx.workspace();
    await fx.db.query(`UPDATE "Workspace" SET "timeZone" = 'Asia/Shanghai' WHERE id = $1`, [ws.id]);
    const customers = await ws.customers(6);
    const li = await fx.db.prisma.staff.create({ data: { workspaceId: ws.id, name: '李娜', perMinuteLimit: 2, perDayLimit: 100 } });
    const wang = await fx.db.prisma.staff.create({ data: { workspaceId: ws.id, name: '王强', perMinuteLimit: 2, perDayLimit: 100 } });
    await fx.db.query(`UPDATE "Customer" SET "ownerStaffId" = $2 WHERE id = ANY($1::uuid[])`, [customers.slice(0, 3), li.id]);
    const campaignId = await campaignOf(ws, {
      audience: { segmentIds: [await segmentOf(ws, customers)] },
      content: { channelId: await channelOf(ws), variants: [{ key: 'A', weight: 100, body: '午安 {{customer.name}}' }] },
      senderStaffIds: [li.id, wang.id],
      windows: [{ start: '12:00', end: '14:00' }],
    });
    await startRun(fx.db, campaignId, new Date());
    const rows = await deliveries(campaignId);
    for (const owned of customers.slice(0, 3)) expect(rows.find((r) => r.customerId === owned)!.senderStaffId).toBe(li.id);

    // 09:00 in Shanghai: outside the window, nothing goes.
    const morning = new Date('2026-11-24T01:00:00Z');
    expect(await fx.runtime.campaigns(morning)).toBe(0);
    expect((await deliveries(campaignId)).filter((r) => r.status === 'sent')).toHaveLength(0);
    expect(windowState(morning, 'Asia/Shanghai', [{ start: '12:00', end: '14:00' }])).toEqual({ open: false, opensAt: new Date('2026-11-24T04:00:00Z') });

    // 12:30: each sender may send 2 a minute.
    const noon = new Date();
    const inWindow = windowState(noon, 'Asia/Shanghai', [{ start: '00:00', end: '23:59' }]);
    expect(inWindow.open).toBe(true);
    await fx.db.query(`UPDATE "CampaignRun" SET definition = jsonb_set(definition, '{windows}', '[{"start":"00:00","end":"23:59"},{"start":"23:59","end":"00:00"}]') WHERE "campaignId" = $1`, [campaignId]);
    await fx.runtime.campaigns(noon);
    // Customers without an owner among the senders are spread by hash: count what each was given.
    const given = (staffId: string) => rows.filter((r) => r.senderStaffId === staffId).length;
    expect(given(li.id) + given(wang.id)).toBe(6);
    const expected = Math.min(2, given(li.id)) + Math.min(2, given(wang.id));
    const afterOne = (await deliveries(campaignId)).filter((r) => r.status === 'sent');
    expect(afterOne).toHaveLength(expected);
    expect(afterOne.filter((r) => r.senderStaffId === li.id)).toHaveLength(2);
    // The same minute again: both senders are at their limit.
    await fx.runtime.campaigns(noon);
    expect((await deliveries(campaignId)).filter((r) => r.status === 'sent')).toHaveLength(expected);
  });

  it('pause stops sending, resume goes on, cancel marks what was not sent', async () => {
    const ws = await fx.workspace();
    const customers = await ws.customers(5);
    const segment = await segmentOf(ws, customers);
    const channel = await channelOf(ws);
    const campaignId = await campaignOf(ws, { audience: { segmentIds: [segment] }, content: { channelId: channel, variants: [{ key: 'A', weight: 100, body: 'hi' }] } });
    await startRun(fx.db, campaignId, new Date());
    expect(await changeCampaignState(fx.db, campaignId, 'pause')).toBe('paused');
    await fx.runtime.drain();
    expect((await deliveries(campaignId)).every((r) => r.status === 'planned')).toBe(true);
    await expect(changeCampaignState(fx.db, campaignId, 'pause')).rejects.toMatchObject({ code: 'INVALID_STATE' });
    expect(await changeCampaignState(fx.db, campaignId, 'resume')).toBe('running');
    await fx.runtime.drain();
    expect((await deliveries(campaignId)).every((r) => r.status === 'sent')).toBe(true);

    const second = await campaignOf(ws, { audience: { segmentIds: [segment] }, content: { channelId: channel, variants: [{ key: 'A', weight: 100, body: 'again' }] } });
    await startRun(fx.db, second, new Date());
    expect(await changeCampaignState(fx.db, second, 'cancel')).toBe('cancelled');
    await fx.runtime.drain();
    expect((await deliveries(second)).map((r) => r.status)).toEqual(Array(5).fill('cancelled'));
  });

  it('the frequency cap delays a campaign message to the next day; recurring campaigns start a run per occurrence', async () => {
    const ws = await fx.workspace({ frequencyCapPerDay: 1, frequencyCapMode: 'delay' });
    const customers = await ws.customers(2);
    const segment = await segmentOf(ws, customers);
    const channel = await channelOf(ws);
    const first = await campaignOf(ws, { audience: { segmentIds: [segment] }, content: { channelId: channel, variants: [{ key: 'A', weight: 100, body: 'one' }] } });
    await startRun(fx.db, first, new Date());
    await fx.runtime.drain();
    // Both got one message today: a daily recurring campaign's run finds nobody under the cap.
    const daily = await campaignOf(
      ws,
      { audience: { segmentIds: [segment] }, content: { channelId: channel, variants: [{ key: 'A', weight: 100, body: 'daily' }] } },
      { kind: 'recurring', status: 'scheduled', cron: '0 10 * * *', nextRunAt: new Date(Date.now() - 1000) },
    );
    const log: string[] = [];
    expect(await runDueCampaigns(fx.db, new Date(), new Set([ws.id]), (m) => log.push(m))).toBe(0);
    expect(log[0]).toContain('the audience is empty');
    const [c] = await fx.db.query<{ status: string; nextRunAt: Date; lastError: string }>(`SELECT status::text AS status, "nextRunAt", "lastError" FROM "Campaign" WHERE id = $1`, [daily]);
    expect(c!.status).toBe('scheduled');
    expect(c!.lastError).toContain('the audience is empty');
    expect(new Date(c!.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    // A campaign snapshotted before the first sends reaches the cap at dispatch: delayed, not sent.
    await fx.db.query(`UPDATE "Delivery" SET "sentAt" = NULL, status = 'skipped' WHERE "campaignId" = $1`, [first]);
    const late = await campaignOf(ws, { audience: { segmentIds: [segment] }, content: { channelId: channel, variants: [{ key: 'A', weight: 100, body: 'late' }] } });
    await startRun(fx.db, late, new Date());
    await fx.db.query(`UPDATE "Delivery" SET "sentAt" = now(), status = 'sent' WHERE "campaignId" = $1`, [first]);
    await fx.runtime.drain();
    const rows = await deliveries(late);
    expect(rows.map((r) => [r.status, r.error])).toEqual(Array(2).fill(['planned', 'frequency cap of 1 a day reached']));
  });
});
