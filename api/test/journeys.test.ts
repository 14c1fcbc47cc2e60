import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../src/testing.ts';
import { CREATE, dbId, edge, ENROLL, ERR, node, PUBLISH, published, setup, STATS, STATUS, tagsOf, UPDATE, waitThenTag } from './journey-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('building and publishing a journey', () => {
  it('a draft with a config error saves, validation names the node and field, publishing fails with them, and the fixed journey runs by port', async () => {
    const ws = await app.workspace();
    const { customers, tags } = await setup(ws);
    const created = await ws.gql(CREATE, { input: { name: 'VIP 关怀', description: '给 VIP 打标签并发消息' } });
    expect(created.data.createJourney).toMatchObject({ __typename: 'Journey', status: 'draft', draftChanged: true });
    const id = created.data.createJourney.id;

    const definition = (vipTagIds: string[]) => ({
      nodes: [
        node('start', 'api'),
        node('vip', 'has-tags', { tagIds: vipTagIds, match: 'any' }),
        node('care', 'add-tags', { tagIds: [dbId(tags['已关怀']!)] }),
        node('hello', 'send-message', { channel: 'log', body: '{{customer.name}}，您好！' }),
      ],
      edges: [edge('start', 'next', 'vip'), edge('vip', 'yes', 'care'), edge('care', 'next', 'hello')],
    });
    const layout = { start: { x: 0, y: 0 }, vip: { x: 0, y: 120 } };
    const updated = await ws.gql(UPDATE, { id, input: { definition: definition([]), layout } });
    expect(updated.data.updateJourney).toMatchObject({ __typename: 'Journey', draftChanged: true });

    const validation = await ws.gql(`query ($id: ID!) { journey(id: $id) { layout validation { code severity nodeId field } } }`, { id });
    expect(validation.data.journey.layout).toEqual(layout);
    expect(validation.data.journey.validation).toContainEqual({ code: 'INVALID_CONFIG', severity: 'error', nodeId: 'vip', field: 'tagIds' });
    const unsaved = await ws.gql(`query ($d: JSONObject!) { validateJourney(definition: $d) { code nodeId field } }`, { d: definition([]) });
    expect(unsaved.data.validateJourney).toContainEqual({ code: 'INVALID_CONFIG', nodeId: 'vip', field: 'tagIds' });

    const refused = await ws.gql(PUBLISH, { id });
    expect(refused.data.publishJourney.__typename).toBe('JourneyValidationError');
    expect(refused.data.publishJourney.issues).toEqual([expect.objectContaining({ code: 'INVALID_CONFIG', nodeId: 'vip', field: 'tagIds' })]);
    expect((await ws.gql(`query ($id: ID!) { journey(id: $id) { status latestVersion } }`, { id })).data.journey).toEqual({ status: 'draft', latestVersion: null });

    await ws.gql(UPDATE, { id, input: { definition: definition([dbId(tags.VIP!)]) } });
    const ok = await ws.gql(PUBLISH, { id });
    expect(ok.data.publishJourney).toMatchObject({ version: { number: 1, accepting: true }, journey: { status: 'active', latestVersion: 1, draftChanged: false }, migration: null });

    const enrolled = await ws.gql(ENROLL, { j: id, c: Object.values(customers) });
    expect(enrolled.data.enrollCustomers).toEqual({ __typename: 'EnrollCustomersPayload', enrolled: 3, skipped: 0 });
    await app.runtime.drain();

    const stats = (await ws.gql(STATS, { id })).data.journey.stats;
    const of = (nodeId: string) => stats.find((s: any) => s.nodeId === nodeId);
    expect(of('vip')).toMatchObject({ entered: 3, completed: 3, waiting: 0, byPort: expect.arrayContaining([{ port: 'yes', count: 1 }, { port: 'no', count: 2 }]) });
    expect(of('care')).toMatchObject({ entered: 1, completed: 1, byPort: [{ port: 'next', count: 1 }] });
    expect(of('hello')).toMatchObject({ entered: 1, completed: 1 });
    expect(await tagsOf(ws, customers['13900000001']!)).toEqual(['VIP', '已关怀']);
    expect(await tagsOf(ws, customers['13900000002']!)).toEqual([]);

    const vip = await ws.gql(`query ($id: ID!, $c: ID!) { journey(id: $id) { enrollments(customerId: $c) { totalCount edges { node {
      status nodeId endedAt version { number } customer { phone } path { nodeId status port } } } } } }`, { id, c: customers['13900000001'] });
    expect(vip.data.journey.enrollments.totalCount).toBe(1);
    expect(vip.data.journey.enrollments.edges[0].node).toMatchObject({ status: 'completed', endedAt: expect.any(String), version: { number: 1 }, customer: { phone: '13900000001' } });
    expect(vip.data.journey.enrollments.edges[0].node.path).toEqual([
      { nodeId: 'start', status: 'completed', port: 'next' },
      { nodeId: 'vip', status: 'completed', port: 'yes' },
      { nodeId: 'care', status: 'completed', port: 'next' },
      { nodeId: 'hello', status: 'completed', port: 'next' },
    ]);
    const completed = await ws.gql(`query ($id: ID!) { journey(id: $id) { enrollments(status: completed) { totalCount } } }`, { id });
    expect(completed.data.journey.enrollments.totalCount).toBe(3);
    const deliveries = await app.db.prisma.delivery.findMany({ where: { workspaceId: ws.id } });
    expect(deliveries.map((d) => [d.body, d.status])).toEqual([['林小姐，您好！', 'sent']]);
  });

  it('publishing a journey with an unreachable node fails with the node id', async () => {
    const ws = await app.workspace();
    const { tags } = await setup(ws);
    const created = await ws.gql(CREATE, {
      input: {
        name: '孤立节点',
        definition: { nodes: [node('start', 'api'), node('tag', 'add-tags', { tagIds: [dbId(tags.VIP!)] }), node('lost', 'wait', { duration: { amount: 1, unit: 'hours' } })], edges: [edge('start', 'next', 'tag')] },
      },
    });
    const refused = await ws.gql(PUBLISH, { id: created.data.createJourney.id });
    expect(refused.data.publishJourney.issues).toEqual([expect.objectContaining({ code: 'UNREACHABLE_NODE', nodeId: 'lost', field: null })]);
    expect(refused.data.publishJourney.message).toContain('node lost');
  });

  it('tags, segments, channels and journeys a config names must be in the workspace: another workspace\'s tag or a deleted one is named by node and field, and publishing waits until it is fixed', async () => {
    const ws = await app.workspace();
    const other = await app.workspace();
    const { tags } = await setup(ws);
    const theirs = await setup(other);
    const deleted = await ws.gql(`mutation { createTagGroup(input: { name: "临时", kind: basic }) { ... on TagGroup { id } } }`);
    const gone = await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "将删" }) { ... on Tag { id } } }`, { g: deleted.data.createTagGroup.id });
    await app.db.prisma.tag.delete({ where: { id: dbId(gone.data.createTag.id) } });
    const definition = (tagIds: string[], channel: string) => ({
      nodes: [node('start', 'api'), node('tag', 'add-tags', { tagIds }), node('hello', 'send-message', { channel, body: '您好' })],
      edges: [edge('start', 'next', 'tag'), edge('tag', 'next', 'hello')],
    });
    const bad = definition([tags.VIP!, theirs.tags.VIP!, dbId(gone.data.createTag.id)], '00000000-0000-4000-8000-000000000001');
    const checked = await ws.gql(`query ($d: JSONObject!) { validateJourney(definition: $d) { code severity nodeId field message } }`, { d: bad });
    expect(checked.data.validateJourney.filter((i: { severity: string }) => i.severity === 'error')).toEqual([
      { code: 'UNKNOWN_REFERENCE', severity: 'error', nodeId: 'tag', field: 'tagIds.1', message: expect.stringMatching(/no tag ".+" in this workspace/) },
      { code: 'UNKNOWN_REFERENCE', severity: 'error', nodeId: 'tag', field: 'tagIds.2', message: expect.stringMatching(/no tag ".+" in this workspace/) },
      { code: 'UNKNOWN_REFERENCE', severity: 'error', nodeId: 'hello', field: 'channel', message: expect.stringMatching(/no channel/) },
    ]);
    const created = await ws.gql(CREATE, { input: { name: '引用检查', definition: bad } });
    const refused = await ws.gql(PUBLISH, { id: created.data.createJourney.id });
    expect(refused.data.publishJourney.issues.map((i: { code: string; field: string }) => [i.code, i.field])).toEqual([
      ['UNKNOWN_REFERENCE', 'tagIds.1'],
      ['UNKNOWN_REFERENCE', 'tagIds.2'],
      ['UNKNOWN_REFERENCE', 'channel'],
    ]);
    // A channel named by its type is not a reference; the workspace's own tag passes.
    await ws.gql(UPDATE, { id: created.data.createJourney.id, input: { definition: definition([tags.VIP!], 'log') } });
    expect((await ws.gql(PUBLISH, { id: created.data.createJourney.id })).data.publishJourney.__typename).toBe('PublishJourneyPayload');
  });

  it('a draft of the wrong shape is refused naming the field, and a taken name is a conflict', async () => {
    const ws = await app.workspace();
    const bad = await ws.gql(CREATE, { input: { name: '坏', definition: { nodes: [{ id: 'a b', type: 'courtyard.api', version: '1.0.0' }], edges: [] }, settings: { reentry: { mode: 'sometimes' } } } });
    expect(bad.data.createJourney.__typename).toBe('ValidationError');
    expect(bad.data.createJourney.fields.map((f: any) => f.field)).toEqual(['input.definition.nodes.0.id', 'input.settings.reentry.mode']);
    expect((await ws.gql(CREATE, { input: { name: '好' } })).data.createJourney.__typename).toBe('Journey');
    expect((await ws.gql(CREATE, { input: { name: '好' } })).data.createJourney).toMatchObject({ __typename: 'ConflictError', code: 'CONFLICT' });
    expect((await ws.gql(`{ journeys { totalCount } }`)).data.journeys.totalCount).toBe(1);
  });

  it('a never-published draft can be deleted; a published journey must be archived instead', async () => {
    const ws = await app.workspace();
    const { tags } = await setup(ws);
    const draft = await ws.gql(CREATE, { input: { name: '草稿' } });
    const del = `mutation ($id: ID!) { deleteJourney(id: $id) { ${ERR} ... on Deleted { deletedId } } }`;
    expect((await ws.gql(del, { id: draft.data.createJourney.id })).data.deleteJourney).toEqual({ __typename: 'Deleted', deletedId: draft.data.createJourney.id });
    const id = await published(ws, '已发布', waitThenTag(dbId(tags.VIP!)));
    const refused = await ws.gql(del, { id });
    expect(refused.data.deleteJourney).toMatchObject({ __typename: 'ConflictError' });
    expect(refused.data.deleteJourney.message).toMatch(/archive/);
  });
});

describe('listing journeys', () => {
  it('reads a page with counts in the same number of statements for 2 journeys as for 6', async () => {
    const ws = await app.workspace();
    const { customers, tags } = await setup(ws);
    const PAGE = `{ journeys(first: 20) { totalCount edges { node { name status latestVersion enrolledCount insideCount versions(first: 1) { totalCount edges { node { number } } } } } } }`;
    const count = async (expected: number) => {
      app.sql.length = 0;
      const r = await ws.gql(PAGE);
      expect(r.errors).toBeUndefined();
      expect(r.data.journeys.totalCount).toBe(expected);
      return app.sql.filter((q) => !/^(BEGIN|COMMIT)/i.test(q)).length;
    };
    for (const n of [1, 2]) {
      const id = await published(ws, `旅程 ${n}`, waitThenTag(dbId(tags.VIP!)));
      await ws.gql(ENROLL, { j: id, c: Object.values(customers) });
    }
    const small = await count(2);
    for (const n of [3, 4, 5, 6]) await published(ws, `旅程 ${n}`, waitThenTag(dbId(tags.VIP!)));
    expect(await count(6)).toBe(small);
    expect(small).toBeLessThanOrEqual(4);
    const first = (await ws.gql(`{ journeys(search: "旅程 1") { edges { node { enrolledCount insideCount versions { totalCount } } } } }`)).data.journeys.edges[0].node;
    expect(first).toEqual({ enrolledCount: 3, insideCount: 3, versions: { totalCount: 1 } });
  });
});

describe('versions and lifecycle', () => {
  it('republishing an edited draft makes v2 for new customers while those inside stay on v1, until a publish migrates them', async () => {
    const ws = await app.workspace();
    const { customers, tags } = await setup(ws);
    const id = await published(ws, '两个版本', waitThenTag(dbId(tags.VIP!)));
    const [first, second, third] = Object.values(customers) as [string, string, string];
    await ws.gql(ENROLL, { j: id, c: [first] });
    await app.runtime.drain();

    const edited = await ws.gql(UPDATE, { id, input: { definition: waitThenTag(dbId(tags['已关怀']!)) } });
    expect(edited.data.updateJourney.draftChanged).toBe(true);
    const v2 = await ws.gql(PUBLISH, { id });
    expect(v2.data.publishJourney).toMatchObject({ version: { number: 2, accepting: true }, journey: { draftChanged: false } });
    await ws.gql(ENROLL, { j: id, c: [second] });
    await app.runtime.drain();

    const versions = `query ($id: ID!) { journey(id: $id) { versions { totalCount edges { node { number accepting } } } v1: version(number: 1) { accepting }
      enrollments { edges { node { status nodeId customer { id } version { number } } } } } }`;
    const r = (await ws.gql(versions, { id })).data.journey;
    expect(r.versions).toEqual({ totalCount: 2, edges: [{ node: { number: 2, accepting: true } }, { node: { number: 1, accepting: false } }] });
    expect(r.v1).toEqual({ accepting: false });
    const byCustomer = Object.fromEntries(r.enrollments.edges.map((e: any) => [e.node.customer.id, e.node]));
    expect(byCustomer[first]).toMatchObject({ status: 'waiting', nodeId: 'wait', version: { number: 1 } });
    expect(byCustomer[second]).toMatchObject({ status: 'waiting', nodeId: 'wait', version: { number: 2 } });

    await ws.gql(ENROLL, { j: id, c: [third] });
    const v3 = await ws.gql(PUBLISH, { id, migrate: true });
    expect(v3.data.publishJourney).toMatchObject({ version: { number: 3 }, migration: { moved: 3, unmatched: [] } });
  });

  it('a paused journey takes nobody and runs no steps until resumed', async () => {
    const ws = await app.workspace();
    const { customers, tags } = await setup(ws);
    const id = await published(ws, '暂停', {
      nodes: [node('start', 'api'), node('tag', 'add-tags', { tagIds: [dbId(tags['已关怀']!)] })],
      edges: [edge('start', 'next', 'tag')],
    });
    const first = customers['13900000002']!;
    const second = customers['13900000003']!;
    await ws.gql(ENROLL, { j: id, c: [first] });
    expect((await ws.gql(STATUS('pauseJourney'), { id })).data.pauseJourney).toEqual({ __typename: 'Journey', status: 'paused' });
    expect((await ws.gql(STATUS('pauseJourney'), { id })).data.pauseJourney).toMatchObject({ __typename: 'JourneyStateError', status: 'paused' });
    expect((await ws.gql(ENROLL, { j: id, c: [second] })).data.enrollCustomers).toMatchObject({ __typename: 'JourneyStateError', status: 'paused' });
    await app.runtime.drain();
    expect(await tagsOf(ws, first)).toEqual([]);
    expect((await ws.gql(STATS, { id })).data.journey.stats.find((s: any) => s.nodeId === 'tag')).toMatchObject({ waiting: 1, completed: 0 });

    expect((await ws.gql(STATUS('resumeJourney'), { id })).data.resumeJourney).toEqual({ __typename: 'Journey', status: 'active' });
    await app.runtime.drain();
    expect(await tagsOf(ws, first)).toEqual(['已关怀']);
  });

  it('archiving exits everyone inside and nothing can be published, edited or enrolled afterwards', async () => {
    const ws = await app.workspace();
    const { customers, tags } = await setup(ws);
    const id = await published(ws, '归档', waitThenTag(dbId(tags.VIP!)));
    await ws.gql(ENROLL, { j: id, c: Object.values(customers) });
    await app.runtime.drain();
    expect((await ws.gql(STATUS('archiveJourney'), { id })).data.archiveJourney).toEqual({ __typename: 'Journey', status: 'archived' });
    const r = await ws.gql(`query ($id: ID!) { journey(id: $id) { enrollments(status: exited) { totalCount edges { node { exitReason endedAt } } } } }`, { id });
    expect(r.data.journey.enrollments.totalCount).toBe(3);
    expect(r.data.journey.enrollments.edges[0].node).toEqual({ exitReason: 'journey archived', endedAt: expect.any(String) });
    expect((await ws.gql(PUBLISH, { id })).data.publishJourney).toMatchObject({ __typename: 'JourneyStateError', status: 'archived' });
    expect((await ws.gql(UPDATE, { id, input: { name: '改名' } })).data.updateJourney).toMatchObject({ __typename: 'JourneyStateError' });
    expect((await ws.gql(ENROLL, { j: id, c: [customers['13900000001']] })).data.enrollCustomers).toMatchObject({ __typename: 'JourneyStateError', status: 'archived' });
    expect((await ws.gql(STATUS('resumeJourney'), { id })).data.resumeJourney.__typename).toBe('JourneyStateError');
  });
});

describe('enrolling', () => {
  it('the same requestKey enrolls each customer once; only API-triggered, published journeys take enrollCustomers', async () => {
    const ws = await app.workspace();
    const { customers, tags } = await setup(ws);
    const id = await published(ws, 'API 进入', waitThenTag(dbId(tags.VIP!)), { reentry: { mode: 'always' } });
    const ids = Object.values(customers).slice(0, 2);
    expect((await ws.gql(ENROLL, { j: id, c: ids, k: 'order-sync-42', d: { coupon: 'C1' } })).data.enrollCustomers).toMatchObject({ enrolled: 2, skipped: 0 });
    expect((await ws.gql(ENROLL, { j: id, c: ids, k: 'order-sync-42' })).data.enrollCustomers).toMatchObject({ enrolled: 0, skipped: 2 });
    expect((await ws.gql(`query ($id: ID!) { journey(id: $id) { enrollments { totalCount } } }`, { id })).data.journey.enrollments.totalCount).toBe(2);

    const tooMany = await ws.gql(ENROLL, { j: id, c: Array.from({ length: 10_001 }, () => ids[0]) });
    expect(tooMany.data.enrollCustomers.fields).toEqual([{ field: 'customerIds', message: expect.stringContaining('at most 10000') }]);
    const unknown = await ws.gql(ENROLL, { j: id, c: [ids[0], 'Q3VzdG9tZXI6MDAwMDAwMDAtMDAwMC0wMDAwLTAwMDAtMDAwMDAwMDAwMDAw'] });
    expect(unknown.data.enrollCustomers.fields).toEqual([{ field: 'customerIds.1', message: 'no such customer in this workspace' }]);

    const draft = await ws.gql(CREATE, { input: { name: '草稿', definition: waitThenTag(dbId(tags.VIP!)) } });
    expect((await ws.gql(ENROLL, { j: draft.data.createJourney.id, c: ids })).data.enrollCustomers).toMatchObject({ __typename: 'JourneyStateError', status: 'draft' });
    const byEvent = await published(ws, '事件进入', { nodes: [node('start', 'event', { eventType: 'order_paid' }), node('tag', 'add-tags', { tagIds: [dbId(tags.VIP!)] })], edges: [edge('start', 'next', 'tag')] });
    const refused = (await ws.gql(ENROLL, { j: byEvent, c: ids })).data.enrollCustomers;
    expect(refused).toMatchObject({ __typename: 'JourneyStateError', status: 'active' });
    expect(refused.message).toMatch(/courtyard\.api/);
  });

  it('an event-triggered journey enrolls customers whose event is ingested, once per event', async () => {
    const ws = await app.workspace();
    const { customers, tags } = await setup(ws);
    const id = await published(ws, '付款关怀', {
      nodes: [node('start', 'event', { eventType: 'order_paid' }), node('tag', 'add-tags', { tagIds: [dbId(tags['已关怀']!)] })],
      edges: [edge('start', 'next', 'tag')],
    }, { reentry: { mode: 'always' } });
    const events = [
      { customer: { phone: '13900000001' }, type: 'order_paid', idempotencyKey: 'p1', properties: { amount: 12990 } },
      { customer: { phone: '13900000002' }, type: 'cart_abandoned', idempotencyKey: 'c1' },
    ];
    const ingest = `mutation ($e: [EventInput!]!) { ingestEvents(events: $e) { ... on IngestEventsPayload { storedCount duplicateCount } } }`;
    expect((await ws.gql(ingest, { e: events })).data.ingestEvents).toEqual({ storedCount: 2, duplicateCount: 0 });
    expect((await ws.gql(ingest, { e: events })).data.ingestEvents).toEqual({ storedCount: 0, duplicateCount: 2 });
    await app.runtime.drain();
    expect(await tagsOf(ws, customers['13900000001']!)).toEqual(['VIP', '已关怀']);
    expect(await tagsOf(ws, customers['13900000002']!)).toEqual([]);
    expect((await ws.gql(`query ($id: ID!) { journey(id: $id) { enrollments { totalCount } } }`, { id })).data.journey.enrollments.totalCount).toBe(1);
  });
});

describe('the node catalog and message preview', () => {
  it('journeyNodeTypes lists every built-in node with Chinese and English titles and a config schema', async () => {
    const ws = await app.workspace();
    const r = await ws.gql(`{ journeyNodeTypes { id version kind title { zhCN en } description { zhCN en } icon configSchema ports { id title { zhCN en } } portsFromConfig { field } scopes } }`);
    const types = r.data.journeyNodeTypes;
    expect(types.map((t: any) => t.id).sort()).toEqual(app.runtime.registry.latest().map((n) => n.id).sort());
    expect(types.length).toBeGreaterThanOrEqual(20);
    for (const t of types) {
      expect(t.title.zhCN).toMatch(/\S/);
      expect(t.title.en).toMatch(/\S/);
      // An object schema, or (for a config with variants, like the schedule trigger) a choice of them.
      expect(t.configSchema.type ?? t.configSchema.oneOf?.[0]?.type).toBe('object');
    }
    expect(types[0].kind).toBe('trigger');
    expect(types.find((t: any) => t.id === 'courtyard.has-tags')).toMatchObject({
      kind: 'condition',
      title: { zhCN: '标签判断', en: 'Has tags' },
      ports: [{ id: 'yes' }, { id: 'no' }],
      scopes: ['tags:read'],
    });
  });

  it('previewMessage renders a template for one customer and names a template that does not parse', async () => {
    const ws = await app.workspace();
    const { customers } = await setup(ws);
    const preview = `query ($t: String!, $c: ID!, $l: JSONObject) { previewMessage(template: $t, customerId: $c, links: $l) { ${ERR} ... on MessagePreview { body } } }`;
    const ok = await ws.gql(preview, { t: '{{customer.name}}，您的优惠券：{{links.coupon}}', c: customers['13900000001'], l: { coupon: 'https://m.example.cn/c/1' } });
    expect(ok.data.previewMessage).toEqual({ __typename: 'MessagePreview', body: '林小姐，您的优惠券：https://m.example.cn/c/1' });
    const bad = await ws.gql(preview, { t: '{{customer.name', c: customers['13900000001'] });
    expect(bad.data.previewMessage.fields).toEqual([{ field: 'template', message: expect.stringContaining('does not parse') }]);
  });
});
