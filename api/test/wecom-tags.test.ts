// WeCom's corp tag library mirrored in Courtyard's tags, against the WeCom stand-in as a real HTTP
// server: a one-off pull (syncWeComTagLibrary), console changes arriving as change_external_tag
// callbacks, and staff members tagging contacts in WeCom (edit_external_contact).
import type { WeComStandIn } from '@courtyard/wecom/standin';
import { describe, expect, it } from 'vitest';
import type { TestWorkspace } from '../src/testing.ts';
import { dbId, edge, node, published } from './journey-fixtures.ts';
import { useWeComHarness } from './wecom-fixtures.ts';

const harness = useWeComHarness();

const SYNC = `mutation { syncWeComTagLibrary { __typename ... on Error { message } ... on WeComRejectedError { field wecomCode }
  ... on WeComTagSyncResult { groupsCreated groupsUpdated tagsCreated tagsUpdated archived } } }`;
const LIBRARY = `{ tagGroups { name kind wecomGroupId wecomDeletedAt tags { name wecomTagId wecomDeletedAt customerCount } } }`;

const connected = () => harness.connected();

/** A group with tags in the stand-in's library, as an admin made it in the console before Courtyard was connected (no callbacks). */
function seedLibrary(s: WeComStandIn, group_id: string, group_name: string, tags: [string, string][]) {
  s.state.tagGroups.push({ group_id, group_name, create_time: 1_700_000_000, order: 0, tags: tags.map(([id, name]) => ({ id, name, create_time: 1_700_000_000, order: 0 })) });
}

const library = async (ws: TestWorkspace) => {
  const r = await ws.gql(LIBRARY);
  expect(r.errors).toBeUndefined();
  return r.data.tagGroups as { name: string; wecomGroupId: string | null; wecomDeletedAt: string | null; tags: { name: string; wecomTagId: string | null; wecomDeletedAt: string | null; customerCount: number }[] }[];
};

