import { z } from 'zod';
import { NextCursor } from './envelope.ts';

// Customer groups (客户群): groupchat/list and groupchat/get. Not in the notes; shapes as the
// maintained SDKs read WeCom's docs 92120 and 92122: ArtisanCloud/PowerWeChat
// src/work/externalContact/groupChat/{request/requestGroupChatList.go, response/responseGroupChatList.go,
// response/responseGroupChatGet.go} and wechatpy (WeChatExternalContactGroupChat.list: limit 1–1000,
// status_filter 0 all / 1 resigned owner awaiting handover / 2 handover in progress / 3 handed over).

export const GroupChatListRequest = z.object({
  status_filter: z.number().int().min(0).max(3).optional(),
  owner_filter: z.object({ userid_list: z.array(z.string()) }).optional(),
  cursor: z.string().optional(),
  limit: z.number().int().min(1).max(1000),
});
export type GroupChatListRequest = z.infer<typeof GroupChatListRequest>;

export const GroupChatListResponse = z.object({
  group_chat_list: z.array(z.object({ chat_id: z.string(), status: z.number().int() })),
  next_cursor: NextCursor,
});
export type GroupChatListResponse = z.infer<typeof GroupChatListResponse>;

export const GroupChatGetRequest = z.object({ chat_id: z.string().min(1), need_name: z.number().int().min(0).max(1).optional() });
export type GroupChatGetRequest = z.infer<typeof GroupChatGetRequest>;

export const GroupChatMember = z.object({
  userid: z.string(),
  /** 1 a staff member of the corp, 2 an external contact. */
  type: z.number().int(),
  join_time: z.number().int().optional(),
  join_scene: z.number().int().optional(),
  unionid: z.string().optional(),
  name: z.string().optional(),
  group_nickname: z.string().optional(),
});

export const GroupChatGetResponse = z.object({
  group_chat: z.object({
    chat_id: z.string(),
    name: z.string().default(''),
    owner: z.string(),
    create_time: z.number().int(),
    notice: z.string().optional(),
    member_list: z.array(GroupChatMember).default([]),
    admin_list: z.array(z.object({ userid: z.string() })).optional(),
  }),
});
export type GroupChatGetResponse = z.infer<typeof GroupChatGetResponse>;
