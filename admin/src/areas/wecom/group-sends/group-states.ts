// Where a group-chat send stands in each group. WeCom lists only the chats it sent to, so a chat
// asked for and not listed is waiting while the owner may still confirm, and not sent once the send
// is settled. A send to all of the owner's groups names no chats: its groups are those sent to.
import type { WeComGroupSendStatus } from '@/gql/graphql';

export type ChatState = 'sent' | 'waiting' | 'not_sent';

export interface GroupSendState { status: WeComGroupSendStatus; chatIds: readonly string[]; sentChatIds: readonly string[] }

export function chatStates(send: GroupSendState): Array<{ chatId: string; state: ChatState }> {
  const sent = new Set(send.sentChatIds);
  const open = send.status === 'creating' || send.status === 'waiting';
  const asked = send.chatIds.length ? send.chatIds : send.sentChatIds;
  return asked.map((chatId) => ({ chatId, state: sent.has(chatId) ? 'sent' : open ? 'waiting' : 'not_sent' }));
}
