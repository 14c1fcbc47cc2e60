import { MEDIA_ID_TTL_SECONDS } from '../shapes/moments-transfer.ts';
import { errors } from './errors.ts';
import { clamp, page, type ApiHandlers } from './handler.ts';
import type { MassSend, MassSendRecipient, StandInState } from './state.ts';

// Mass sends (notes §7), moments (§8) and customer transfer (§9). A mass send is only a task
// until each member confirms it; the control API plays the members.

const TRANSFER_DELAY_MS = 24 * 3_600_000;

function requireMassSend(state: StandInState, msgid: string): MassSend {
  const send = state.massSends.get(msgid);
  if (!send) throw errors.invalidParameter(`msgid ${msgid}`);
  return send;
}

/** Tag filter: OR within a group, AND across groups (notes §7). */
function matchesTagFilter(tags: Set<string>, groups: { tag_list: string[] }[] | undefined): boolean {
  return (groups ?? []).every((g) => g.tag_list.length === 0 || g.tag_list.some((id) => tags.has(id)));
}

export const messageHandlers: ApiHandlers = {
  // Customer groups: the chats of the owners asked for (all when none), then one chat's detail.
  'externalcontact/groupchat/list'(state, request) {
    const owners = request.owner_filter?.userid_list;
    const chats = [...state.groupChats.values()].filter((c) => !owners?.length || owners.includes(c.owner)).map((c) => ({ chat_id: c.chat_id, status: 0 }));
    const { items, next_cursor } = page(chats, request.cursor, clamp(request.limit, 100, 1000));
    return { group_chat_list: items, next_cursor };
  },
  'externalcontact/groupchat/get'(state, request) {
    const chat = state.groupChats.get(request.chat_id);
    if (!chat) throw errors.invalidParameter(`chat_id ${request.chat_id}`);
    return {
      group_chat: {
        chat_id: chat.chat_id,
        name: chat.name,
        owner: chat.owner,
        create_time: chat.create_time,
        member_list: [chat.owner, ...chat.members.filter((m) => m !== chat.owner)].map((userid) => ({ userid, type: state.staff.has(userid) ? 1 : 2, join_time: chat.create_time, join_scene: 1 })),
      },
    };
  },

  'externalcontact/add_msg_template'(state, request) {
    const chatType = request.chat_type ?? 'single';
    if (!request.text?.content && !request.attachments?.length) throw errors.invalidParameter('text and attachments both empty');
    if (request.sender) state.requireStaff(request.sender);
    const recipients: MassSendRecipient[] = [];
    const fail_list: string[] = [];
    if (chatType === 'group') {
      if (!request.sender) throw errors.invalidParameter('sender required for group');
      const chats = [...state.groupChats.values()].filter((c) => c.owner === request.sender && (!request.chat_id_list || request.chat_id_list.includes(c.chat_id)));
      for (const chat of chats) recipients.push({ userid: chat.owner, chat_id: chat.chat_id, status: 0 });
    } else {
      if (!request.sender && !request.external_userid?.length) throw errors.invalidParameter('external_userid and sender both empty');
      const targets = request.external_userid?.length
        ? request.external_userid
        : [...new Set(state.follows.filter((f) => f.userid === request.sender).map((f) => f.external_userid))];
      for (const external_userid of targets) {
        // Without a sender WeCom picks "the member who last chatted with the customer"; the stand-in
        // has no chats, so it takes the member who added the customer most recently.
        const follows = state.followsOf(external_userid).filter((f) => !request.sender || f.userid === request.sender);
        const follow = follows.sort((a, b) => b.createtime - a.createtime)[0];
        if (!follow) fail_list.push(external_userid);
        else if (matchesTagFilter(follow.tags, request.tag_filter?.group_list)) recipients.push({ userid: follow.userid, external_userid, status: 0 });
      }
    }
    if (recipients.length === 0) throw errors.noCustomerToSend();
    const msgid = state.nextId('msg');
    state.massSends.set(msgid, {
      msgid,
      chat_type: chatType,
      create_time: state.nowSeconds(),
      ...(request.text ? { text: request.text } : {}),
      attachments: request.attachments ?? [],
      recipients,
      tasks: new Map(recipients.map((r) => [r.userid, { status: 0 as const }])),
      closed: false,
      reminders: [],
      listedFrom: state.clock.now() + state.listDelayMs,
    });
    return { fail_list, msgid };
  },
  'externalcontact/get_groupmsg_list_v2'(state, request) {
    if (request.end_time - request.start_time > 31 * 86_400) throw errors.invalidParameter('time span over one month');
    const list = [...state.massSends.values()]
      .filter((m) => m.chat_type === request.chat_type && m.create_time >= request.start_time && m.create_time <= request.end_time && m.listedFrom <= state.clock.now())
      .filter(() => request.filter_type !== 1)
      .map((m) => ({ msgid: m.msgid, create_time: String(m.create_time), create_type: 0, ...(m.text ? { text: m.text } : {}), attachments: m.attachments }));
    const { items, next_cursor } = page(list, request.cursor, clamp(request.limit, 50, 100));
    return { group_msg_list: items, next_cursor };
  },
  'externalcontact/get_groupmsg_task'(state, request) {
    const send = requireMassSend(state, request.msgid);
    const tasks = [...send.tasks].map(([userid, t]) => ({ userid, status: t.status, ...(t.send_time ? { send_time: t.send_time } : {}) }));
    const { items, next_cursor } = page(tasks, request.cursor, clamp(request.limit, 500, 1000));
    return { task_list: items, next_cursor };
  },
  'externalcontact/get_groupmsg_send_result'(state, request) {
    const send = requireMassSend(state, request.msgid);
    state.requireStaff(request.userid);
    // For group sends only rows already sent are returned (notes §7).
    const rows = send.recipients.filter((r) => r.userid === request.userid && (send.chat_type === 'single' || r.status === 1));
    const { items, next_cursor } = page(rows, request.cursor, clamp(request.limit, 500, 1000));
    return { send_list: items.map((r) => ({ ...r })), next_cursor };
  },
  'externalcontact/remind_groupmsg_send'(state, { msgid }) {
    const send = requireMassSend(state, msgid);
    const dayAgo = state.clock.now() - 24 * 3_600_000;
    send.reminders = send.reminders.filter((at) => at > dayAgo);
    // At most three reminders per mass send in 24 h (notes §7); the code for a fourth is not documented.
    if (send.reminders.length >= 3) throw errors.rateLimited();
    send.reminders.push(state.clock.now());
    return {};
  },
  'externalcontact/cancel_groupmsg_send'(state, { msgid }) {
    requireMassSend(state, msgid).closed = true;
    return {};
  },

  'externalcontact/add_moment_task'(state, request) {
    const types = new Set(request.attachments?.map((a) => a.msgtype));
    if (types.size > 1) throw errors.invalidParameter('invalid attachments msgtype');
    const count = request.attachments?.length ?? 0;
    if ((types.has('image') && count > 9) || ((types.has('video') || types.has('link')) && count > 1)) throw errors.invalidParameter('invalid attachments size');
    if (!request.text?.content && count === 0) throw errors.invalidParameter('text and attachments both empty');
    // Every file must have been uploaded (media/upload_attachment) within the last 3 days, as the kind it is used as; a link's cover is an image.
    for (const a of request.attachments ?? []) {
      const [id, kind] = a.image ? [a.image.media_id, 'image'] : a.video ? [a.video.media_id, 'video'] : a.link ? [a.link.media_id, 'image'] : [undefined, undefined];
      const media = id === undefined ? undefined : state.media.get(id);
      if (id !== undefined && (!media || media.type !== kind || state.nowSeconds() - media.created_at > MEDIA_ID_TTL_SECONDS)) throw errors.invalidMediaId(id);
    }
    const wanted = request.visible_range?.sender_list?.user_list;
    const everyone = [...state.staff.values()].filter((s) => s.customerContact).map((s) => s.userid);
    const senders = wanted ? wanted.filter((u) => state.staff.get(u)?.customerContact) : everyone;
    const jobid = state.nextId('job');
    state.moments.set(jobid, {
      jobid,
      moment_id: state.nextId('mom'),
      created: state.clock.now(),
      senders,
      invalidSenders: (wanted ?? []).filter((u) => !senders.includes(u)),
      published: new Set(),
      cancelled: false,
    });
    return { jobid };
  },
  'externalcontact/get_moment_task_result'(state, { jobid }) {
    const job = state.moments.get(jobid);
    if (!job) throw errors.invalidParameter(`jobid ${jobid}`);
    // The job is created synchronously here; WeCom's 1 (started) and 2 (creating) are never seen.
    return {
      status: 3,
      type: 'add_moment_task',
      result: { errcode: 0, errmsg: 'ok', moment_id: job.moment_id, invalid_sender_list: { user_list: job.invalidSenders } },
    };
  },
  'externalcontact/get_moment_task'(state, request) {
    const job = [...state.moments.values()].find((j) => j.moment_id === request.moment_id);
    if (!job) throw errors.invalidParameter(`moment_id ${request.moment_id}`);
    const tasks = job.senders.map((userid) => ({ userid, publish_status: job.published.has(userid) ? 1 : 0 }));
    const { items, next_cursor } = page(tasks, request.cursor, clamp(request.limit, 500, 1000));
    return { task_list: items, next_cursor };
  },
  'externalcontact/cancel_moment_task'(state, { moment_id }) {
    const job = [...state.moments.values()].find((j) => j.moment_id === moment_id);
    if (!job) throw errors.invalidParameter(`moment_id ${moment_id}`);
    job.cancelled = true;
    return {};
  },

  'externalcontact/transfer_customer': (state, request) => startTransfer(state, request, false),
  'externalcontact/resigned/transfer_customer': (state, request) => startTransfer(state, request, true),
  'externalcontact/transfer_result': (state, request) => transferResult(state, request, false),
  'externalcontact/resigned/transfer_result': (state, request) => transferResult(state, request, true),
};

