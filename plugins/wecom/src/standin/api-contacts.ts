import { errors } from './errors.ts';
import { clamp, page, type ApiHandlers } from './handler.ts';
import type { StandInFollow, StandInState } from './state.ts';

// Contact ways, customers, corp tags and welcome messages (notes §4–§6). Changes made here come
// through the API, and WeCom sends no callback for those (notes §3), so none is pushed.

function contactDetail(state: StandInState, externalUserId: string) {
  const customer = state.requireCustomer(externalUserId);
  const { external_userid, name, type, gender, unionid } = customer;
  return { external_userid, name, type, gender, ...(unionid ? { unionid } : {}) };
}

function followUser(state: StandInState, follow: StandInFollow) {
  const tags = [...follow.tags].flatMap((id) => {
    const found = state.findTag(id);
    return found ? [{ group_name: found.group.group_name, tag_name: found.tag.name, tag_id: id, type: 1 }] : [];
  });
  return {
    userid: follow.userid,
    remark: follow.remark ?? '',
    createtime: follow.createtime,
    tags,
    ...(follow.remark_mobiles?.length ? { remark_mobiles: [...follow.remark_mobiles] } : {}),
    add_way: follow.add_way,
    ...(follow.state ? { state: follow.state } : {}),
  };
}

function checkContactWayUsers(state: StandInState, users: string[] | undefined): void {
  for (const userid of users ?? []) {
    const staff = state.requireStaff(userid);
    if (!staff.customerContact) throw errors.invalidParameter(`user ${userid} has no customer-contact permission`);
  }
}

