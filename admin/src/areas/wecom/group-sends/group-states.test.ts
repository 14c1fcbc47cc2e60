import { describe, expect, it } from 'vitest';
import { chatStates } from './group-states';

describe('group-chat send per group', () => {
  it('a chat asked for is sent when WeCom lists it, waiting while the owner may still confirm, not sent once settled', () => {
    expect(chatStates({ status: 'waiting', chatIds: ['wr1', 'wr2'], sentChatIds: [] })).toEqual([{ chatId: 'wr1', state: 'waiting' }, { chatId: 'wr2', state: 'waiting' }]);
    expect(chatStates({ status: 'partly_sent', chatIds: ['wr1', 'wr2'], sentChatIds: ['wr2'] })).toEqual([{ chatId: 'wr1', state: 'not_sent' }, { chatId: 'wr2', state: 'sent' }]);
  });

  it("a send to all the owner's groups shows the groups it reached", () => {
    expect(chatStates({ status: 'sent', chatIds: [], sentChatIds: ['wr3'] })).toEqual([{ chatId: 'wr3', state: 'sent' }]);
    expect(chatStates({ status: 'waiting', chatIds: [], sentChatIds: [] })).toEqual([]);
  });
});
