import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';
import { countOf, CREATE, created, DELIVERIES, ERR, phoneOf, simple, START, STATE, world } from './campaign-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const ESTIMATE = `query ($d: JSONObject!, $c: ID) { estimateAudience(definition: $d, campaignId: $c) { ${ERR}
  ... on AudienceEstimate { inSegments excludedBySegments blacklisted noConsent riskTagged overFrequencyCap audience holdout toSend } } }`;
const RESULTS = `query ($id: ID!, $g: CampaignResultsGroupBy) { campaign(id: $id) { status
  results(groupBy: $g) { key planned sent delivered failed replied clicked customersOrdered orders orderRate orderAmount paidAmount }
  holdout { treatment { customers ordered rate } control { customers ordered rate } uplift ci95Low ci95High }
  progress { total queued sent heldOut } runs { totalCount edges { node { number status planned heldOut finishedAt counts { sent heldOut } } } } } }`;

describe('a campaign from estimate to results', () => {
  it('estimates the audience, sends A/B variants to it minus a control group, and reports replies, attributed orders and uplift', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 100, { blacklisted: 1, noConsent: 1 });
    const definition = {
      audience: { segmentIds: [w.segmentId], holdoutPercent: 10 },
      content: {
        channelId: w.channelId,
        variants: [
          { key: 'A', weight: 50, body: '{{customer.name}}，会员日满 199 减 30' },
          { key: 'B', weight: 50, body: '{{customer.name}}，专属券：{{links.coupon}}' },
        ],
        links: { coupon: 'https://shop.example.cn/c/99' },
      },
    };
    const id = await created(ws, '会员日', definition);

    const estimate = (await ws.gql(ESTIMATE, { d: definition, c: id })).data.estimateAudience;
    expect(estimate).toMatchObject({ __typename: 'AudienceEstimate', inSegments: 100, excludedBySegments: 0, blacklisted: 1, noConsent: 1, riskTagged: 0, overFrequencyCap: 0, audience: 98 });
    expect(estimate.holdout).toBeGreaterThan(0);
    expect(estimate.toSend).toBe(98 - estimate.holdout);

    const preview = await ws.gql(`query ($d: JSONObject!, $c: ID!) { previewCampaignMessage(definition: $d, variantKey: "B", customerId: $c) { ${ERR} ... on CampaignMessagePreview { subject body } } }`, {
      d: definition,
      c: w.customers[5],
    });
    expect(preview.data.previewCampaignMessage).toEqual({ __typename: 'CampaignMessagePreview', subject: null, body: '客户6，专属券：https://shop.example.cn/c/99' });

    const started = (await ws.gql(START, { id })).data.startCampaign;
    expect(started).toEqual({
      __typename: 'StartCampaignPayload',
      planned: estimate.toSend,
      heldOut: estimate.holdout,
      campaign: { status: 'running' },
      run: { number: 1, status: 'running', planned: estimate.toSend, heldOut: estimate.holdout },
    });
    expect(await countOf(ws, id, 'queued')).toBe(estimate.toSend);
    const runs = await ws.gql(`query ($c: ID) { campaignRuns(campaignId: $c) { totalCount edges { node { number planned } } } }`, { c: id });
    expect(runs.data.campaignRuns).toEqual({ totalCount: 1, edges: [{ node: { number: 1, planned: estimate.toSend } }] });
    await app.runtime.drain();

    expect(await countOf(ws, id, 'sent')).toBe(estimate.toSend);
    expect(await countOf(ws, id, 'held_out')).toBe(estimate.holdout);
    expect(await countOf(ws, id, 'queued')).toBe(0);
    const b = (await ws.gql(DELIVERIES, { c: id, s: 'sent', v: 'B' })).data.deliveries.edges.map((e: any) => e.node);
    expect(b.length).toBeGreaterThan(0);
    expect(b[0]).toMatchObject({ variant: 'B', run: { number: 1 }, campaign: { name: '会员日' }, sentAt: expect.any(String) });
    expect(b[0].body).toBe(`${b[0].customer.name}，专属券：https://shop.example.cn/c/99`);

    // The customer replies (the receipt names the delivery) and orders within the attribution window.
    const buyer = b[0];
    const ingest = await ws.gql(`mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { ${ERR} ... on IngestEventsPayload { storedCount } } }`, {
      e: [{ customer: { id: buyer.customer.id }, type: 'message_replied', properties: { deliveryId: buyer.id }, idempotencyKey: 'reply-1' }],
    });
    expect(ingest.data.ingestEvents).toEqual({ __typename: 'IngestEventsPayload', storedCount: 1 });
    const control = (await ws.gql(DELIVERIES, { c: id, s: 'held_out' })).data.deliveries.edges[0].node;
    const placedAt = new Date(Date.now() + 1000).toISOString();
    const order = (customer: string, externalId: string, total: number, paid: number) => ({ customer: { id: customer }, platform: 'youzan', externalId, status: 'paid', total, paid, placedAt, paidAt: placedAt });
    const imported = await ws.gql(`mutation ($o: [OrderInput!]!) { importOrders(orders: $o) { ${ERR} ... on ImportOrdersPayload { createdCount } } }`, {
      o: [order(buyer.customer.id, 'YZ-1', 12900, 11900), order(control.customer.id, 'YZ-2', 5000, 5000)],
    });
    expect(imported.data.importOrders.createdCount).toBe(2);
    expect((await ws.gql(DELIVERIES, { c: id, s: 'replied' })).data.deliveries.edges.map((e: any) => e.node.id)).toEqual([buyer.id]);

    const byVariant = (await ws.gql(RESULTS, { id, g: 'VARIANT' })).data.campaign;
    expect(byVariant.status).toBe('completed');
    expect(byVariant.results.map((r: any) => r.key)).toEqual(['A', 'B']);
    const [rowA, rowB] = byVariant.results;
    expect(rowA.sent + rowB.sent).toBe(estimate.toSend);
    expect(rowB).toMatchObject({ key: 'B', planned: rowB.sent, failed: 0, replied: 1, delivered: 1, customersOrdered: 1, orders: 1, orderAmount: 12900, paidAmount: 11900 });
    expect(rowB.orderRate).toBeCloseTo(1 / rowB.sent);
    expect(rowA).toMatchObject({ key: 'A', replied: 0, orders: 0, orderAmount: 0 });

    const total = (await ws.gql(RESULTS, { id })).data.campaign;
    expect(total.results).toEqual([expect.objectContaining({ key: null, planned: estimate.toSend, sent: estimate.toSend, replied: 1, orders: 1, paidAmount: 11900 })]);
    expect(total.holdout.treatment).toEqual({ customers: estimate.toSend, ordered: 1, rate: 1 / estimate.toSend });
    expect(total.holdout.control).toEqual({ customers: estimate.holdout, ordered: 1, rate: 1 / estimate.holdout });
    expect(total.holdout.uplift).toBeCloseTo(1 / estimate.toSend - 1 / estimate.holdout);
    expect(total.holdout.ci95Low).toBeLessThan(total.holdout.uplift);
    expect(total.holdout.ci95High).toBeGreaterThan(total.holdout.uplift);
    expect(total.progress).toEqual({ total: 98, queued: 0, sent: estimate.toSend, heldOut: estimate.holdout });
    expect(total.runs.totalCount).toBe(1);
    expect(total.runs.edges[0].node).toMatchObject({ number: 1, status: 'completed', finishedAt: expect.any(String), counts: { sent: estimate.toSend, heldOut: estimate.holdout } });

    const listed = await ws.gql(`{ campaigns(status: completed) { totalCount edges { node { name } } } }`);
    expect(listed.data.campaigns).toEqual({ totalCount: 1, edges: [{ node: { name: '会员日' } }] });
  });
});

