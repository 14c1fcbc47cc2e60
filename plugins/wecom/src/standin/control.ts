import { z } from 'zod';
import type { CallbackDelivery, CallbackPusher } from './callbacks.ts';
import { errors, StandInError } from './errors.ts';
import { takeReceipt } from './receive-limit.ts';
import type { ReceiveLimitMode, StandInState } from './state.ts';
import type { ApiGate } from './gate.ts';

// What the people and phones around WeCom do, for tests and the demo: members confirm mass sends,
// customers scan codes and delete members, admins edit tags in the console. Changes made here are
// not API calls, so they do push callbacks (notes §3).

export const ControlInputs = {
  addStaff: z.object({ userid: z.string().min(1), name: z.string().optional(), customerContact: z.boolean().optional(), consoleWelcome: z.boolean().optional() }),
  simulateScan: z.object({ config_id: z.string().min(1), external_userid: z.string().optional(), name: z.string().optional() }),
  expireTokens: z.object({ answer: z.union([z.literal(42001), z.literal(40014)]).optional() }),
  failNext: z.object({ api: z.string().min(1), errcode: z.number().int(), times: z.number().int().positive().optional() }),
  loseNextAnswer: z.object({ api: z.string().min(1), times: z.number().int().positive().optional() }),
  loseNextRequest: z.object({ api: z.string().min(1), times: z.number().int().positive().optional() }),
  delayMassSendListing: z.object({ seconds: z.number().min(0) }),
  confirmMassSend: z.object({ msgid: z.string().min(1), userid: z.string().min(1) }),
  expireMassSend: z.object({ msgid: z.string().min(1) }),
  staffDeletesCustomer: z.object({ userid: z.string().min(1), external_userid: z.string().min(1) }),
  customerDeletesStaff: z.object({ userid: z.string().min(1), external_userid: z.string().min(1) }),
  addByPhone: z.object({ userid: z.string().min(1), mobile: z.string().min(1), external_userid: z.string().optional(), name: z.string().optional(), remark_mobiles: z.array(z.string()).optional() }),
  editContact: z.object({ userid: z.string().min(1), external_userid: z.string().min(1), remark: z.string().optional(), remark_mobiles: z.array(z.string()).optional(), add_tag: z.array(z.string()).optional(), remove_tag: z.array(z.string()).optional() }),
  consoleAddTag: z.object({ group_name: z.string().min(1), name: z.string().min(1) }),
  consoleEditTag: z.object({ id: z.string().min(1), name: z.string().min(1) }),
  consoleDeleteTag: z.object({ tag_id: z.string().optional(), group_id: z.string().optional() }),
  groupChatEvent: z.object({
    chat_id: z.string().optional(),
    change: z.enum(['create', 'update', 'dismiss']),
    owner: z.string().optional(),
    name: z.string().optional(),
    add_member: z.array(z.string()).optional(),
    del_member: z.array(z.string()).optional(),
  }),
  publishMoment: z.object({ moment_id: z.string().min(1), userid: z.string().min(1) }),
  refuseTransfer: z.object({ external_userid: z.string().min(1), reason: z.enum(['customer_refused', 'customer_limit_exceed']).optional() }),
};
export type ControlInputs = { [K in keyof typeof ControlInputs]: z.input<(typeof ControlInputs)[K]> };

export interface ScanResult {
  external_userid: string;
  userid: string;
  welcome_code?: string;
  callback: CallbackDelivery;
}