describe('the WeCom corp tag library in Courtyard', () => {
  it('syncWeComTagLibrary pulls every group and tag, linked by WeCom id; a same-named Courtyard group is adopted; a second pull changes nothing; a tag gone from WeCom is kept, marked deleted, with its customers', async () => {
    const { ws, s } = await connected();
    const own = await ws.gql(`mutation { createTagGroup(input: { name: "客户等级", kind: intent }) { ... on TagGroup { id } } }`);
    const vip = await ws.gql(`mutation ($g: ID!) { createTag(input: { groupId: $g, name: "VIP" }) { ... on Tag { id } } }`, { g: own.data.createTagGroup.id });
    seedLibrary(s, 'etGroupLevel', '客户等级', [['etVip', 'VIP'], ['etNormal', '普通']]);
    seedLibrary(s, 'etGroupIntent', '购买意向', [['etHigh', '高意向']]);

    const first = await ws.gql(SYNC);
    expect(first.data.syncWeComTagLibrary).toEqual({ __typename: 'WeComTagSyncResult', groupsCreated: 1, groupsUpdated: 1, tagsCreated: 2, tagsUpdated: 1, archived: 0 });
    // By kind, then name: the new group is `basic`, the adopted one keeps its kind.
    expect(await library(ws)).toEqual([
      { name: '购买意向', kind: 'basic', wecomGroupId: 'etGroupIntent', wecomDeletedAt: null, tags: [{ name: '高意向', wecomTagId: 'etHigh', wecomDeletedAt: null, customerCount: 0 }] },
      { name: '客户等级', kind: 'intent', wecomGroupId: 'etGroupLevel', wecomDeletedAt: null, tags: [{ name: 'VIP', wecomTagId: 'etVip', wecomDeletedAt: null, customerCount: 0 }, { name: '普通', wecomTagId: 'etNormal', wecomDeletedAt: null, customerCount: 0 }] },
    ]);
    // The adopted tag is the one Courtyard already had: same id.
    const adopted = await harness.app.db.prisma.tag.findFirstOrThrow({ where: { workspaceId: ws.id, wecomTagId: 'etVip' } });
    expect(Buffer.from(`Tag:${adopted.id}`).toString('base64')).toBe(vip.data.createTag.id);

    expect((await ws.gql(SYNC)).data.syncWeComTagLibrary).toMatchObject({ groupsCreated: 0, groupsUpdated: 0, tagsCreated: 0, tagsUpdated: 0, archived: 0 });

    // 普通 is deleted in WeCom while nobody listened; a customer carries it in Courtyard.
    const customer = await harness.app.db.prisma.customer.create({ data: { workspaceId: ws.id, name: '老客' } });
    const normal = await harness.app.db.prisma.tag.findFirstOrThrow({ where: { workspaceId: ws.id, wecomTagId: 'etNormal' } });
    await harness.app.db.prisma.customerTag.create({ data: { workspaceId: ws.id, customerId: customer.id, tagId: normal.id } });
    s.state.tagGroups.find((g) => g.group_id === 'etGroupLevel')!.tags.splice(1, 1);
    expect((await ws.gql(SYNC)).data.syncWeComTagLibrary).toMatchObject({ archived: 1 });
    const level = (await library(ws)).find((g) => g.name === '客户等级')!;
    expect(level.tags.find((t) => t.name === '普通')).toMatchObject({ wecomTagId: 'etNormal', wecomDeletedAt: expect.any(String), customerCount: 1 });
  });

  it('console changes arrive by callback: a new tag (and its group) is created, a rename follows, a deleted group is kept with its tags marked deleted', async () => {
    const { ws, s } = await connected();
    const { tag_id, group_id } = await s.consoleAddTag({ group_name: '渠道', name: '直播间' });
    await harness.server.wecom.drain();
    expect(await library(ws)).toEqual([{ name: '渠道', kind: 'basic', wecomGroupId: group_id, wecomDeletedAt: null, tags: [{ name: '直播间', wecomTagId: tag_id, wecomDeletedAt: null, customerCount: 0 }] }]);

    await s.consoleEditTag({ id: tag_id, name: '抖音直播间' });
    await s.consoleEditTag({ id: group_id, name: '来源渠道' });
    await harness.server.wecom.drain();
    expect((await library(ws)).map((g) => [g.name, g.tags.map((t) => t.name)])).toEqual([['来源渠道', ['抖音直播间']]]);

    await s.consoleDeleteTag({ group_id });
    await harness.server.wecom.drain();
    const [group] = await library(ws);
    expect(group).toMatchObject({ name: '来源渠道', wecomGroupId: group_id, wecomDeletedAt: expect.any(String), tags: [{ name: '抖音直播间', wecomDeletedAt: expect.any(String) }] });
    const receipts = await harness.app.db.prisma.weComCallback.findMany({ where: { workspaceId: ws.id }, select: { status: true } });
    expect(receipts.map((r) => r.status)).toEqual(Array(4).fill('processed'));
  });

  it('a staff member tagging a contact in WeCom applies the linked tag (pulled first when new); untagging removes only what WeCom applied; a second edit in the same second is not lost, a retry records nothing', async () => {
    const { ws, s } = await connected();
    await s.addByPhone({ userid: 'zhangsan', mobile: '13800138000', external_userid: 'wm_tagged' });
    await harness.server.wecom.drain();
    const customer = await harness.app.db.prisma.customer.findFirstOrThrow({ where: { workspaceId: ws.id, wecomExternalId: 'wm_tagged' } });
    // The profile read after the add (name, corp tags) is done before the staff member tags.
    await expect.poll(async () => (await harness.app.db.prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).name).not.toBeNull();
    // Made in the console before Courtyard listened: unknown to Courtyard until the edit names it.
    seedLibrary(s, 'etGroupLevel', '客户等级', [['etVip', 'VIP'], ['etGold', '金卡']]);

    await s.editContact({ userid: 'zhangsan', external_userid: 'wm_tagged', add_tag: ['etVip', 'etGold'] });
    await harness.server.wecom.drain();
    const tagsOf = async () =>
      (await harness.app.db.prisma.customerTag.findMany({ where: { customerId: customer.id }, include: { tag: true }, orderBy: { tag: { name: 'asc' } } })).map((t) => [t.tag.name, t.source]);
    expect(await tagsOf()).toEqual([['VIP', 'wecom'], ['金卡', 'wecom']]);
    const edited = await harness.app.db.prisma.event.findFirstOrThrow({ where: { customerId: customer.id, type: 'wecom.contact_edited' } });
    expect(edited.properties).toMatchObject({ staffUserId: 'zhangsan', externalUserId: 'wm_tagged', tagsRemoved: [] });
    expect([...(edited.properties as { tagsAdded: string[] }).tagsAdded].sort()).toEqual(['VIP', '金卡']);

    // 金卡 counts as applied by a journey in Courtyard (as if the journey had tagged first): WeCom's untagging leaves it.
    const gold = await harness.app.db.prisma.tag.findFirstOrThrow({ where: { workspaceId: ws.id, wecomTagId: 'etGold' } });
    await harness.app.db.prisma.customerTag.update({ where: { customerId_tagId: { customerId: customer.id, tagId: gold.id } }, data: { source: 'journey' } });
    // The second edit in the same second as the first: WeCom's callback for it looks like a retry
    // of the first (same FromUserName, CreateTime, contact), and must not be lost.
    const first = await harness.app.db.prisma.weComCallback.findFirstOrThrow({ where: { workspaceId: ws.id, changeType: 'edit_external_contact' } });
    s.state.nowSeconds = () => Number((first.payload as { CreateTime: string }).CreateTime);
    await s.editContact({ userid: 'zhangsan', external_userid: 'wm_tagged', remove_tag: ['etVip', 'etGold'] });
    await harness.server.wecom.drain();
    expect(await tagsOf()).toEqual([['金卡', 'journey']]);
    const events = await harness.app.db.prisma.event.findMany({ where: { customerId: customer.id, type: 'wecom.contact_edited' }, orderBy: { occurredAt: 'asc' } });
    expect(events.map((e) => (e.properties as { tagsRemoved: string[] }).tagsRemoved)).toEqual([[], ['VIP']]);
    // WeCom retrying that callback (its answer lost): read again, nothing changed, no third event.
    const last = s.callbacks().at(-1)!;
    expect(last.fields.ChangeType).toBe('edit_external_contact');
    expect(String(last.fields.CreateTime)).toBe((first.payload as { CreateTime: string }).CreateTime);
    expect((await s.redeliver(last)).delivered).toBe(true);
    await harness.server.wecom.drain();
    expect(await tagsOf()).toEqual([['金卡', 'journey']]);
    expect(await harness.app.db.prisma.event.count({ where: { customerId: customer.id, type: 'wecom.contact_edited' } })).toBe(2);
    expect(await harness.app.db.prisma.weComCallback.findMany({ where: { workspaceId: ws.id, changeType: 'edit_external_contact' }, select: { status: true } })).toEqual([{ status: 'processed' }]);
  });

  it('a new contact who already carries corp tags in WeCom (tagged by another staff member before) gets the linked tags on add, unknown ones pulled first', async () => {
    const { ws, s } = await harness.connected(['zhangsan', 'lisi']);
    seedLibrary(s, 'etGroupIntent', '意向', [['etHigh', '高意向'], ['etLow', '低意向']]);
    // zhangsan knew and tagged the customer before Courtyard was connected (no callbacks then).
    s.state.customers.set('wm_known', { external_userid: 'wm_known', name: '老客户', type: 1, gender: 2 });
    s.state.follows.push({ userid: 'zhangsan', external_userid: 'wm_known', createtime: s.state.nowSeconds() - 86_400, add_way: 1, tags: new Set(['etHigh']) });

    await s.addByPhone({ userid: 'lisi', mobile: '13900139000', external_userid: 'wm_known' });
    await harness.server.wecom.drain();
    const customer = await harness.app.db.prisma.customer.findFirstOrThrow({ where: { workspaceId: ws.id, wecomExternalId: 'wm_known' } });
    await expect
      .poll(async () => (await harness.app.db.prisma.customerTag.findMany({ where: { customerId: customer.id }, include: { tag: true } })).map((t) => [t.tag.name, t.source]), { timeout: 5_000 })
      .toEqual([['高意向', 'wecom']]);
    expect((await harness.app.db.prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).name).toBe('老客户');
    // The tag was pulled by id (get_corp_tag_list answers with the tags asked for, in their group).
    expect((await library(ws)).find((g) => g.wecomGroupId === 'etGroupIntent')).toMatchObject({ name: '意向', tags: [{ name: '高意向', customerCount: 1 }] });
  });

  it('a journey entering on wecom.contact_added already sees the corp tags the contact carries in WeCom, and its name, when the pass is done', async () => {
    const { ws, s } = await harness.connected(['zhangsan', 'lisi']);
    seedLibrary(s, 'etGroupIntent', '意向', [['etHigh', '高意向']]);
    expect((await ws.gql(SYNC)).data.syncWeComTagLibrary.tagsCreated).toBe(1);
    const high = await harness.app.db.prisma.tag.findFirstOrThrow({ where: { workspaceId: ws.id, wecomTagId: 'etHigh' } });
    const group = await ws.gql(`mutation { createTagGroup(input: { name: "旅程", kind: behaviour }) { ... on TagGroup { id } } }`);
    const mark = async (name: string) => dbId((await ws.gql(`mutation ($g: ID!, $n: String!) { createTag(input: { groupId: $g, name: $n }) { ... on Tag { id } } }`, { g: group.data.createTagGroup.id, n: name })).data.createTag.id);
    const [knew, didNotKnow] = [await mark('入旅程时有意向'), await mark('入旅程时无意向')];
    await published(ws, '意向分流', {
      nodes: [
        node('start', 'event', { eventType: 'wecom.contact_added' }),
        node('intent', 'has-tags', { tagIds: [high.id], match: 'any' }),
        node('yes', 'add-tags', { tagIds: [knew] }),
        node('no', 'add-tags', { tagIds: [didNotKnow] }),
      ],
      edges: [edge('start', 'next', 'intent'), edge('intent', 'yes', 'yes'), edge('intent', 'no', 'no')],
    });
    s.state.customers.set('wm_intent', { external_userid: 'wm_intent', name: '周女士', type: 1, gender: 2 });
    s.state.follows.push({ userid: 'zhangsan', external_userid: 'wm_intent', createtime: s.state.nowSeconds() - 86_400, add_way: 1, tags: new Set(['etHigh']) });

    await s.addByPhone({ userid: 'lisi', mobile: '13600136000', external_userid: 'wm_intent' });
    await harness.server.wecom.drain();
    // No waiting: the pass wrote the profile and the corp tag with the customer.
    const customer = await harness.app.db.prisma.customer.findFirstOrThrow({ where: { workspaceId: ws.id, wecomExternalId: 'wm_intent' }, include: { tags: { include: { tag: true } } } });
    expect([customer.name, customer.gender]).toEqual(['周女士', 'female']);
    expect(customer.tags.map((t) => [t.tag.name, t.source])).toEqual([['高意向', 'wecom']]);
    await harness.app.runtime.drain();
    const tags = await harness.app.db.prisma.customerTag.findMany({ where: { customerId: customer.id }, include: { tag: true } });
    expect(tags.map((t) => t.tag.name).sort()).toEqual(['入旅程时有意向', '高意向']);
    // One read of the profile for the add, none afterwards.
    expect(s.state.counters.calls.get('externalcontact/get')).toBe(1);
  });

  it('linked tags changed in Courtyard are marked in WeCom for every staff member who follows the contact; what WeCom changed is not pushed back', async () => {
    const { ws, s } = await harness.connected(['zhangsan', 'lisi']);
    seedLibrary(s, 'etGroupValue', '价值', [['etVip', 'VIP'], ['etGold', '金卡']]);
    expect((await ws.gql(SYNC)).data.syncWeComTagLibrary.tagsCreated).toBe(2);
    await s.addByPhone({ userid: 'zhangsan', mobile: '13700137000', external_userid: 'wm_two' });
    await s.addByPhone({ userid: 'lisi', mobile: '13700137000', external_userid: 'wm_two' });
    await harness.server.wecom.drain();
    const customer = await harness.app.db.prisma.customer.findFirstOrThrow({ where: { workspaceId: ws.id, wecomExternalId: 'wm_two' } });
    await expect.poll(async () => (await harness.app.db.prisma.customer.findUniqueOrThrow({ where: { id: customer.id } })).name).not.toBeNull();
    const vip = await harness.app.db.prisma.tag.findFirstOrThrow({ where: { workspaceId: ws.id, wecomTagId: 'etVip' } });
    const local = await harness.app.db.prisma.tag.create({ data: { workspaceId: ws.id, groupId: vip.groupId, name: '仅 Courtyard' } });
    const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString('base64');
    const TAG = (op: 'tagCustomers' | 'untagCustomers') => `mutation ($input: TaggingInput!) { ${op}(input: $input) { __typename ... on TaggingResult { changedAssignments } } }`;
    const wecomTags = (userid: string) => [...(s.state.follow(userid, 'wm_two')?.tags ?? [])].sort();

    const tagged = await ws.gql(TAG('tagCustomers'), { input: { tagIds: [gid('Tag', vip.id), gid('Tag', local.id)], customerIds: [gid('Customer', customer.id)], source: 'journey' } });
    expect(tagged.data.tagCustomers.changedAssignments).toBe(2);
    await harness.app.runtime.wecomFollowUps();
    expect([wecomTags('zhangsan'), wecomTags('lisi')]).toEqual([['etVip'], ['etVip']]);
    expect(await harness.app.db.prisma.weComTagPush.count({ where: { workspaceId: ws.id } })).toBe(0);

    await ws.gql(TAG('untagCustomers'), { input: { tagIds: [gid('Tag', vip.id)], customerIds: [gid('Customer', customer.id)] } });
    await harness.app.runtime.wecomFollowUps();
    expect([wecomTags('zhangsan'), wecomTags('lisi')]).toEqual([[], []]);

    // WeCom busy beyond the client's retries: the add waits to be retried, and the removal that
    // follows does not overtake it; once retried, the last change wins.
    s.failNext({ api: 'externalcontact/mark_tag', errcode: -1, times: 4 });
    await ws.gql(TAG('tagCustomers'), { input: { tagIds: [gid('Tag', vip.id)], customerIds: [gid('Customer', customer.id)] } });
    await harness.app.runtime.wecomFollowUps();
    expect(await harness.app.db.prisma.weComTagPush.findMany({ where: { workspaceId: ws.id }, select: { add: true, lastError: true } })).toEqual([{ add: true, lastError: expect.stringMatching(/-1/) }]);
    await ws.gql(TAG('untagCustomers'), { input: { tagIds: [gid('Tag', vip.id)], customerIds: [gid('Customer', customer.id)] } });
    const marksBefore = s.state.counters.calls.get('externalcontact/mark_tag') ?? 0;
    await harness.app.runtime.wecomFollowUps();
    expect(s.state.counters.calls.get('externalcontact/mark_tag') ?? 0).toBe(marksBefore);
    await harness.app.runtime.wecomFollowUps(new Date(Date.now() + 120_000));
    expect([wecomTags('zhangsan'), wecomTags('lisi')]).toEqual([[], []]);
    expect(await harness.app.db.prisma.weComTagPush.count({ where: { workspaceId: ws.id } })).toBe(0);

    // A staff member tags in WeCom: Courtyard applies it, and marks nothing back.
    const marks = () => s.state.counters.calls.get('externalcontact/mark_tag') ?? 0;
    const before = marks();
    await s.editContact({ userid: 'lisi', external_userid: 'wm_two', add_tag: ['etGold'] });
    await harness.server.wecom.drain();
    await harness.app.runtime.wecomFollowUps();
    expect((await harness.app.db.prisma.customerTag.findMany({ where: { customerId: customer.id }, include: { tag: true } })).map((t) => t.tag.name).sort()).toEqual(['仅 Courtyard', '金卡']);
    expect(marks()).toBe(before);
    expect(await harness.app.db.prisma.weComTagPush.count({ where: { workspaceId: ws.id } })).toBe(0);
  });

  it('without a WeCom connection the sync is refused with a typed error and nothing changes', async () => {
    const ws = await harness.app.workspace();
    expect((await ws.gql(SYNC)).data.syncWeComTagLibrary).toMatchObject({ __typename: 'WeComRejectedError', field: 'wecomConnection', wecomCode: null });
    expect(await harness.app.db.prisma.tagGroup.count({ where: { workspaceId: ws.id } })).toBe(0);
  });
});