describe('bad input is refused with the field to fix, before anything is queued', () => {
  it('weights not adding up to 100, a window with no time, an unknown template variable, a sender without limits, a bad holdout', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 3);
    const staff = await app.db.prisma.staff.create({ data: { workspaceId: ws.id, name: '小美', perMinuteLimit: 0, perDayLimit: 0 } });
    const bad = {
      audience: { segmentIds: [w.segmentId] },
      content: { channelId: w.channelId, variants: [{ key: 'A', weight: 60, body: '{{customer.name}} {{coupon}}' }, { key: 'B', weight: 30, body: '你好' }] },
      senderStaffIds: [staff.id],
      windows: [{ start: '12:00', end: '12:00' }],
    };
    const r = await ws.gql(CREATE, { input: { name: '错误', definition: bad } });
    expect(r.data.createCampaign.__typename).toBe('ValidationError');
    const fields = r.data.createCampaign.fields;
    const at = (field: string) => fields.filter((f: any) => f.field === field).map((f: any) => f.message);
    expect(at('input.definition.content.variants')).toEqual(['variant weights must add up to 100; they add up to 90']);
    expect(at('input.definition.content.variants.0.body')).toEqual([expect.stringContaining('{{coupon}} is not a known variable')]);
    expect(at('input.definition.windows.0')).toEqual([expect.stringContaining('allows no time')]);
    expect(at('input.definition.senderStaffIds.0')).toEqual([expect.stringContaining('has no sending limits')]);

    const shape = await ws.gql(CREATE, { input: { name: '错误', definition: simple(w, { audience: { segmentIds: [w.segmentId], holdoutPercent: 80 } }) } });
    expect(shape.data.createCampaign.fields.map((f: any) => f.field)).toEqual(['input.definition.audience.holdoutPercent']);
    const estimate = await ws.gql(`query ($d: JSONObject!) { estimateAudience(definition: $d) { ${ERR} } }`, { d: bad });
    expect(estimate.data.estimateAudience.fields.map((f: any) => f.field)).toContain('definition.content.variants');

    const noCron = await ws.gql(CREATE, { input: { name: '每日', kind: 'recurring', definition: simple(w) } });
    expect(noCron.data.createCampaign.fields.map((f: any) => f.field)).toEqual(['input.cron']);
    const badCron = await ws.gql(CREATE, { input: { name: '每日', kind: 'recurring', cron: 'every day', definition: simple(w) } });
    expect(badCron.data.createCampaign.fields.map((f: any) => f.field)).toEqual(['input.cron']);
    expect((await ws.gql(`{ campaigns { totalCount } }`)).data.campaigns.totalCount).toBe(0);
  });

  it('an empty audience and an archived segment refuse the start and queue nothing; restoring the segment lets it start', async () => {
    const ws = await app.workspace();
    const blacklisted = await world(ws, 3, { blacklisted: 3 });
    const empty = await created(ws, '空', simple(blacklisted));
    const refused = (await ws.gql(START, { id: empty })).data.startCampaign;
    expect(refused).toMatchObject({ __typename: 'EmptyAudienceError', code: 'EMPTY_AUDIENCE', field: 'definition.audience.segmentIds', estimate: { inSegments: 3, blacklisted: 3, audience: 0 } });
    expect(await countOf(ws, empty)).toBe(0);
    expect((await ws.gql(`query ($id: ID!) { campaign(id: $id) { status progress { total } runs { totalCount } } }`, { id: empty })).data.campaign).toEqual({ status: 'draft', progress: null, runs: { totalCount: 0 } });

    await ws.gql(`mutation ($c: [CustomerInput!]!) { upsertCustomers(customers: $c) { __typename } }`, { c: [0, 1, 2].map((i) => ({ phone: phoneOf(i), blacklisted: false })) });
    const campaign = await created(ws, '归档', simple(blacklisted));
    const archived = await ws.gql(`mutation ($id: ID!) { archiveSegment(id: $id) { ${ERR} ... on Segment { archivedAt } } }`, { id: blacklisted.segmentId });
    expect(archived.data.archiveSegment.archivedAt).toEqual(expect.any(String));
    const onArchived = (await ws.gql(START, { id: campaign })).data.startCampaign;
    expect(onArchived.__typename).toBe('ValidationError');
    expect(onArchived.fields).toEqual([{ field: 'definition.audience.segmentIds.0', message: 'segment "会员" is archived; restore it or choose another' }]);
    expect(await countOf(ws, campaign)).toBe(0);
    const restored = await ws.gql(`mutation ($id: ID!) { restoreSegment(id: $id) { ${ERR} ... on Segment { archivedAt } } }`, { id: blacklisted.segmentId });
    expect(restored.data.restoreSegment.archivedAt).toBeNull();
    expect((await ws.gql(START, { id: campaign })).data.startCampaign).toMatchObject({ __typename: 'StartCampaignPayload', planned: 3 });
  });

  it('scheduling: a one-off needs a future time; a recurring campaign gets its next cron occurrence', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 2);
    const SCHEDULE = `mutation ($id: ID!, $at: DateTime) { scheduleCampaign(id: $id, at: $at) { ${ERR} ... on CampaignStateError { status } ... on Campaign { status scheduledAt nextRunAt } } }`;
    const once = await created(ws, '双十一', simple(w));
    expect((await ws.gql(SCHEDULE, { id: once })).data.scheduleCampaign.fields.map((f: any) => f.field)).toEqual(['at']);
    expect((await ws.gql(SCHEDULE, { id: once, at: '2020-11-11T20:00:00+08:00' })).data.scheduleCampaign.fields[0]).toEqual({ field: 'at', message: 'must be in the future; to send now use startCampaign' });
    const at = new Date(Date.now() + 3_600_000).toISOString();
    expect((await ws.gql(SCHEDULE, { id: once, at })).data.scheduleCampaign).toEqual({ __typename: 'Campaign', status: 'scheduled', scheduledAt: at, nextRunAt: at });

    const daily = await created(ws, '每日维护', simple(w), { kind: 'recurring', cron: '0 10 * * *' });
    const scheduled = (await ws.gql(SCHEDULE, { id: daily })).data.scheduleCampaign;
    expect(scheduled).toMatchObject({ status: 'scheduled', scheduledAt: null });
    expect(new Date(scheduled.nextRunAt).getTime()).toBeGreaterThan(Date.now());
    expect(new Date(scheduled.nextRunAt).getTime()).toBeLessThanOrEqual(Date.now() + 86_400_000);
    // Cancelled: it can be neither scheduled nor edited again.
    expect((await ws.gql(STATE('cancelCampaign'), { id: daily })).data.cancelCampaign).toEqual({ __typename: 'Campaign', status: 'cancelled' });
    expect((await ws.gql(SCHEDULE, { id: daily })).data.scheduleCampaign).toMatchObject({ __typename: 'CampaignStateError', status: 'cancelled' });
    const edit = await ws.gql(`mutation ($id: ID!) { updateCampaign(id: $id, patch: { name: "新" }) { ${ERR} ... on CampaignStateError { status } } }`, { id: daily });
    expect(edit.data.updateCampaign).toMatchObject({ __typename: 'CampaignStateError', status: 'cancelled' });
  });
});

