import type { Clock } from '../clock.ts';
import type { Attachment } from '../shapes/messages.ts';
import type { ContactWay } from '../shapes/contact-way.ts';
import { errors } from './errors.ts';

// Everything the stand-in knows, in memory. Plain data so a test can read it directly.

export interface StandInStaff {
  userid: string;
  name: string;
  /** 客户联系 enabled: only such members count in externalcontact/list and may be on a contact way. */
  customerContact: boolean;
  /** A welcome message configured in the admin console: WeCom then issues no WelcomeCode. */
  consoleWelcome: boolean;
}

export interface StandInCustomer {
  external_userid: string;
  name: string;
  type: 1 | 2;
  gender: 0 | 1 | 2;
  unionid?: string;
}

export interface StandInFollow {
  userid: string;
  external_userid: string;
  createtime: number;
  add_way: number;
  state?: string;
  remark?: string;
  /** The member's remark phone numbers (备注手机号): what the member typed, WeCom fills none in. */
  remark_mobiles?: string[];
  /** Corp tag ids. */
  tags: Set<string>;
}

export interface StandInTagGroup {
  group_id: string;
  group_name: string;
  create_time: number;
  order: number;
  tags: { id: string; name: string; create_time: number; order: number }[];
}

export interface StandInWelcomeCode {
  code: string;
  userid: string;
  external_userid: string;
  issuedAt: number;
  used: boolean;
}

/** A welcome message as the customer would have received it. */
export interface ReceivedWelcomeMessage {
  userid: string;
  external_userid: string;
  text?: string;
  attachments: Attachment[];
  at: number;
}

export interface MassSendRecipient {
  userid: string;
  external_userid?: string;
  chat_id?: string;
  /** 0 not sent, 1 sent, 2 not a friend, 3 over the customer's receive limit. */
  status: 0 | 1 | 2 | 3;
  send_time?: number;
}

export interface MassSend {
  msgid: string;
  chat_type: 'single' | 'group';
  create_time: number;
  text?: { content: string };
  attachments: Attachment[];
  recipients: MassSendRecipient[];
  /** Per member: 0 not sent, 2 sent. */
  tasks: Map<string, { status: 0 | 2; send_time?: number }>;
  /** Cancelled through the API or expired by the control API: pending members can no longer send. */
  closed: boolean;
  reminders: number[];
  /** From when get_groupmsg_list_v2 lists it (ms, stand-in clock): WeCom's list may lag its writes. */
  listedFrom: number;
}

export interface MomentJob {
  jobid: string;
  moment_id: string;
  created: number;
  senders: string[];
  invalidSenders: string[];
  published: Set<string>;
  cancelled: boolean;
}

export interface Transfer {
  resigned: boolean;
  handover_userid: string;
  takeover_userid: string;
  external_userid: string;
  /** 1 done, 2 waiting, 3 refused, 4 takeover member full. */
  status: 1 | 2 | 3 | 4;
  takeover_time: number;
}

export interface GroupChat {
  chat_id: string;
  name: string;
  owner: string;
  members: string[];
  create_time: number;
}

/** A customer-receive limit mode (notes §7): 1 a day, 7 a week, or days-in-month a month. */
export type ReceiveLimitMode = 'day' | 'week' | 'month';

/**
 * The follow relations, with an index by customer kept up to date by push and splice (tests add
 * and remove rows that way): looking one up stays cheap with many thousands of customers.
 */
export class FollowList extends Array<StandInFollow> {
  static override get [Symbol.species]() {
    return Array;
  }
  private readonly byCustomer = new Map<string, StandInFollow[]>();

  override push(...items: StandInFollow[]): number {
    for (const f of items) {
      const list = this.byCustomer.get(f.external_userid);
      if (list) list.push(f);
      else this.byCustomer.set(f.external_userid, [f]);
    }
    return super.push(...items);
  }

  override splice(start: number, deleteCount?: number, ...items: StandInFollow[]): StandInFollow[] {
    const removed = deleteCount === undefined ? super.splice(start) : super.splice(start, deleteCount, ...items);
    for (const f of removed) {
      const list = this.byCustomer.get(f.external_userid) ?? [];
      const at = list.indexOf(f);
      if (at >= 0) list.splice(at, 1);
      if (!list.length) this.byCustomer.delete(f.external_userid);
    }
    for (const f of items) {
      const list = this.byCustomer.get(f.external_userid);
      if (list) list.push(f);
      else this.byCustomer.set(f.external_userid, [f]);
    }
    return removed;
  }

  /** The customer's follows, in the order they were added. */
  of(externalUserId: string): StandInFollow[] {
    return this.byCustomer.get(externalUserId)?.slice() ?? [];
  }
}

export class StandInState {
  readonly staff = new Map<string, StandInStaff>();
  readonly customers = new Map<string, StandInCustomer>();
  readonly follows = new FollowList();
  readonly contactWays = new Map<string, ContactWay & { created: number; nextUser: number }>();
  readonly tagGroups: StandInTagGroup[] = [];
  readonly welcomeCodes = new Map<string, StandInWelcomeCode>();
  readonly welcomeMessages: ReceivedWelcomeMessage[] = [];
  readonly massSends = new Map<string, MassSend>();
  /** Per customer: when each mass message reached them, for the receive limit. */
  readonly receipts = new Map<string, number[]>();
  readonly moments = new Map<string, MomentJob>();
  readonly transfers: Transfer[] = [];
  readonly groupChats = new Map<string, GroupChat>();
  /** Files uploaded with media/upload_attachment. */
  readonly media = new Map<string, { media_id: string; type: 'image' | 'video'; name: string; size: number; created_at: number }>();
  readonly counters = { gettoken: 0, calls: new Map<string, number>() };
  /** How long a new mass send stays out of get_groupmsg_list_v2 (ms); set by the control API. */
  listDelayMs = 0;
  private sequence = 0;

  constructor(readonly clock: Clock) {}

  /** Ids shaped like WeCom's (prefix + opaque text), unique within this stand-in. */
  nextId(prefix: string): string {
    this.sequence++;
    return `${prefix}${this.sequence.toString(36).padStart(6, '0')}StandIn${(this.clock.now() % 1e6).toString(36)}`;
  }

  nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  requireStaff(userid: string): StandInStaff {
    const staff = this.staff.get(userid);
    if (!staff) throw errors.unknownUser(userid);
    return staff;
  }

  requireCustomer(externalUserId: string): StandInCustomer {
    const customer = this.customers.get(externalUserId);
    if (!customer) throw errors.invalidExternalUser(externalUserId);
    return customer;
  }

  follow(userid: string, externalUserId: string): StandInFollow | undefined {
    return this.follows.of(externalUserId).find((f) => f.userid === userid);
  }

  followsOf(externalUserId: string): StandInFollow[] {
    return this.follows.of(externalUserId);
  }

  removeFollow(follow: StandInFollow): void {
    const index = this.follows.indexOf(follow);
    if (index >= 0) this.follows.splice(index, 1);
  }

  findTag(tagId: string): { group: StandInTagGroup; tag: StandInTagGroup['tags'][number] } | undefined {
    for (const group of this.tagGroups) {
      const tag = group.tags.find((t) => t.id === tagId);
      if (tag) return { group, tag };
    }
    return undefined;
  }
}