export const contactHandlers: ApiHandlers = {
  'externalcontact/add_contact_way'(state, request, settings) {
    if (request.type === 1 && request.user?.length !== 1) throw errors.invalidParameter('type 1 needs exactly one user');
    if (request.type === 2 && !request.user?.length && !request.party?.length) throw errors.invalidParameter('user or party required');
    // 48002 for temporary mode: only medical-industry corps may use it (notes §4).
    if (request.is_temp) throw errors.forbidden();
    checkContactWayUsers(state, request.user);
    const config_id = state.nextId('cw');
    const qr_code = request.scene === 2 ? `${settings.qrCodeBase}/${config_id}.png` : undefined;
    state.contactWays.set(config_id, { ...request, skip_verify: request.skip_verify ?? true, config_id, ...(qr_code ? { qr_code } : {}), created: state.nowSeconds(), nextUser: 0 });
    return qr_code ? { config_id, qr_code } : { config_id };
  },
  'externalcontact/get_contact_way'(state, { config_id }) {
    const way = state.contactWays.get(config_id);
    if (!way) throw errors.invalidParameter(`config_id ${config_id}`);
    const { created: _created, nextUser: _next, ...contact_way } = way;
    return { contact_way };
  },
  'externalcontact/list_contact_way'(state, request) {
    const now = state.nowSeconds();
    const start = request.start_time ?? now - 90 * 86_400;
    const end = request.end_time ?? now;
    const ids = [...state.contactWays.values()].filter((w) => w.created >= start && w.created <= end).map((w) => ({ config_id: w.config_id }));
    const { items, next_cursor } = page(ids, request.cursor, clamp(request.limit, 100, 1000));
    return { contact_way: items, next_cursor };
  },
  'externalcontact/update_contact_way'(state, request) {
    const way = state.contactWays.get(request.config_id);
    if (!way) throw errors.invalidParameter(`config_id ${request.config_id}`);
    checkContactWayUsers(state, request.user);
    // user and party overwrite the old lists (notes §4).
    Object.assign(way, Object.fromEntries(Object.entries(request).filter(([, v]) => v !== undefined)));
    return {};
  },
  'externalcontact/del_contact_way'(state, { config_id }) {
    if (!state.contactWays.delete(config_id)) throw errors.invalidParameter(`config_id ${config_id}`);
    return {};
  },

  'externalcontact/get'(state, { external_userid, cursor }) {
    const external_contact = contactDetail(state, external_userid);
    const { items, next_cursor } = page(state.followsOf(external_userid), cursor, 500);
    return { external_contact, follow_user: items.map((f) => followUser(state, f)), next_cursor };
  },
  'externalcontact/list'(state, { userid }) {
    const staff = state.requireStaff(userid);
    if (!staff.customerContact) return { external_userid: [] };
    return { external_userid: state.follows.filter((f) => f.userid === userid).map((f) => f.external_userid) };
  },
  'externalcontact/batch/get_by_user'(state, request) {
    for (const userid of request.userid_list) state.requireStaff(userid);
    const rows = state.follows.filter((f) => request.userid_list.includes(f.userid));
    const { items, next_cursor } = page(rows, request.cursor, clamp(request.limit, 50, 100));
    return {
      external_contact_list: items.map((f) => {
        const { tags, ...info } = followUser(state, f);
        return { external_contact: contactDetail(state, f.external_userid), follow_info: { ...info, tag_id: tags.map((t) => t.tag_id) } };
      }),
      next_cursor,
    };
  },

  'externalcontact/get_corp_tag_list'(state, request) {
    const byGroup = request.group_id?.length ? new Set(request.group_id) : undefined;
    const byTag = !byGroup && request.tag_id?.length ? new Set(request.tag_id) : undefined;
    const tag_group = state.tagGroups
      .filter((g) => !byGroup || byGroup.has(g.group_id))
      .map((g) => ({ ...g, tag: g.tags.filter((t) => !byTag || byTag.has(t.id)) }))
      .filter((g) => !byTag || g.tag.length > 0)
      .map(({ tags: _tags, ...g }) => g);
    return { tag_group };
  },
  'externalcontact/add_corp_tag'(state, request) {
    const now = state.nowSeconds();
    let group = request.group_id
      ? state.tagGroups.find((g) => g.group_id === request.group_id)
      : state.tagGroups.find((g) => g.group_name === request.group_name);
    if (request.group_id && !group) throw errors.invalidParameter(`group_id ${request.group_id}`);
    const total = state.tagGroups.reduce((n, g) => n + g.tags.length, 0);
    if (total + request.tag.length > 3000) throw errors.invalidParameter('over 3000 corp tags');
    if (!group) {
      if (!request.group_name) throw errors.invalidParameter('group_id or group_name required');
      group = { group_id: state.nextId('et'), group_name: request.group_name, create_time: now, order: request.order ?? 0, tags: [] };
      state.tagGroups.push(group);
    }
    const added: typeof group.tags = [];
    for (const { name, order } of request.tag) {
      // Duplicate names within a group are created once (notes §6).
      const existing = group.tags.find((t) => t.name === name);
      if (existing) {
        if (!added.includes(existing)) added.push(existing);
      }
      else {
        const tag = { id: state.nextId('et'), name, create_time: now, order: order ?? 0 };
        group.tags.push(tag);
        added.push(tag);
      }
    }
    const { tags: _tags, ...groupFields } = group;
    return { tag_group: { ...groupFields, tag: added } };
  },
  'externalcontact/edit_corp_tag'(state, { id, name, order }) {
    const group = state.tagGroups.find((g) => g.group_id === id);
    const tag = state.findTag(id)?.tag;
    const target = group ?? tag;
    if (!target) throw errors.invalidParameter(`id ${id}`);
    if (name !== undefined) {
      const clash = group ? state.tagGroups.some((g) => g !== group && g.group_name === name) : state.findTag(id)!.group.tags.some((t) => t !== tag && t.name === name);
      if (clash) throw errors.invalidParameter(`duplicate name ${name}`);
      if (group) group.group_name = name;
      else tag!.name = name;
    }
    if (order !== undefined) target.order = order;
    return {};
  },
  'externalcontact/del_corp_tag'(state, { tag_id, group_id }) {
    if (!tag_id?.length && !group_id?.length) throw errors.invalidParameter('tag_id and group_id both empty');
    const dropped = new Set(tag_id ?? []);
    for (let i = state.tagGroups.length - 1; i >= 0; i--) {
      const group = state.tagGroups[i]!;
      if (group_id?.includes(group.group_id)) group.tags.forEach((t) => dropped.add(t.id));
      group.tags = group.tags.filter((t) => !dropped.has(t.id));
      // A group whose last tag is deleted disappears (notes §6).
      if (group.tags.length === 0) state.tagGroups.splice(i, 1);
    }
    for (const follow of state.follows) for (const id of dropped) follow.tags.delete(id);
    return {};
  },
  'externalcontact/mark_tag'(state, { userid, external_userid, add_tag, remove_tag }) {
    if (!add_tag?.length && !remove_tag?.length) throw errors.invalidParameter('add_tag and remove_tag both empty');
    state.requireStaff(userid);
    state.requireCustomer(external_userid);
    const follow = state.follow(userid, external_userid);
    if (!follow) throw errors.noRelation();
    for (const id of [...(add_tag ?? []), ...(remove_tag ?? [])]) if (!state.findTag(id)) throw errors.invalidParameter(`tag ${id}`);
    for (const id of add_tag ?? []) follow.tags.add(id);
    for (const id of remove_tag ?? []) follow.tags.delete(id);
    return {};
  },

  'externalcontact/send_welcome_msg'(state, request, settings) {
    if (!request.text?.content && !request.attachments?.length) throw errors.invalidParameter('text and attachments both empty');
    const code = state.welcomeCodes.get(request.welcome_code);
    // Valid 20 s after the add event and usable once (notes §5): 41050 after that, 41051 once delivered.
    if (!code) throw errors.invalidWelcomeCode();
    if (code.used) throw errors.alreadyChatting();
    if (state.clock.now() - code.issuedAt > settings.welcomeCodeTtlMs) throw errors.invalidWelcomeCode();
    code.used = true;
    state.welcomeMessages.push({
      userid: code.userid,
      external_userid: code.external_userid,
      ...(request.text ? { text: request.text.content } : {}),
      attachments: request.attachments ?? [],
      at: state.clock.now(),
    });
    return {};
  },
};
