import { z } from 'zod';
import { NextCursor } from './envelope.ts';

// Welcome messages (notes §5) and mass sends (notes §7).

export const Attachment = z.discriminatedUnion('msgtype', [
  z.object({ msgtype: z.literal('image'), image: z.object({ media_id: z.string().optional(), pic_url: z.string().optional() }) }),
  z.object({
    msgtype: z.literal('link'),
    link: z.object({ title: z.string(), picurl: z.string().optional(), desc: z.string().optional(), url: z.string() }),
  }),
  z.object({
    msgtype: z.literal('miniprogram'),
    miniprogram: z.object({ title: z.string(), pic_media_id: z.string(), appid: z.string(), page: z.string() }),
  }),
  z.object({ msgtype: z.literal('video'), video: z.object({ media_id: z.string() }) }),
  z.object({ msgtype: z.literal('file'), file: z.object({ media_id: z.string() }) }),
]);
export type Attachment = z.infer<typeof Attachment>;

const Text = z.object({ content: z.string() });

export const SendWelcomeMsgRequest = z.object({
  welcome_code: z.string().min(1),
  text: Text.optional(),
  attachments: z.array(Attachment).max(9).optional(),
});
export type SendWelcomeMsgRequest = z.infer<typeof SendWelcomeMsgRequest>;

export const AddMsgTemplateRequest = z.object({
  chat_type: z.enum(['single', 'group']).optional(),
  external_userid: z.array(z.string()).max(10_000).optional(),
  chat_id_list: z.array(z.string()).max(2000).optional(),
  tag_filter: z.object({ group_list: z.array(z.object({ tag_list: z.array(z.string()).max(100) })) }).optional(),
  sender: z.string().optional(),
  allow_select: z.boolean().optional(),
  text: Text.optional(),
  attachments: z.array(Attachment).max(9).optional(),
});
export type AddMsgTemplateRequest = z.infer<typeof AddMsgTemplateRequest>;

export const AddMsgTemplateResponse = z.object({ fail_list: z.array(z.string()).optional(), msgid: z.string() });
export type AddMsgTemplateResponse = z.infer<typeof AddMsgTemplateResponse>;

export const GetGroupMsgListRequest = z.object({
  chat_type: z.enum(['single', 'group']),
  start_time: z.number().int(),
  end_time: z.number().int(),
  creator: z.string().optional(),
  filter_type: z.number().int().optional(),
  limit: z.number().int().positive().optional(),
  cursor: z.string().optional(),
});
export type GetGroupMsgListRequest = z.infer<typeof GetGroupMsgListRequest>;

export const GroupMsg = z.object({
  msgid: z.string(),
  creator: z.string().optional(),
  create_time: z.string().or(z.number()),
  /** 0 created by the corp, 1 by a member. */
  create_type: z.number().int(),
  text: Text.optional(),
  attachments: z.array(Attachment).optional(),
});
export type GroupMsg = z.infer<typeof GroupMsg>;

export const GetGroupMsgListResponse = z.object({ group_msg_list: z.array(GroupMsg), next_cursor: NextCursor });
export type GetGroupMsgListResponse = z.infer<typeof GetGroupMsgListResponse>;

export const GetGroupMsgTaskRequest = z.object({ msgid: z.string().min(1), limit: z.number().int().positive().optional(), cursor: z.string().optional() });
export type GetGroupMsgTaskRequest = z.infer<typeof GetGroupMsgTaskRequest>;

/** get_groupmsg_task status: 0 not sent, 2 sent (WeCom documents no 1 here). */
export const GroupMsgTask = z.object({ userid: z.string(), status: z.number().int(), send_time: z.number().int().optional() });
export type GroupMsgTask = z.infer<typeof GroupMsgTask>;

export const GetGroupMsgTaskResponse = z.object({ task_list: z.array(GroupMsgTask), next_cursor: NextCursor });
export type GetGroupMsgTaskResponse = z.infer<typeof GetGroupMsgTaskResponse>;

export const GetGroupMsgSendResultRequest = z.object({
  msgid: z.string().min(1),
  userid: z.string().min(1),
  limit: z.number().int().positive().optional(),
  cursor: z.string().optional(),
});
export type GetGroupMsgSendResultRequest = z.infer<typeof GetGroupMsgSendResultRequest>;

/** Per recipient: 0 not sent, 1 sent, 2 failed (not a friend), 3 failed (already received its quota). */
export const GroupMsgSendResult = z.object({
  external_userid: z.string().optional(),
  chat_id: z.string().optional(),
  userid: z.string(),
  status: z.number().int(),
  send_time: z.number().int().optional(),
});
export type GroupMsgSendResult = z.infer<typeof GroupMsgSendResult>;

export const GetGroupMsgSendResultResponse = z.object({ send_list: z.array(GroupMsgSendResult), next_cursor: NextCursor });
export type GetGroupMsgSendResultResponse = z.infer<typeof GetGroupMsgSendResultResponse>;

export const MsgIdRequest = z.object({ msgid: z.string().min(1) });
export type MsgIdRequest = z.infer<typeof MsgIdRequest>;
