import { afterEach, describe, expect, it } from 'vitest';
import type { VueWrapper } from '@vue/test-utils';
import { NSelect } from 'naive-ui';
import GroupSendsPage from './GroupSendsPage.vue';
import { mountWith, testid, type, until, viewer } from '../test-support';

const staffRow = (id: string, name: string, wecomUserId: string) => ({ __typename: 'Staff', id, staffId: id.toLowerCase(), name, wecomUserId, active: true });
const send = (id: string, ownerUserId: string, status: string, chatIds: string[], sentChatIds: string[], more: Record<string, unknown> = {}) => ({
  __typename: 'WeComGroupSend', id, ownerUserId, chatIds, sentChatIds, content: '今晚 8 点直播', status, createdAt: '2025-06-01T02:00:00Z', expiresAt: '2025-06-02T02:00:00Z', settledAt: null, error: null, lastError: null, ...more,
});
const base = (sends: unknown[]) => ({
  ...viewer(),
  WeComStaff: () => ({ staff: [staffRow('S1', '张三', 'zhangsan'), staffRow('S2', '李四', 'lisi')] }),
  WeComGroupSends: () => ({ wecomGroupSends: { __typename: 'QueryWecomGroupSendsConnection', edges: sends.map((node) => ({ __typename: 'QueryWecomGroupSendsConnectionEdge', node })), pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null } } }),
});
const select = (wrapper: VueWrapper, id: string) => wrapper.findAllComponents(NSelect).find((c) => c.attributes('data-testid') === id)!;

let unmount = () => {};
afterEach(() => unmount());

describe('group-chat sends', () => {
  it("shows each owner's send and each group's state, the owners' confirmation rates, WeCom's reason for one not sent; filters by state", async () => {
    const m = await mountWith(GroupSendsPage, {}, base([
      send('G1', 'zhangsan', 'partly_sent', ['wr1', 'wr2'], ['wr1'], { settledAt: '2025-06-01T10:00:00Z' }),
      send('G2', 'lisi', 'waiting', ['wr3'], []),
      send('G3', 'lisi', 'not_sent', [], [], { error: 'WeCom answered 41048: the owner has no such groups to send to', settledAt: '2025-06-01T02:00:01Z' }),
      send('G4', 'zhangsan', 'sent', [], ['wr7', 'wr8']),
    ]));
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('group-send-status-G1')?.textContent).toBe('部分发送'));
    expect(testid('group-send-chat-G1-wr1')!.textContent).toBe('wr1 · 已发送');
    expect(testid('group-send-chat-G1-wr2')!.textContent).toBe('wr2 · 未发送');
    expect(testid('group-send-chat-G2-wr3')!.textContent).toBe('wr3 · 待确认');
    expect(testid('group-send-status-G2')!.textContent).toBe('等待群主确认');
    expect(testid('group-sends')!.textContent).toContain('已发 1/2');
    expect(testid('group-sends')!.textContent).toContain('全部群 · 已发 2 个');
    expect(testid('group-sends')!.textContent).toContain('41048: the owner has no such groups');
    await until(() => expect(testid('group-sends-rate-zhangsan')?.textContent).toContain('张三 · 确认率 100%（2/2）'));
    expect(testid('group-sends-rate-lisi')!.textContent).toContain('李四 · 确认率 0%（0/1）');
    select(m.wrapper, 'group-sends-status').vm.$emit('update:value', 'waiting');
    await until(() => expect(testid('group-send-status-G1')).toBeNull());
    expect(testid('group-send-status-G2')).not.toBeNull();
  });

  it('creates sends for the owners and the groups picked from theirs (read again from WeCom on demand); a refusal naming the groups shows under them', async () => {
    const sent: unknown[] = [];
    const chatQueries: unknown[] = [];
    const chat = (chatId: string, name: string, ownerUserId: string, customerCount: number) => ({ __typename: 'WeComGroupChat', chatId, name, ownerUserId, customerCount });
    let chats = [chat('wr1', '会员群', 'zhangsan', 120), chat('wr2', '直播粉丝群', 'lisi', 80)];
    let answer: unknown = { __typename: 'WeComRejectedError', message: 'WeCom answered 40058: invalid chat_id', code: 'WECOM_REJECTED', field: 'input.chatIds', wecomCode: 40058 };
    const m = await mountWith(GroupSendsPage, {}, {
      ...base([]),
      CreateWeComGroupSends: (v) => (sent.push(v.input), { createWeComGroupSends: answer }),
      WeComGroupChats: (v) => (chatQueries.push(v.ownerUserIds), { wecomGroupChats: chats }),
      SyncWeComGroupChats: () => ((chats = [...chats, chat('wr3', '', 'lisi', 0)]), { syncWeComGroupChats: { __typename: 'WeComGroupChatSyncResult', groups: 3, dismissed: 0 } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('group-send-create')).not.toBeNull());
    testid('group-send-create')!.click();
    await until(() => expect(select(m.wrapper, 'group-send-owners')?.props('options')).toEqual([{ value: 'S1', label: '张三 (zhangsan)' }, { value: 'S2', label: '李四 (lisi)' }]));
    select(m.wrapper, 'group-send-owners').vm.$emit('update:value', ['S1', 'S2']);
    // The chosen owners' groups, by name, owner and size.
    await until(() => expect(chatQueries.at(-1)).toEqual(['zhangsan', 'lisi']));
    await until(() => expect(select(m.wrapper, 'group-send-chats').props('options')).toEqual([{ value: 'wr1', label: '会员群 · 张三 · 120 位客户' }, { value: 'wr2', label: '直播粉丝群 · 李四 · 80 位客户' }]));
    testid('group-send-sync-chats')!.click();
    await until(() => expect(select(m.wrapper, 'group-send-chats').props('options')).toHaveLength(3));
    expect(select(m.wrapper, 'group-send-chats').props('options')[2]).toEqual({ value: 'wr3', label: '未命名的群 · 李四 · 0 位客户' });
    await until(() => expect(m.text()).toContain('已从企业微信读取 3 个客户群'));
    select(m.wrapper, 'group-send-chats').vm.$emit('update:value', ['wr1', 'wr2', 'wr1']);
    type('group-send-text', '今晚 8 点直播，群内专享券');
    await until(() => expect(testid('group-send-chats-item')!.textContent).toContain('共 2 个群'));
    testid('group-send-submit')!.click();
    await until(() => expect(sent).toEqual([{ ownerStaffIds: ['S1', 'S2'], chatIds: ['wr1', 'wr2'], text: '今晚 8 点直播，群内专享券' }]));
    await until(() => expect(testid('group-send-chats-item')!.textContent).toContain('企业微信拒绝了请求：WeCom answered 40058: invalid chat_id'));
    expect(testid('group-send-dialog')).not.toBeNull();

    // Sent again: one owner's send is made, the other is refused by WeCom and said so.
    answer = { __typename: 'CreateWeComGroupSendsPayload', sends: [send('G5', 'lisi', 'not_sent', ['wr1', 'wr2'], [], { error: 'WeCom answered 41048: the owner has no such groups to send to' }), send('G6', 'zhangsan', 'waiting', ['wr1', 'wr2'], [])] };
    testid('group-send-submit')!.click();
    await until(() => expect(m.text()).toContain('已创建 1 个群发任务；以下群主未能创建：李四（WeCom answered 41048: the owner has no such groups to send to）'));
  });
});