describe('pause, resume and cancel', () => {
  it('a paused campaign sends nothing until resumed; a cancelled one marks what was not sent as cancelled', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 5);
    const id = await created(ws, '暂停', simple(w));
    expect((await ws.gql(START, { id })).data.startCampaign.planned).toBe(5);
    expect((await ws.gql(STATE('pauseCampaign'), { id })).data.pauseCampaign).toEqual({ __typename: 'Campaign', status: 'paused' });
    await app.runtime.drain();
    expect(await countOf(ws, id, 'queued')).toBe(5);
    expect(await countOf(ws, id, 'sent')).toBe(0);
    expect((await ws.gql(STATE('pauseCampaign'), { id })).data.pauseCampaign).toMatchObject({ __typename: 'CampaignStateError', code: 'CAMPAIGN_STATE', status: 'paused' });
    expect((await ws.gql(START, { id })).data.startCampaign).toMatchObject({ __typename: 'CampaignStateError', status: 'paused' });
    const edited = await ws.gql(`mutation ($id: ID!, $d: JSONObject!) { updateCampaign(id: $id, patch: { definition: $d }) { ${ERR} ... on Campaign { status } } }`, {
      id,
      d: simple(w, { content: { channelId: w.channelId, variants: [{ key: 'A', weight: 100, body: '改过的' }] } }),
    });
    expect(edited.data.updateCampaign).toEqual({ __typename: 'Campaign', status: 'paused' });
    expect((await ws.gql(STATE('resumeCampaign'), { id })).data.resumeCampaign).toEqual({ __typename: 'Campaign', status: 'running' });
    await app.runtime.drain();
    const sent = (await ws.gql(DELIVERIES, { c: id, s: 'sent' })).data.deliveries;
    expect(sent.totalCount).toBe(5);
    // The run keeps the definition it started with.
    expect(sent.edges.map((e: any) => e.node.body)).toContain('客户1，您好');
    expect((await ws.gql(`query ($id: ID!) { campaign(id: $id) { status } }`, { id })).data.campaign.status).toBe('completed');
    expect((await ws.gql(STATE('resumeCampaign'), { id })).data.resumeCampaign).toMatchObject({ __typename: 'CampaignStateError', status: 'completed' });

    const second = await created(ws, '取消', simple(w));
    await ws.gql(START, { id: second });
    expect((await ws.gql(STATE('cancelCampaign'), { id: second })).data.cancelCampaign).toEqual({ __typename: 'Campaign', status: 'cancelled' });
    await app.runtime.drain();
    expect(await countOf(ws, second, 'cancelled')).toBe(5);
    expect(await countOf(ws, second, 'sent')).toBe(0);
    expect((await ws.gql(START, { id: second })).data.startCampaign).toMatchObject({ __typename: 'CampaignStateError', status: 'cancelled' });
  });
});