function startTransfer(state: StandInState, request: { handover_userid: string; takeover_userid: string; external_userid: string[] }, resigned: boolean) {
  state.requireStaff(request.handover_userid);
  state.requireStaff(request.takeover_userid);
  const customer = request.external_userid.map((external_userid) => {
    if (!state.customers.has(external_userid)) return { external_userid, errcode: 40096 };
    if (!state.follow(request.handover_userid, external_userid)) return { external_userid, errcode: 84061 };
    // errcode 0 only means the takeover starts; it completes 24 h later (notes §9).
    state.transfers.push({ resigned, handover_userid: request.handover_userid, takeover_userid: request.takeover_userid, external_userid, status: 2, takeover_time: state.nowSeconds() + TRANSFER_DELAY_MS / 1000 });
    return { external_userid, errcode: 0 };
  });
  return { customer };
}

/** Moves every transfer whose 24 h have passed from waiting to done, re-pointing the follow. */
export function settleTransfers(state: StandInState): void {
  for (const transfer of state.transfers) {
    if (transfer.status !== 2 || state.nowSeconds() < transfer.takeover_time) continue;
    transfer.status = 1;
    const follow = state.follow(transfer.handover_userid, transfer.external_userid);
    if (follow && !state.follow(transfer.takeover_userid, transfer.external_userid)) follow.userid = transfer.takeover_userid;
    else if (follow) state.removeFollow(follow);
  }
}

function transferResult(state: StandInState, request: { handover_userid: string; takeover_userid: string; cursor?: string | undefined }, resigned: boolean) {
  settleTransfers(state);
  const rows = state.transfers
    .filter((t) => t.resigned === resigned && t.handover_userid === request.handover_userid && t.takeover_userid === request.takeover_userid)
    .map((t) => ({ external_userid: t.external_userid, status: t.status, takeover_time: t.takeover_time }));
  const { items, next_cursor } = page(rows, request.cursor, 1000);
  return { customer: items, next_cursor };
}