export function createControls(state: StandInState, pusher: CallbackPusher, gate: ApiGate, settings: { receiveLimit: ReceiveLimitMode }) {
  const requireFollow = (userid: string, external_userid: string) => {
    const follow = state.follow(userid, external_userid);
    if (!follow) throw errors.noRelation();
    return follow;
  };
  const contactEvent = (ChangeType: string, fields: Record<string, string>) => pusher.push({ Event: 'change_external_contact', ChangeType, ...fields });

  return {
    /** Every callback pushed (or recorded, without a URL), in order. */
    callbacks: (): readonly CallbackDelivery[] => pusher.deliveries,
    /** WeCom pushing a callback again (its 200 lost on the way back): the same fields, CreateTime included. */
    redeliver: (delivery: CallbackDelivery): Promise<CallbackDelivery> => pusher.push(delivery.fields),

    addStaff(input: ControlInputs['addStaff']) {
      const staff = { userid: input.userid, name: input.name ?? input.userid, customerContact: input.customerContact ?? true, consoleWelcome: input.consoleWelcome ?? false };
      state.staff.set(staff.userid, staff);
      return staff;
    },

    /** A customer scans a contact way's QR code: a member is picked, the contact added, the add callback pushed. */
    async simulateScan(input: ControlInputs['simulateScan']): Promise<ScanResult> {
      const way = state.contactWays.get(input.config_id);
      if (!way) throw errors.invalidParameter(`config_id ${input.config_id}`);
      const users = (way.user ?? []).filter((u) => state.staff.get(u)?.customerContact);
      if (users.length === 0) throw errors.invalidParameter('the contact way has no member who can add customers');
      // Multi-member codes rotate through their members; WeCom's own pick is not documented.
      const userid = users[way.nextUser++ % users.length]!;
      const external_userid = input.external_userid ?? state.nextId('wm');
      if (!state.customers.has(external_userid)) {
        state.customers.set(external_userid, { external_userid, name: input.name ?? `客户${state.customers.size + 1}`, type: 1, gender: 0 });
      }
      const existing = state.follow(userid, external_userid);
      if (!existing) state.follows.push({ userid, external_userid, createtime: state.nowSeconds(), add_way: 1, ...(way.state ? { state: way.state } : {}), tags: new Set() });
      // No WelcomeCode when the member has a console welcome message or the pair already knew each other (notes §3).
      let welcome_code: string | undefined;
      if (!state.staff.get(userid)!.consoleWelcome && !existing) {
        welcome_code = state.nextId('wc');
        state.welcomeCodes.set(welcome_code, { code: welcome_code, userid, external_userid, issuedAt: state.clock.now(), used: false });
      }
      const callback = await contactEvent('add_external_contact', {
        UserID: userid,
        ExternalUserID: external_userid,
        ...(way.state ? { State: way.state } : {}),
        ...(welcome_code ? { WelcomeCode: welcome_code } : {}),
      });
      return { external_userid, userid, ...(welcome_code ? { welcome_code } : {}), callback };
    },

    /**
     * A member searched a phone number in their app (搜索手机号, add_way 2) and the customer accepted:
     * WeCom has no API for this, only the add callback (no State, no contact way). The remark
     * mobiles are whatever the member typed; `mobile` is only who was searched.
     */
    async addByPhone(input: ControlInputs['addByPhone']) {
      state.requireStaff(input.userid);
      const external_userid = input.external_userid ?? state.nextId('wm');
      if (!state.customers.has(external_userid)) state.customers.set(external_userid, { external_userid, name: input.name ?? `客户${state.customers.size + 1}`, type: 1, gender: 0 });
      const existing = state.follow(input.userid, external_userid);
      if (!existing) state.follows.push({ userid: input.userid, external_userid, createtime: state.nowSeconds(), add_way: 2, ...(input.remark_mobiles ? { remark_mobiles: input.remark_mobiles } : {}), tags: new Set() });
      let welcome_code: string | undefined;
      if (!state.staff.get(input.userid)!.consoleWelcome && !existing) {
        welcome_code = state.nextId('wc');
        state.welcomeCodes.set(welcome_code, { code: welcome_code, userid: input.userid, external_userid, issuedAt: state.clock.now(), used: false });
      }
      const callback = await contactEvent('add_external_contact', { UserID: input.userid, ExternalUserID: external_userid, ...(welcome_code ? { WelcomeCode: welcome_code } : {}) });
      return { external_userid, userid: input.userid, callback };
    },

    expireTokens(input: ControlInputs['expireTokens'] = {}) {
      gate.expireAll(input.answer ?? 42001);
      return { expired: true };
    },

    failNext(input: ControlInputs['failNext']) {
      gate.injectFailure(input.api, input.errcode, input.times ?? 1);
      return { queued: input.times ?? 1 };
    },

    /** The next call(s) of `api` go through, but the connection closes before the answer (WeCom did the work). */
    loseNextAnswer(input: ControlInputs['loseNextAnswer']) {
      gate.loseNext(input.api, input.times ?? 1, 'answer');
      return { queued: input.times ?? 1 };
    },

    /** The next call(s) of `api` are cut off before WeCom does anything; the caller sees the same as a lost answer. */
    loseNextRequest(input: ControlInputs['loseNextRequest']) {
      gate.loseNext(input.api, input.times ?? 1, 'request');
      return { queued: input.times ?? 1 };
    },

    /** New mass sends show in get_groupmsg_list_v2 only this long after they were created (0: at once). */
    delayMassSendListing(input: ControlInputs['delayMassSendListing']) {
      state.listDelayMs = input.seconds * 1000;
      return { seconds: input.seconds };
    },

    /** A member confirms a mass send in their app: their recipients are sent to, within each customer's receive limit. */
    confirmMassSend(input: ControlInputs['confirmMassSend']) {
      const send = state.massSends.get(input.msgid);
      if (!send) throw errors.invalidParameter(`msgid ${input.msgid}`);
      const task = send.tasks.get(input.userid);
      if (!task) throw errors.invalidParameter(`${input.userid} has no task in ${input.msgid}`);
      if (send.closed) throw new StandInError(40058, 'the mass send was cancelled or has expired');
      if (task.status === 2) return { sent: 0 };
      const now = state.nowSeconds();
      let sent = 0;
      for (const row of send.recipients.filter((r) => r.userid === input.userid)) {
        if (row.external_userid && !state.follow(input.userid, row.external_userid)) row.status = 2;
        else if (row.external_userid && !takeReceipt(state, row.external_userid, settings.receiveLimit)) row.status = 3;
        else {
          row.status = 1;
          row.send_time = now;
          sent++;
        }
      }
      send.tasks.set(input.userid, { status: 2, send_time: now });
      return { sent };
    },

    /** Members who have not confirmed by now never will. */
    expireMassSend(input: ControlInputs['expireMassSend']) {
      const send = state.massSends.get(input.msgid);
      if (!send) throw errors.invalidParameter(`msgid ${input.msgid}`);
      send.closed = true;
      return { expired: true };
    },

    staffDeletesCustomer(input: ControlInputs['staffDeletesCustomer']) {
      state.removeFollow(requireFollow(input.userid, input.external_userid));
      return contactEvent('del_external_contact', { UserID: input.userid, ExternalUserID: input.external_userid });
    },

    customerDeletesStaff(input: ControlInputs['customerDeletesStaff']) {
      state.removeFollow(requireFollow(input.userid, input.external_userid));
      return contactEvent('del_follow_user', { UserID: input.userid, ExternalUserID: input.external_userid });
    },

    /** A member edits the remark or corp tags in their app (not through the API). */
    editContact(input: ControlInputs['editContact']) {
      const follow = requireFollow(input.userid, input.external_userid);
      if (input.remark !== undefined) follow.remark = input.remark;
      // Editing only the remark mobiles fires no callback (notes §3).
      if (input.remark_mobiles !== undefined) follow.remark_mobiles = input.remark_mobiles;
      if (input.remark === undefined && !input.add_tag?.length && !input.remove_tag?.length) return Promise.resolve(null);
      for (const id of input.add_tag ?? []) follow.tags.add(id);
      for (const id of input.remove_tag ?? []) follow.tags.delete(id);
      return contactEvent('edit_external_contact', { UserID: input.userid, ExternalUserID: input.external_userid });
    },

    /** An admin adds a corp tag in the console. */
    consoleAddTag(input: ControlInputs['consoleAddTag']) {
      const now = state.nowSeconds();
      let group = state.tagGroups.find((g) => g.group_name === input.group_name);
      if (!group) {
        group = { group_id: state.nextId('et'), group_name: input.group_name, create_time: now, order: 0, tags: [] };
        state.tagGroups.push(group);
      }
      const tag = { id: state.nextId('et'), name: input.name, create_time: now, order: 0 };
      group.tags.push(tag);
      return pusher.push({ Event: 'change_external_tag', ChangeType: 'create', Id: tag.id, TagType: 'tag' }).then((callback) => ({ tag_id: tag.id, group_id: group.group_id, callback }));
    },

    /** An admin renames a corp tag or tag group in the console: an update callback for it. */
    consoleEditTag(input: ControlInputs['consoleEditTag']) {
      const group = state.tagGroups.find((g) => g.group_id === input.id);
      const tag = state.findTag(input.id)?.tag;
      if (!group && !tag) throw errors.invalidParameter(`id ${input.id}`);
      if (group) group.group_name = input.name;
      else tag!.name = input.name;
      return pusher.push({ Event: 'change_external_tag', ChangeType: 'update', Id: input.id, TagType: group ? 'tag_group' : 'tag' });
    },

    /**
     * An admin deletes a corp tag or a whole group in the console: the tag leaves every contact, a
     * group whose last tag goes disappears (notes §6), and a delete callback names what was deleted.
     */
    consoleDeleteTag(input: ControlInputs['consoleDeleteTag']) {
      const id = input.group_id ?? input.tag_id;
      if (!id) throw errors.invalidParameter('tag_id and group_id both empty');
      const group = input.group_id ? state.tagGroups.find((g) => g.group_id === input.group_id) : state.findTag(id)?.group;
      if (!group) throw errors.invalidParameter(`id ${id}`);
      const dropped = new Set(input.group_id ? group.tags.map((t) => t.id) : [id]);
      group.tags = group.tags.filter((t) => !dropped.has(t.id));
      if (group.tags.length === 0) state.tagGroups.splice(state.tagGroups.indexOf(group), 1);
      for (const follow of state.follows) for (const tagId of dropped) follow.tags.delete(tagId);
      return pusher.push({ Event: 'change_external_tag', ChangeType: 'delete', Id: id, TagType: input.group_id ? 'tag_group' : 'tag' });
    },

    groupChatEvent(input: ControlInputs['groupChatEvent']) {
      const chat_id = input.chat_id ?? state.nextId('wr');
      let chat = state.groupChats.get(chat_id);
      if (input.change === 'create') {
        chat = { chat_id, name: input.name ?? '', owner: input.owner ?? [...state.staff.keys()][0] ?? '', members: input.add_member ?? [], create_time: state.nowSeconds() };
        state.groupChats.set(chat_id, chat);
        return pusher.push({ Event: 'change_external_chat', ChangeType: 'create', ChatId: chat_id });
      }
      if (!chat) throw errors.invalidParameter(`chat_id ${chat_id}`);
      if (input.change === 'dismiss') {
        state.groupChats.delete(chat_id);
        return pusher.push({ Event: 'change_external_chat', ChangeType: 'dismiss', ChatId: chat_id });
      }
      const added = input.add_member ?? [];
      const removed = input.del_member ?? [];
      chat.members = [...chat.members.filter((m) => !removed.includes(m)), ...added];
      const detail = added.length ? 'add_member' : removed.length ? 'del_member' : input.owner ? 'change_owner' : 'change_name';
      if (input.owner) chat.owner = input.owner;
      if (input.name) chat.name = input.name;
      return pusher.push({
        Event: 'change_external_chat',
        ChangeType: 'update',
        ChatId: chat_id,
        UpdateDetail: detail,
        ...(added.length ? { JoinScene: 0 } : {}),
        ...(removed.length ? { QuitScene: 0 } : {}),
        ...(added.length || removed.length ? { MemChangeCnt: added.length + removed.length } : {}),
        ...(added.length || removed.length ? { MemChangeList: { Item: added.length ? added : removed } } : {}),
      });
    },

    publishMoment(input: ControlInputs['publishMoment']) {
      const job = [...state.moments.values()].find((j) => j.moment_id === input.moment_id);
      if (!job || !job.senders.includes(input.userid)) throw errors.invalidParameter(`${input.userid} has no task in ${input.moment_id}`);
      job.published.add(input.userid);
      return { published: true };
    },

    /** The customer refuses a pending transfer: status 3 or 4 and a transfer_fail event. */
    refuseTransfer(input: ControlInputs['refuseTransfer']) {
      const transfer = state.transfers.find((t) => t.external_userid === input.external_userid && t.status === 2);
      if (!transfer) throw errors.invalidParameter(`no pending transfer for ${input.external_userid}`);
      const reason = input.reason ?? 'customer_refused';
      transfer.status = reason === 'customer_refused' ? 3 : 4;
      return contactEvent('transfer_fail', { UserID: transfer.takeover_userid, ExternalUserID: input.external_userid, FailReason: reason });
    },
  };
}

export type StandInControls = ReturnType<typeof createControls>;