describe('deleting a campaign', () => {
  const DELETE = `mutation ($id: ID!) { deleteCampaign(id: $id) { ${ERR} ... on CampaignStateError { status } ... on Deleted { deletedId } } }`;
  const TO = `query ($c: ID!) { deliveries(customerId: $c, first: 10) { totalCount edges { node { status body campaign { name } run { number } } } } }`;

  it('deletes a draft, and a finished campaign with its runs while the messages it sent stay in the log; refuses a running one', async () => {
    const ws = await app.workspace();
    const w = await world(ws, 3);
    const draft = await created(ws, '草稿', simple(w));
    const first = await ws.gql(DELETE, { id: draft });
    expect(first.errors).toBeUndefined();
    expect(first.data.deleteCampaign).toEqual({ __typename: 'Deleted', deletedId: draft });
    expect((await ws.gql(`query ($id: ID!) { campaign(id: $id) { name } }`, { id: draft })).data.campaign).toBeNull();
    expect((await ws.gql(DELETE, { id: draft })).data.deleteCampaign).toMatchObject({ __typename: 'NotFoundError' });

    const sent = await created(ws, '已发送', simple(w));
    await ws.gql(START, { id: sent });
    await ws.gql(STATE('pauseCampaign'), { id: sent });
    expect((await ws.gql(DELETE, { id: sent })).data.deleteCampaign).toMatchObject({ __typename: 'CampaignStateError', status: 'paused' });
    await ws.gql(STATE('resumeCampaign'), { id: sent });
    expect((await ws.gql(DELETE, { id: sent })).data.deleteCampaign).toMatchObject({ __typename: 'CampaignStateError', status: 'running' });
    await app.runtime.drain();
    expect((await ws.gql(`query ($id: ID!) { campaign(id: $id) { status } }`, { id: sent })).data.campaign.status).toBe('completed');
    expect((await ws.gql(DELETE, { id: sent })).data.deleteCampaign).toEqual({ __typename: 'Deleted', deletedId: sent });
    expect((await ws.gql(`query ($c: ID) { campaignRuns(campaignId: $c) { totalCount } }`, { c: sent })).data.campaignRuns.totalCount).toBe(0);
    // The customer still got the message: it stays in their log (and counts for caps and attribution).
    const log = (await ws.gql(TO, { c: w.customers[0] })).data.deliveries;
    expect(log.totalCount).toBe(1);
    expect(log.edges[0].node).toMatchObject({ status: 'sent', body: expect.any(String), campaign: null, run: null });

    // Another workspace cannot delete it.
    const other = await app.workspace();
    const theirs = await created(ws, '别人的', simple(w));
    expect((await other.gql(DELETE, { id: theirs })).data.deleteCampaign).toMatchObject({ __typename: 'NotFoundError' });
    expect((await ws.gql(`query ($id: ID!) { campaign(id: $id) { name } }`, { id: theirs })).data.campaign).toEqual({ name: '别人的' });
  });
});
