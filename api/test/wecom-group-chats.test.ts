// Customer groups (客户群) known to Courtyard, against the WeCom stand-in as a real HTTP server:
// kept in step by change_external_chat callbacks (each group read back with groupchat/get), and read
// all at once by syncWeComGroupChats (groupchat/list + groupchat/get).
import { describe, expect, it } from 'vitest';
import { subscribeSse, type TestWorkspace } from '../src/testing.ts';
import { useWeComHarness } from './wecom-fixtures.ts';

const harness = useWeComHarness();

const CHATS = `query ($owners: [String!], $text: String, $all: Boolean) { wecomGroupChats(ownerUserIds: $owners, text: $text, includeDismissed: $all) { chatId name ownerUserId memberCount customerCount dismissedAt } }`;
const SYNC = `mutation { syncWeComGroupChats { __typename ... on Error { message } ... on WeComGroupChatSyncResult { groups dismissed } } }`;

const chats = async (ws: TestWorkspace, variables: Record<string, unknown> = {}) => {
  const r = await ws.gql(CHATS, variables);
  expect(r.errors).toBeUndefined();
  return r.data.wecomGroupChats as { chatId: string; name: string; ownerUserId: string; memberCount: number; customerCount: number; dismissedAt: string | null }[];
};

describe('customer groups', () => {
  it('follow WeCom by callback: created, renamed, members joining, handed to another owner, dissolved (kept, shown only when asked)', async () => {
    const { ws, s } = await harness.connected(['zhangsan', 'lisi']);
    await s.groupChatEvent({ chat_id: 'wrVip', change: 'create', owner: 'zhangsan', name: '会员群', add_member: ['wm_a', 'wm_b'] });
    await harness.server.wecom.drain();
    expect(await chats(ws)).toEqual([{ chatId: 'wrVip', name: '会员群', ownerUserId: 'zhangsan', memberCount: 3, customerCount: 2, dismissedAt: null }]);

    await s.groupChatEvent({ chat_id: 'wrVip', change: 'update', name: '618 会员群' });
    await s.groupChatEvent({ chat_id: 'wrVip', change: 'update', add_member: ['wm_c'] });
    await s.groupChatEvent({ chat_id: 'wrVip', change: 'update', owner: 'lisi' });
    await harness.server.wecom.drain();
    expect(await chats(ws)).toEqual([{ chatId: 'wrVip', name: '618 会员群', ownerUserId: 'lisi', memberCount: 4, customerCount: 3, dismissedAt: null }]);
    expect(await chats(ws, { owners: ['zhangsan'] })).toEqual([]);
    expect((await chats(ws, { text: '618' })).map((c) => c.chatId)).toEqual(['wrVip']);

    await s.groupChatEvent({ chat_id: 'wrVip', change: 'dismiss' });
    await harness.server.wecom.drain();
    expect(await chats(ws)).toEqual([]);
    expect(await chats(ws, { all: true })).toEqual([expect.objectContaining({ chatId: 'wrVip', dismissedAt: expect.any(String) })]);
  });

  it('syncWeComGroupChats reads every group WeCom lists (made before Courtyard listened) and marks stored ones WeCom no longer has as dissolved', async () => {
    const { ws, s } = await harness.connected(['zhangsan', 'lisi']);
    // Groups that existed before the connection: no callbacks ever came for them.
    s.state.groupChats.set('wrOld1', { chat_id: 'wrOld1', name: '老客户群', owner: 'zhangsan', members: ['wm_1', 'wm_2', 'wm_3'], create_time: 1_700_000_000 });
    s.state.groupChats.set('wrOld2', { chat_id: 'wrOld2', name: '直播间粉丝', owner: 'lisi', members: ['wm_4'], create_time: 1_700_000_100 });
    await harness.app.db.prisma.weComGroupChat.create({ data: { workspaceId: ws.id, chatId: 'wrGone', name: '已解散', ownerUserId: 'zhangsan', createdAt: new Date() } });

    const r = await ws.gql(SYNC);
    expect(r.data.syncWeComGroupChats).toEqual({ __typename: 'WeComGroupChatSyncResult', groups: 2, dismissed: 1 });
    expect((await chats(ws)).map((c) => [c.chatId, c.name, c.ownerUserId, c.customerCount])).toEqual([
      ['wrOld1', '老客户群', 'zhangsan', 3],
      ['wrOld2', '直播间粉丝', 'lisi', 1],
    ]);
    expect((await chats(ws, { all: true })).find((c) => c.chatId === 'wrGone')?.dismissedAt).toEqual(expect.any(String));
    // Another workspace sees none of them.
    const other = await harness.app.workspace();
    expect((await other.gql(CHATS, { all: true })).data.wecomGroupChats).toEqual([]);
  });
});

describe('workspaceChanged', () => {
  it('tells a screen its workspace changed (a WeCom callback processed), coalesced to one message a second, and never another workspace\'s changes', async () => {
    const { ws, s } = await harness.connected(['zhangsan']);
    const other = await harness.connected(['zhangsan']);
    const url = `http://127.0.0.1:${harness.server.port}/graphql`;
    const mine = await subscribeSse(url, ws.key, 'subscription { workspaceChanged { at } }');
    const theirs = await subscribeSse(url, other.ws.key, 'subscription { workspaceChanged { at } }');
    try {
      await new Promise((r) => setTimeout(r, 200));
      // Three changes in the same second: one message.
      await s.groupChatEvent({ chat_id: 'wrLive', change: 'create', owner: 'zhangsan', name: '直播群' });
      await s.groupChatEvent({ chat_id: 'wrLive', change: 'update', name: '直播群 2' });
      await harness.server.wecom.drain();
      expect(await mine.waitFor(1, 3000)).toBe(1);
      expect(mine.received[0].data.workspaceChanged.at).toEqual(expect.any(String));
      await new Promise((r) => setTimeout(r, 1300));
      expect(mine.received.length).toBeLessThanOrEqual(2);
      expect(theirs.received).toEqual([]);
    } finally {
      mine.close();
      theirs.close();
    }
  });
});
