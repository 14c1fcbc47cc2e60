import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, subscribeSse, type TestApp } from '../src/testing.ts';
import { dbId, edge, ENROLL, ERR, node, published, setup, waitThenTag } from './journey-fixtures.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

describe('messaging settings and channels', () => {
  it('with a frequency cap of 1 a day, a second message the same day waits for the next day', async () => {
    const ws = await app.workspace();
    const { customers } = await setup(ws);
    const settings = `mutation ($i: WorkspaceSettingsInput!) { updateWorkspace(input: $i) { ${ERR} ... on Workspace { frequencyCapPerDay frequencyCapMode quietHours { start end } } } }`;
    const bad = await ws.gql(settings, { i: { frequencyCapPerDay: 0, quietHours: { start: '25:00', end: '08:00' } } });
    expect(bad.data.updateWorkspace.fields.map((f: any) => f.field)).toEqual(['input.frequencyCapPerDay', 'input.quietHours.start']);
    const set = await ws.gql(settings, { i: { frequencyCapPerDay: 1, frequencyCapMode: 'delay' } });
    expect(set.data.updateWorkspace).toEqual({ __typename: 'Workspace', frequencyCapPerDay: 1, frequencyCapMode: 'delay', quietHours: null });

    const id = await published(ws, '两条消息', {
      nodes: [node('start', 'api'), node('first', 'send-message', { channel: 'log', body: '第一条' }), node('second', 'send-message', { channel: 'log', body: '第二条' })],
      edges: [edge('start', 'next', 'first'), edge('first', 'next', 'second')],
    });
    await ws.gql(ENROLL, { j: id, c: [customers['13900000001']] });
    await app.runtime.drain();
    const deliveries = await app.db.prisma.delivery.findMany({ where: { workspaceId: ws.id } });
    expect(deliveries.map((d) => d.body)).toEqual(['第一条']);
    const r = await ws.gql(`query ($id: ID!) { journey(id: $id) { enrollments { edges { node { status nodeId } } } } }`, { id });
    expect(r.data.journey.enrollments.edges[0].node).toMatchObject({ nodeId: 'second' });
    expect(r.data.journey.enrollments.edges[0].node.status).not.toBe('completed');
    const enrollment = await app.db.prisma.enrollment.findFirstOrThrow({ where: { workspaceId: ws.id } });
    expect(enrollment.readyAt.getTime()).toBeGreaterThan(Date.now() + 60_000);
  });

  it('channels are created, changed and deleted with their settings checked, and secrets never read back', async () => {
    const ws = await app.workspace();
    const FIELDS = `${ERR} ... on Channel { id channelId type name enabled config }`;
    const create = `mutation ($i: ChannelInput!) { createChannel(input: $i) { ${FIELDS} } }`;
    const bad = await ws.gql(create, { i: { type: 'webhook', name: '订单系统', config: { url: 'not a url' } } });
    expect(bad.data.createChannel.__typename).toBe('ValidationError');
    expect(bad.data.createChannel.fields.map((f: any) => f.field).sort()).toEqual(['input.config.secret', 'input.config.url']);

    const made = await ws.gql(create, { i: { type: 'webhook', name: '订单系统', config: { url: 'https://hooks.example.cn/courtyard', secret: 'shh-very-secret' } } });
    expect(made.data.createChannel).toMatchObject({ __typename: 'Channel', type: 'webhook', enabled: true, config: { url: 'https://hooks.example.cn/courtyard', secret: '********' } });
    expect(JSON.stringify(made.data)).not.toContain('shh-very-secret');
    const id = made.data.createChannel.id;
    expect(dbId(id)).toBe(made.data.createChannel.channelId);
    expect((await ws.gql(create, { i: { type: 'log', name: '订单系统' } })).data.createChannel.__typename).toBe('ConflictError');

    const update = `mutation ($id: ID!, $i: ChannelPatch!) { updateChannel(id: $id, input: $i) { ${FIELDS} } }`;
    const changed = await ws.gql(update, { id, i: { config: { url: 'https://hooks.example.cn/v2', secret: '********' }, enabled: false } });
    expect(changed.data.updateChannel).toMatchObject({ enabled: false, config: { url: 'https://hooks.example.cn/v2', secret: '********' } });
    const stored = await app.db.prisma.channel.findUniqueOrThrow({ where: { id: dbId(id) } });
    expect(stored.config).toMatchObject({ url: 'https://hooks.example.cn/v2', secret: 'shh-very-secret' });
    expect((await ws.gql(update, { id, i: { config: { url: 'ftp://x' } } })).data.updateChannel.fields.map((f: any) => f.field)).toEqual(['input.config.url']);

    const email = await ws.gql(create, { i: { type: 'email', name: '邮件', config: { host: 'smtp.example.cn', user: 'noreply', pass: 'p4ss', from: '品牌 <noreply@example.cn>' } } });
    expect(email.data.createChannel.config).toMatchObject({ user: 'noreply', pass: '********' });
    const list = await ws.gql(`{ channels { name config } channelTypes { type title { zhCN } configSchema } }`);
    expect(list.data.channels.map((c: any) => c.name)).toEqual(['订单系统', '邮件']);
    expect(JSON.stringify(list.data.channels)).not.toMatch(/p4ss|shh-very-secret/);
    expect(list.data.channelTypes.map((t: any) => t.type)).toEqual(['log', 'webhook', 'email', 'wecom']);

    const del = await ws.gql(`mutation ($id: ID!) { deleteChannel(id: $id) { ${ERR} ... on Deleted { deletedId } } }`, { id });
    expect(del.data.deleteChannel).toEqual({ __typename: 'Deleted', deletedId: id });
    expect((await ws.gql(`{ channels { name } }`)).data.channels).toEqual([{ name: '邮件' }]);
  });
});

describe('journeyProgress', () => {
  it('sends the counts on subscribing, then coalesced updates as customers move', async () => {
    const ws = await app.workspace();
    const { customers, tags } = await setup(ws);
    const id = await published(ws, '进度', waitThenTag(dbId(tags.VIP!)));
    const sub = await subscribeSse(app, ws.key, `subscription ($id: ID!) { journeyProgress(journeyId: $id) { journeyId nodes { nodeId entered waiting } } }`, { id });
    try {
      expect(await sub.waitFor(1, 3000)).toBe(1);
      expect(sub.received[0].data.journeyProgress).toEqual({ journeyId: id, nodes: [] });
      for (const c of Object.values(customers)) await ws.gql(ENROLL, { j: id, c: [c] });
      await app.runtime.drain();
      expect(await sub.waitFor(2, 3000)).toBe(2);
      // Three enrollments and a step pass within a second make one message, not four.
      await new Promise((r) => setTimeout(r, 1200));
      const last = sub.received.at(-1).data.journeyProgress;
      expect(sub.received.length).toBeLessThanOrEqual(3);
      expect(last.nodes).toContainEqual({ nodeId: 'wait', entered: 3, waiting: 3 });
    } finally {
      sub.close();
    }
  });
});
