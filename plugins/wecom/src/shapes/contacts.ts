import { z } from 'zod';
import { NextCursor } from './envelope.ts';

// Customers (external contacts) and corp tags (notes §6).

export const ExternalContact = z.object({
  external_userid: z.string(),
  name: z.string(),
  avatar: z.string().optional(),
  /** 1 = WeChat user, 2 = WeCom user. */
  type: z.number().int(),
  gender: z.number().int().optional(),
  unionid: z.string().optional(),
  position: z.string().optional(),
  corp_name: z.string().optional(),
  corp_full_name: z.string().optional(),
});
export type ExternalContact = z.infer<typeof ExternalContact>;

export const FollowUserTag = z.object({
  group_name: z.string().optional(),
  tag_name: z.string(),
  tag_id: z.string().optional(),
  /** 1 corp, 2 personal (no tag_id), 3 rule group. */
  type: z.number().int(),
});

export const FollowUser = z.object({
  userid: z.string(),
  remark: z.string().optional(),
  description: z.string().optional(),
  createtime: z.number().int(),
  tags: z.array(FollowUserTag).optional(),
  remark_corp_name: z.string().optional(),
  remark_mobiles: z.array(z.string()).optional(),
  oper_userid: z.string().optional(),
  add_way: z.number().int().optional(),
  state: z.string().optional(),
});
export type FollowUser = z.infer<typeof FollowUser>;

export const GetExternalContactRequest = z.object({ external_userid: z.string().min(1), cursor: z.string().optional() });
export type GetExternalContactRequest = z.infer<typeof GetExternalContactRequest>;

export const GetExternalContactResponse = z.object({ external_contact: ExternalContact, follow_user: z.array(FollowUser), next_cursor: NextCursor });
export type GetExternalContactResponse = z.infer<typeof GetExternalContactResponse>;

export const ListExternalContactRequest = z.object({ userid: z.string().min(1) });
export type ListExternalContactRequest = z.infer<typeof ListExternalContactRequest>;

export const ListExternalContactResponse = z.object({ external_userid: z.array(z.string()) });
export type ListExternalContactResponse = z.infer<typeof ListExternalContactResponse>;

export const BatchGetByUserRequest = z.object({
  userid_list: z.array(z.string()).min(1).max(100),
  cursor: z.string().optional(),
  limit: z.number().int().positive().optional(),
});
export type BatchGetByUserRequest = z.infer<typeof BatchGetByUserRequest>;

export const FollowInfo = FollowUser.omit({ tags: true }).extend({ tag_id: z.array(z.string()).optional() });

export const BatchGetByUserResponse = z.object({
  external_contact_list: z.array(z.object({ external_contact: ExternalContact, follow_info: FollowInfo })),
  next_cursor: NextCursor,
});
export type BatchGetByUserResponse = z.infer<typeof BatchGetByUserResponse>;

export const CorpTag = z.object({
  id: z.string(),
  name: z.string(),
  create_time: z.number().int().optional(),
  order: z.number().int().optional(),
  deleted: z.boolean().optional(),
});
export type CorpTag = z.infer<typeof CorpTag>;

export const CorpTagGroup = z.object({
  group_id: z.string(),
  group_name: z.string(),
  create_time: z.number().int().optional(),
  order: z.number().int().optional(),
  deleted: z.boolean().optional(),
  tag: z.array(CorpTag),
});
export type CorpTagGroup = z.infer<typeof CorpTagGroup>;

export const GetCorpTagListRequest = z.object({ tag_id: z.array(z.string()).optional(), group_id: z.array(z.string()).optional() });
export type GetCorpTagListRequest = z.infer<typeof GetCorpTagListRequest>;

export const CorpTagGroupsResponse = z.object({ tag_group: z.array(CorpTagGroup) });
export type CorpTagGroupsResponse = z.infer<typeof CorpTagGroupsResponse>;

export const AddCorpTagRequest = z.object({
  group_id: z.string().optional(),
  group_name: z.string().max(30).optional(),
  order: z.number().int().optional(),
  tag: z.array(z.object({ name: z.string().min(1).max(30), order: z.number().int().optional() })).min(1),
  agentid: z.number().int().optional(),
});
export type AddCorpTagRequest = z.infer<typeof AddCorpTagRequest>;

export const AddCorpTagResponse = z.object({ tag_group: CorpTagGroup });
export type AddCorpTagResponse = z.infer<typeof AddCorpTagResponse>;

export const EditCorpTagRequest = z.object({ id: z.string().min(1), name: z.string().max(30).optional(), order: z.number().int().optional() });
export type EditCorpTagRequest = z.infer<typeof EditCorpTagRequest>;

export const DelCorpTagRequest = z.object({ tag_id: z.array(z.string()).optional(), group_id: z.array(z.string()).optional() });
export type DelCorpTagRequest = z.infer<typeof DelCorpTagRequest>;

export const MarkTagRequest = z.object({
  userid: z.string().min(1),
  external_userid: z.string().min(1),
  add_tag: z.array(z.string()).optional(),
  remove_tag: z.array(z.string()).optional(),
});
export type MarkTagRequest = z.infer<typeof MarkTagRequest>;
