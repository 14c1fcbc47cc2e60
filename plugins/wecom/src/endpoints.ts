import type { z } from 'zod';
import * as cw from './shapes/contact-way.ts';
import * as ct from './shapes/contacts.ts';
import { EmptyResponse } from './shapes/envelope.ts';
import * as gc from './shapes/group-chats.ts';
import * as msg from './shapes/messages.ts';
import * as mt from './shapes/moments-transfer.ts';

interface Endpoint<Req extends z.ZodType, Res extends z.ZodType> {
  /** GET endpoints take the request as query parameters, POST ones as a JSON body. */
  method: 'GET' | 'POST';
  request: Req;
  response: Res;
  /** A documented per-API per-minute cap tighter than the corp-wide 10,000 (notes §1, §8). */
  perMinute?: number;
  /**
   * The call creates something and WeCom takes no idempotency key for it: never sent a second
   * time by the transport (a reset may come after WeCom did the work); the caller reconciles.
   */
  sendOnce?: true;
}

const get = <Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res): Endpoint<Req, Res> => ({ method: 'GET', request, response });
const post = <Req extends z.ZodType, Res extends z.ZodType>(request: Req, response: Res, perMinute?: number): Endpoint<Req, Res> =>
  perMinute === undefined ? { method: 'POST', request, response } : { method: 'POST', request, response, perMinute };

const once = <E extends Endpoint<z.ZodType, z.ZodType>>(endpoint: E): E & { sendOnce: true } => ({ ...endpoint, sendOnce: true });

/**
 * The customer-contact subset, keyed by path under /cgi-bin/. Client and stand-in both read this
 * table, so a request the client can build is one the stand-in validates with the same schema.
 * What shared/notes/wecom-api.md documents, and the customer-group list/get APIs (shapes and
 * sources in shapes/group-chats.ts); get_follow_user_list is left out.
 */
export const endpoints = {
  'externalcontact/add_contact_way': once(post(cw.AddContactWayRequest, cw.AddContactWayResponse)),
  'externalcontact/get_contact_way': post(cw.ConfigIdRequest, cw.GetContactWayResponse),
  'externalcontact/list_contact_way': post(cw.ListContactWayRequest, cw.ListContactWayResponse),
  'externalcontact/update_contact_way': post(cw.UpdateContactWayRequest, EmptyResponse),
  'externalcontact/del_contact_way': post(cw.ConfigIdRequest, EmptyResponse),

  'externalcontact/get': get(ct.GetExternalContactRequest, ct.GetExternalContactResponse),
  'externalcontact/list': get(ct.ListExternalContactRequest, ct.ListExternalContactResponse),
  'externalcontact/batch/get_by_user': post(ct.BatchGetByUserRequest, ct.BatchGetByUserResponse),
  'externalcontact/get_corp_tag_list': post(ct.GetCorpTagListRequest, ct.CorpTagGroupsResponse),
  'externalcontact/add_corp_tag': once(post(ct.AddCorpTagRequest, ct.AddCorpTagResponse)),
  'externalcontact/edit_corp_tag': post(ct.EditCorpTagRequest, EmptyResponse),
  'externalcontact/del_corp_tag': post(ct.DelCorpTagRequest, EmptyResponse),
  'externalcontact/mark_tag': post(ct.MarkTagRequest, EmptyResponse),

  'externalcontact/groupchat/list': post(gc.GroupChatListRequest, gc.GroupChatListResponse),
  'externalcontact/groupchat/get': post(gc.GroupChatGetRequest, gc.GroupChatGetResponse),

  'externalcontact/send_welcome_msg': post(msg.SendWelcomeMsgRequest, EmptyResponse),
  'externalcontact/add_msg_template': once(post(msg.AddMsgTemplateRequest, msg.AddMsgTemplateResponse)),
  'externalcontact/get_groupmsg_list_v2': post(msg.GetGroupMsgListRequest, msg.GetGroupMsgListResponse),
  'externalcontact/get_groupmsg_task': post(msg.GetGroupMsgTaskRequest, msg.GetGroupMsgTaskResponse),
  'externalcontact/get_groupmsg_send_result': post(msg.GetGroupMsgSendResultRequest, msg.GetGroupMsgSendResultResponse),
  'externalcontact/remind_groupmsg_send': post(msg.MsgIdRequest, EmptyResponse),
  'externalcontact/cancel_groupmsg_send': post(msg.MsgIdRequest, EmptyResponse),

  'externalcontact/add_moment_task': once(post(mt.AddMomentTaskRequest, mt.AddMomentTaskResponse, 10)),
  'externalcontact/get_moment_task_result': get(mt.JobIdRequest, mt.MomentTaskResultResponse),
  'externalcontact/get_moment_task': post(mt.GetMomentTaskRequest, mt.GetMomentTaskResponse),
  'externalcontact/cancel_moment_task': post(mt.MomentIdRequest, EmptyResponse),

  'externalcontact/transfer_customer': once(post(mt.TransferCustomerRequest, mt.TransferCustomerResponse)),
  'externalcontact/resigned/transfer_customer': once(post(mt.TransferCustomerRequest, mt.TransferCustomerResponse)),
  'externalcontact/transfer_result': post(mt.TransferResultRequest, mt.TransferResultResponse),
  'externalcontact/resigned/transfer_result': post(mt.TransferResultRequest, mt.TransferResultResponse),
} as const;

export type WeComApi = keyof typeof endpoints;
export type WeComRequest<A extends WeComApi> = z.input<(typeof endpoints)[A]['request']>;
export type WeComResponse<A extends WeComApi> = z.output<(typeof endpoints)[A]['response']>;

export function isWeComApi(path: string): path is WeComApi {
  return Object.hasOwn(endpoints, path);
}
