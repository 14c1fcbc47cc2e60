// Customer groups (客户群) as Courtyard knows them: read from WeCom (groupchat/get) whenever a
// change_external_chat callback names one, and all at once by `syncWeComGroupChats`
// (groupchat/list, then groupchat/get for each). Group-chat sends pick their chats from here
// instead of taking chat ids typed by hand; a dissolved group is kept, marked dissolved.
import type { Db, Prisma } from '@courtyard/db';
import { WeComError, type GroupChatGetResponse, type WeComClient } from '@courtyard/wecom';
import { builder } from './builder.ts';
import { resultUnion } from './error-types.ts';
import { rejectedBy, WeComRejectedError } from './wecom-errors.ts';
import { liveConnection } from './wecom-store.ts';

type Chat = GroupChatGetResponse['group_chat'];

function row(workspaceId: string, chat: Chat): Prisma.WeComGroupChatUncheckedCreateInput {
  return {
    workspaceId,
    chatId: chat.chat_id,
    name: chat.name,
    ownerUserId: chat.owner,
    memberCount: chat.member_list.length,
    customerCount: chat.member_list.filter((m) => m.type === 2).length,
    createdAt: new Date(chat.create_time * 1000),
    dismissedAt: null,
    syncedAt: new Date(),
  };
}

/**
 * Reads one group from WeCom and stores it. A group WeCom no longer answers for (40058 and the
 * like: dissolved, or handed to an owner outside this app's reach) is left as it was; a retryable
 * answer throws, so the callback is tried again.
 */
export async function refreshGroupChat(db: Db, client: WeComClient, workspaceId: string, chatId: string): Promise<boolean> {
  let chat: Chat;
  try {
    chat = (await client.call('externalcontact/groupchat/get', { chat_id: chatId, need_name: 1 })).group_chat;
  } catch (error) {
    if (error instanceof WeComError && !error.retryable) return false;
    throw error;
  }
  const data = row(workspaceId, chat);
  await db.prisma.weComGroupChat.upsert({ where: { workspaceId_chatId: { workspaceId, chatId } }, create: data, update: data });
  return true;
}

export async function groupChatDismissed(db: Db, workspaceId: string, chatId: string, at: Date): Promise<void> {
  await db.prisma.weComGroupChat.updateMany({ where: { workspaceId, chatId, dismissedAt: null }, data: { dismissedAt: at, syncedAt: new Date() } });
}

interface ChatSyncCounts {
  groups: number;
  dismissed: number;
}

/** Every group WeCom lists (any owner), each read and stored; stored ones WeCom no longer lists are marked dissolved. */
async function syncGroupChats(db: Db, client: WeComClient, workspaceId: string): Promise<ChatSyncCounts> {
  const ids: string[] = [];
  let cursor: string | undefined;
  do {
    const page = await client.call('externalcontact/groupchat/list', { status_filter: 0, limit: 1000, ...(cursor ? { cursor } : {}) });
    ids.push(...page.group_chat_list.map((c) => c.chat_id));
    cursor = page.next_cursor || undefined;
  } while (cursor);
  let groups = 0;
  for (const id of ids) if (await refreshGroupChat(db, client, workspaceId, id)) groups++;
  const gone = await db.prisma.weComGroupChat.updateMany({ where: { workspaceId, dismissedAt: null, chatId: { notIn: ids } }, data: { dismissedAt: new Date() } });
  return { groups, dismissed: gone.count };
}

builder.prismaObject('WeComGroupChat', {
  description: 'A customer group (客户群) in WeCom, as last read from WeCom.',
  fields: (t) => ({
    chatId: t.exposeString('chatId', { description: 'WeCom\'s chat_id.' }),
    name: t.exposeString('name', { description: 'The group\'s name (empty when it has none).' }),
    ownerUserId: t.exposeString('ownerUserId', { description: 'The owner\'s WeCom userid (group sends go out in their name).' }),
    memberCount: t.exposeInt('memberCount', { description: 'Members, staff and customers.' }),
    customerCount: t.exposeInt('customerCount', { description: 'Members who are customers (external contacts).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created in WeCom.' }),
    dismissedAt: t.expose('dismissedAt', { type: 'DateTime', nullable: true, description: 'When it was dissolved; null while it exists.' }),
    syncedAt: t.expose('syncedAt', { type: 'DateTime', description: 'When Courtyard last read it from WeCom.' }),
  }),
});

builder.queryFields((t) => ({
  wecomGroupChats: t.prismaField({
    type: ['WeComGroupChat'],
    description: 'Customer groups, the largest first: of the given owners (all when none), whose name contains `text`; dissolved ones only when asked. At most 500.',
    authScopes: { 'wecom:read': true },
    args: {
      ownerUserIds: t.arg.stringList({ description: 'Owners\' WeCom userids.' }),
      text: t.arg.string({ description: 'Part of the name.' }),
      includeDismissed: t.arg.boolean({ description: 'Include dissolved groups; default false.' }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.weComGroupChat.findMany({
        ...query,
        where: {
          workspaceId: ctx.workspaceId(),
          ...(args.ownerUserIds?.length ? { ownerUserId: { in: args.ownerUserIds } } : {}),
          ...(args.text ? { name: { contains: args.text, mode: 'insensitive' as const } } : {}),
          ...(args.includeDismissed ? {} : { dismissedAt: null }),
        },
        orderBy: [{ memberCount: 'desc' }, { chatId: 'asc' }],
        take: 500,
      }),
  }),
}));

const ChatSyncRef = builder.objectRef<ChatSyncCounts>('WeComGroupChatSyncResult').implement({
  description: 'What reading WeCom\'s customer groups changed.',
  fields: (t) => ({
    groups: t.exposeInt('groups', { description: 'Groups read and stored.' }),
    dismissed: t.exposeInt('dismissed', { description: 'Stored groups WeCom no longer lists, marked dissolved.' }),
  }),
});

builder.mutationFields((t) => ({
  syncWeComGroupChats: t.field({
    type: ChatSyncRef,
    description:
      'Reads every customer group from WeCom now (groupchat/list, then groupchat/get for each): names, owners and member counts. Changes made afterwards arrive by callback (change_external_chat).',
    authScopes: { 'wecom:write': true },
    errors: { types: [WeComRejectedError], union: resultUnion('syncing WeCom customer groups') },
    resolve: async (_root, _args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const conn = await liveConnection(ctx.db, workspaceId);
      if (!conn) throw new WeComRejectedError('WeCom is not connected: call connectWeCom first.', 'wecomConnection', null);
      try {
        return await syncGroupChats(ctx.db, conn.client, workspaceId);
      } catch (error) {
        return rejectedBy(error, 'wecomConnection');
      }
    },
  }),
}));
