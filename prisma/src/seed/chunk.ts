// One generated customer at a time, written straight into COPY text rows: who they are, what they
// ordered, what they did (events) and how the brand tagged them, each consistent with the others
// (denormalised totals, lifecycle stage and tags all follow from the orders and events).
import {
  CATEGORY_INTENT, CITIES_BY_TIER, CITY_TIER_WEIGHTS, COUPONS, DEMO_TAXONOMY, FEMALE_NAME_CHARS, GROUP_NAMES,
  MALE_NAME_CHARS, MINIPROGRAM_PAGES, NEUTRAL_NAME_CHARS, PLATFORMS, PLATFORM_WEIGHTS, PRODUCTS, SOURCE_CHANNELS,
  SURNAMES, WECOM_FIRST_CHANNELS, type CityTier, type Platform, type Product,
} from './catalog.ts';
import { isPaidOrderStatus } from '../orders.ts';
import { copyText, CopyRows, iso, NULL } from './copy.ts';
import { createUuidV7 } from '../uuid-v7.ts';
import { createPermutation, Rng, weighted } from './random.ts';

export const CUSTOMER_COLUMNS = [
  'id', 'workspaceId', 'name', 'phone', 'email', 'gender', 'birthday', 'city', 'sourceChannel', 'lifecycleStage',
  'wecomExternalId', 'unionId', 'attributes', 'marketingConsent', 'blacklisted', 'orderCount', 'totalSpentCents',
  'lastOrderAt', 'ownerStaffId', 'createdAt', 'updatedAt',
] as const;
export const ORDER_COLUMNS = [
  'id', 'workspaceId', 'customerId', 'platform', 'externalId', 'status', 'totalCents', 'discountCents', 'paidCents',
  'placedAt', 'paidAt', 'createdAt', 'updatedAt',
] as const;
export const ITEM_COLUMNS = ['id', 'workspaceId', 'orderId', 'sku', 'productName', 'category', 'quantity', 'unitCents'] as const;
export const EVENT_COLUMNS = ['id', 'workspaceId', 'customerId', 'type', 'properties', 'occurredAt', 'receivedAt', 'idempotencyKey'] as const;
export const CUSTOMER_TAG_COLUMNS = ['workspaceId', 'customerId', 'tagId', 'source', 'createdAt'] as const;

/** What the generator needs to know about the workspace it writes into. */
export interface WorkspaceContext {
  workspaceId: string;
  /** Tag id by name, for the tags the rules know (the demo taxonomy's names). */
  tagByName: Map<string, string>;
  /** Tags with names the rules don't know: assigned at random. */
  otherTagIds: string[];
  staff: Array<{ id: string; wecomUserId: string | null }>;
  /** Where to start numbering customers: the workspace's customer count. */
  firstIndex: number;
  /** Phones and e-mails already in the workspace, never handed out again. */
  takenPhones: Set<string>;
  takenEmails: Set<string>;
}

export interface ChunkOptions {
  seed: number;
  nowMs: number;
  ordersPerCustomer: number;
  eventsPerCustomer: number;
}

export interface ChunkCounts {
  customers: number;
  orders: number;
  orderItems: number;
  events: number;
  customerTags: number;
}

/** One chunk of rows, per table, in COPY text format. */
export interface Chunk {
  counts: ChunkCounts;
  customers: Buffer[];
  orders: Buffer[];
  orderItems: Buffer[];
  events: Buffer[];
  customerTags: Buffer[];
}

/** Tag names the rules below assign. */
export const RULE_TAG_NAMES: ReadonlySet<string> = new Set(DEMO_TAXONOMY.flatMap((g) => g.tags));

const DAY = 86_400_000;
const MAX_ORDERS = 31;

/** 42 real mobile prefixes × 10^8 numbers each: 4.2·10^9 phone numbers, fits the 32-bit permutation. */
const PHONE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '145', '147', '149', '150',
  '151', '152', '153', '155', '156', '157', '158', '159', '166', '172', '173', '175', '176', '177',
  '178', '180', '181', '182', '183', '184', '185', '186', '187', '188', '189', '191', '198', '199',
];
const INDEX_SPACE = PHONE_PREFIXES.length * 100_000_000;
// Fixed keys (not the seed): whatever seed a batch uses, index i always maps to the same phone,
// so batches with different seeds in one workspace cannot collide.
const phoneOf = createPermutation(INDEX_SPACE, 0x5eed_0001);
const emailTokenOf = createPermutation(INDEX_SPACE, 0x5eed_0002);
const wecomTokenOf = createPermutation(INDEX_SPACE, 0x5eed_0003);

/** The phone number of the generator's index-th customer in a workspace: distinct for distinct indexes. */
export function phoneForIndex(index: number): string {
  const v = phoneOf(index);
  return PHONE_PREFIXES[Math.floor(v / 100_000_000)] + String(v % 100_000_000).padStart(8, '0');
}

const SURNAME_TABLE = weighted(SURNAMES.map((s, i) => [s, 100 / (i + 8)] as const));
const GENDER_TABLE = weighted([['female', 66], ['male', 27], ['unknown', 7]] as const);
const TIER_TABLE = weighted(CITY_TIER_WEIGHTS);
const CHANNEL_TABLE = weighted(SOURCE_CHANNELS);
const PLATFORM_TABLE = weighted(PLATFORM_WEIGHTS);
const PRODUCT_TABLE = weighted(PRODUCTS.map((p) => [p, p.weight] as const));
const EMAIL_DOMAINS = weighted([['qq.com', 45], ['163.com', 25], ['126.com', 10], ['foxmail.com', 8], ['sina.com', 5], ['gmail.com', 4], ['outlook.com', 3]] as const);
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

type FillerEvent = 'message_replied' | 'page_viewed' | 'coupon_received' | 'group_joined' | 'live_stream_watched' | 'moments_liked';
const FILLER_ON_WECOM = weighted<FillerEvent>([
  ['message_replied', 26], ['page_viewed', 30], ['coupon_received', 10], ['group_joined', 3], ['live_stream_watched', 9], ['moments_liked', 14],
]);
const FILLER_OFF_WECOM = weighted<FillerEvent>([['page_viewed', 60], ['coupon_received', 15], ['live_stream_watched', 12]]);

function ymd(ms: number): string {
  // Dates in China Standard Time, as marketplaces print them.
  return iso(ms + 8 * 3_600_000).slice(0, 10).replaceAll('-', '');
}

/** 618 (June 1–18), Double 11 (Nov 1–11) and Double 12, in China time. */
function inPromotion(ms: number): boolean {
  const d = new Date(ms + 8 * 3_600_000);
  const month = d.getUTCMonth() + 1;
  const day = d.getUTCDate();
  return (month === 6 && day <= 18) || (month === 11 && day <= 11) || (month === 12 && day === 12);
}

/** A bijection of [0, 10^12): order numbers look random but never repeat. */
function scramble12(seq: number): number {
  const a = 738_457;
  const high = Math.floor(seq / 1_000_000);
  const low = seq % 1_000_000;
  return (((high * a) % 1_000_000) * 1_000_000 + low * a + 271_828_182_845) % 1_000_000_000_000;
}

/** Order numbers in each platform's style; unique per platform because `seq` is. */
function externalOrderId(platform: Platform, placedMs: number, seq: number, rng: Rng): string {
  const date = ymd(placedMs);
  const s = String(scramble12(seq)).padStart(12, '0');
  switch (platform) {
    case 'tmall':
      return date.slice(2) + s + rng.int(0, 9);
    case 'jd':
      return '3' + s;
    case 'pdd':
      return `${date.slice(2)}-000${s}`;
    case 'douyin':
      return '69' + s + String(rng.int(0, 99_999)).padStart(5, '0');
    case 'miniprogram':
      return `MP${date}${s}`;
  }
}

interface Person {
  index: number;
  id: string;
  name: string;
  phone: string;
  email: string | null;
  gender: 'female' | 'male' | 'unknown';
  age: number;
  birthday: string | null;
  tier: CityTier;
  city: string;
  channel: string;
  createdMs: number;
  onWecom: boolean;
  /** When they added a staff member on WeCom (createdMs when they did not). */
  addedMs: number;
  wecomExternalId: string | null;
  unionId: string | null;
  staffId: string | null;
}

interface PurchaseHistory {
  countedOrders: number;
  spentCents: number;
  lastOrderMs: number;
  firstCountedMs: number;
  promoOrders: number;
  couponOrders: number;
  refunds: number;
  categories: Set<string>;
}

interface Activity {
  liveWatches: number;
  replies: number;
  groups: number;
}

/** An event before it is written: type, properties JSON, when, idempotency key. */
type PendingEvent = [string, string, number, string];

interface ChunkRows {
  customers: CopyRows;
  orders: CopyRows;
  items: CopyRows;
  events: CopyRows;
  tags: CopyRows;
}

/** Builds chunks of customers with their orders, items, events and tags, in COPY text format. */
export class ChunkBuilder {
  private readonly rng: Rng;
  private readonly uuid = createUuidV7();
  private readonly nowMs: number;
  private readonly zeroOrderShare: number;
  private readonly extraOrdersMean: number;
  private readonly eventsMean: number;
  private nextIndex: number;

  constructor(
    private readonly ctx: WorkspaceContext,
    options: ChunkOptions,
  ) {
    this.rng = new Rng(options.seed);
    this.nowMs = options.nowMs;
    this.nextIndex = ctx.firstIndex;
    // About a third never order; the rest order 1 + geometric, so the mean is ordersPerCustomer.
    const opc = Math.max(0, options.ordersPerCustomer);
    this.zeroOrderShare = Math.max(0.3, 1 - opc);
    this.extraOrdersMean = opc > 0 ? Math.max(0, opc / (1 - this.zeroOrderShare) - 1) : 0;
    this.eventsMean = Math.max(0, options.eventsPerCustomer);
  }

  build(size: number): Chunk {
    const out: ChunkRows = { customers: new CopyRows(), orders: new CopyRows(), items: new CopyRows(), events: new CopyRows(), tags: new CopyRows() };
    let made = 0;
    while (made < size) {
      const index = this.nextIndex++;
      if (index >= INDEX_SPACE) throw new Error('generateCustomers: the phone number space is exhausted');
      const phone = phoneForIndex(index);
      if (this.ctx.takenPhones.has(phone)) continue;
      this.customer(index, phone, out);
      made++;
    }
    return {
      counts: { customers: made, orders: out.orders.count, orderItems: out.items.count, events: out.events.count, customerTags: out.tags.count },
      customers: out.customers.finish(),
      orders: out.orders.finish(),
      orderItems: out.items.finish(),
      events: out.events.finish(),
      customerTags: out.tags.finish(),
    };
  }

  private customer(index: number, phone: string, out: ChunkRows): void {
    const { rng, nowMs } = this;
    const person = this.person(index, phone);
    const events: PendingEvent[] = [];
    const history = this.orders(person, out, events);

    const { countedOrders, spentCents, lastOrderMs } = history;
    const lifecycle =
      countedOrders === 0
        ? person.onWecom ? 'prospect' : 'lead'
        : nowMs - lastOrderMs > 365 * DAY
          ? 'churned'
          : countedOrders >= 4 || (countedOrders >= 2 && spentCents >= 100_000)
            ? 'vip'
            : countedOrders >= 2 ? 'repeat' : 'customer';
    const memberLevel = spentCents >= 200_000 ? '钻石VIP' : spentCents >= 60_000 ? 'VIP' : countedOrders > 0 ? '普通会员' : null;
    const marketingSensitive = rng.chance(0.03);
    const blacklisted = rng.chance(0.004);

    const activity = this.events(person, history, events);
    for (const [type, properties, at, key] of events) {
      out.events.push(`${this.uuid()}\t${this.ctx.workspaceId}\t${person.id}\t${type}\t${copyText(properties)}\t${iso(at)}\t${iso(Math.min(nowMs, at + rng.int(50, 5_000)))}\t${key}\n`);
    }
    this.tags(person, history, activity, { lifecycle, marketingSensitive, blacklisted }, out);

    const attributes: Record<string, unknown> = { cityTier: person.tier, age: person.age };
    if (memberLevel) {
      attributes.memberLevel = memberLevel;
      attributes.points = Math.floor(spentCents / 100);
    }
    const p = person;
    out.customers.push(
      `${p.id}\t${this.ctx.workspaceId}\t${p.name}\t${p.phone}\t${p.email ?? NULL}\t${p.gender}\t${p.birthday ?? NULL}\t${p.city}\t${p.channel}\t${lifecycle}\t` +
        `${p.wecomExternalId ?? NULL}\t${p.unionId ?? NULL}\t${copyText(JSON.stringify(attributes))}\t${marketingSensitive ? 'f' : 't'}\t${blacklisted ? 't' : 'f'}\t` +
        `${countedOrders}\t${spentCents}\t${countedOrders > 0 ? iso(lastOrderMs) : NULL}\t${p.staffId ?? NULL}\t${iso(p.createdMs)}\t${iso(Math.max(p.createdMs, lastOrderMs, p.addedMs))}\n`,
    );
  }

  private person(index: number, phone: string): Person {
    const { rng, ctx, nowMs } = this;
    const gender = rng.pickWeighted(GENDER_TABLE);
    const [surname, pinyin] = rng.pickWeighted(SURNAME_TABLE);
    const chars = gender === 'female' ? FEMALE_NAME_CHARS : gender === 'male' ? MALE_NAME_CHARS : NEUTRAL_NAME_CHARS;
    let name = surname + rng.pick(chars);
    if (rng.chance(0.7)) name += rng.pick(rng.chance(0.2) ? NEUTRAL_NAME_CHARS : chars);
    const age = 18 + Math.floor(42 * rng.next() ** 1.4);
    const birthday = rng.chance(0.72)
      ? `${new Date(nowMs).getUTCFullYear() - age}-${String(rng.int(1, 12)).padStart(2, '0')}-${String(rng.int(1, 28)).padStart(2, '0')}`
      : null;
    const tier: CityTier = rng.pickWeighted(TIER_TABLE);
    const city = rng.pick(CITIES_BY_TIER[tier]);
    const channel = rng.pickWeighted(CHANNEL_TABLE);
    // Customers joined over the last three years, more of them recently.
    const createdMs = nowMs - Math.floor(1095 * DAY * rng.next() ** 1.5) - rng.int(0, DAY - 1);

    let email: string | null = null;
    if (rng.chance(0.35)) {
      const domain = rng.pickWeighted(EMAIL_DOMAINS);
      const token = emailTokenOf(index);
      const candidate = domain === 'qq.com' ? `${100_000_000 + token}@qq.com` : `${pinyin}${token}@${domain}`;
      if (!ctx.takenEmails.has(candidate)) email = candidate;
    }

    const wecomFirst = WECOM_FIRST_CHANNELS.has(channel);
    const onWecom = wecomFirst ? rng.chance(0.93) : rng.chance(0.45);
    let wecomExternalId: string | null = null;
    let unionId: string | null = null;
    let addedMs = createdMs;
    let staffId: string | null = null;
    const token = wecomTokenOf(index).toString(36).padStart(7, '0');
    if (onWecom) {
      let random = '';
      for (let i = 0; i < 22; i++) random += ALNUM[rng.int(0, ALNUM.length - 1)];
      wecomExternalId = `wm${random}${token}`;
      unionId = `o${random.slice(0, 5)}${token}${random.slice(5, 20)}`;
      addedMs = wecomFirst ? createdMs + rng.int(5_000, 600_000) : createdMs + Math.floor((nowMs - createdMs) * rng.next() ** 2);
      // Live QR codes hand scanners to staff at random.
      if (ctx.staff.length > 0) staffId = rng.pick(ctx.staff).id;
    } else if (channel === 'miniprogram' && rng.chance(0.6)) {
      unionId = `o${token}`;
      for (let i = 0; i < 20; i++) unionId += ALNUM[rng.int(0, ALNUM.length - 1)];
    }
    return {
      index, id: this.uuid(), name, phone, email, gender, age, birthday, tier, city, channel, createdMs,
      onWecom, addedMs, wecomExternalId, unionId, staffId,
    };
  }

  /** Writes the person's orders and items; queues their order events; returns the totals. */
  private orders(person: Person, out: ChunkRows, events: PendingEvent[]): PurchaseHistory {
    const { rng, nowMs } = this;
    const ws = this.ctx.workspaceId;
    const history: PurchaseHistory = {
      countedOrders: 0, spentCents: 0, lastOrderMs: 0, firstCountedMs: 0, promoOrders: 0, couponOrders: 0, refunds: 0, categories: new Set(),
    };
    const orderCount = rng.chance(this.zeroOrderShare) ? 0 : Math.min(MAX_ORDERS, 1 + rng.geometric(this.extraOrdersMean));
    const placed: number[] = [];
    for (let k = 0; k < orderCount; k++) placed.push(person.createdMs + Math.floor((nowMs - person.createdMs) * rng.next()));
    placed.sort((a, b) => a - b);
    const ownPlatform = (PLATFORMS as readonly string[]).includes(person.channel) ? (person.channel as Platform) : null;

    for (let k = 0; k < orderCount; k++) {
      const placedMs = placed[k] as number;
      const platform: Platform =
        ownPlatform && rng.chance(0.6)
          ? ownPlatform
          : person.onWecom && placedMs > person.addedMs && rng.chance(0.35)
            ? 'miniprogram'
            : rng.pickWeighted(PLATFORM_TABLE);
      const orderId = this.uuid();
      const externalId = externalOrderId(platform, placedMs, person.index * (MAX_ORDERS + 1) + k, rng);

      const lineCount = Math.min(4, 1 + rng.geometric(0.45));
      const chosen = new Set<Product>();
      let total = 0;
      for (let j = 0; j < lineCount; j++) {
        const product = rng.pickWeighted(PRODUCT_TABLE);
        if (chosen.has(product)) continue;
        chosen.add(product);
        history.categories.add(product.category);
        const qty = rng.chance(0.8) ? 1 : rng.chance(0.75) ? 2 : 3;
        total += qty * product.priceCents;
        out.items.push(`${this.uuid()}\t${ws}\t${orderId}\t${product.sku}\t${product.name}\t${product.category}\t${qty}\t${product.priceCents}\n`);
      }

      let discount = 0;
      let coupon: (typeof COUPONS)[number] | null = null;
      if (rng.chance(0.3)) {
        const candidate = rng.pick(COUPONS);
        if (total >= candidate.minCents) {
          coupon = candidate;
          discount = coupon.valueCents === 0 ? Math.round(total * 0.15) : coupon.valueCents;
        }
      }

      // Recent orders are still open; older ones were completed, refunded or cancelled.
      const ageDays = (nowMs - placedMs) / DAY;
      const r = rng.next();
      const status =
        ageDays < 2
          ? r < 0.15 ? 'pending' : r < 0.6 ? 'paid' : 'shipped'
          : ageDays < 10
            ? r < 0.05 ? 'cancelled' : r < 0.1 ? 'refunded' : r < 0.6 ? 'shipped' : 'completed'
            : r < 0.08 ? 'cancelled' : r < 0.16 ? 'refunded' : 'completed';
      const paid = status !== 'pending' && status !== 'cancelled';
      const paidMs = paid ? Math.min(nowMs, placedMs + rng.int(10_000, 1_800_000)) : 0;
      const paidCents = paid ? total - discount : 0;
      // The customer's totals count what they kept: paid, shipped and completed orders.
      if (isPaidOrderStatus(status)) {
        if (history.countedOrders === 0) history.firstCountedMs = placedMs;
        history.countedOrders++;
        history.spentCents += paidCents;
        history.lastOrderMs = placedMs;
        if (inPromotion(placedMs)) history.promoOrders++;
        if (coupon) history.couponOrders++;
      }
      out.orders.push(
        `${orderId}\t${ws}\t${person.id}\t${platform}\t${externalId}\t${status}\t${total}\t${discount}\t${paidCents}\t` +
          `${iso(placedMs)}\t${paid ? iso(paidMs) : NULL}\t${iso(placedMs)}\t${iso(paid ? paidMs : placedMs)}\n`,
      );

      if (paid) {
        const items = chosen.size;
        events.push(['order_paid', JSON.stringify({ orderId, platform, externalId, amountCents: paidCents, items }), paidMs, `order_paid:${platform}:${externalId}`]);
        if (coupon) {
          events.push([
            'coupon_used',
            JSON.stringify({ couponId: coupon.id, couponName: coupon.name, discountCents: discount, platform, externalId }),
            paidMs,
            `coupon_used:${platform}:${externalId}`,
          ]);
        }
      }
      if (status === 'refunded') {
        history.refunds++;
        const refundMs = Math.min(nowMs, paidMs + rng.int(DAY, 10 * DAY));
        events.push(['order_refunded', JSON.stringify({ orderId, platform, externalId, amountCents: paidCents }), refundMs, `order_refunded:${platform}:${externalId}`]);
      }
    }
    return history;
  }

  /** Queues the events the story requires, then filler up to this customer's share. */
  private events(person: Person, history: PurchaseHistory, events: PendingEvent[]): Activity {
    const { rng, nowMs } = this;
    let key = 0;
    const eventKey = (): string => `seed-${person.index.toString(36)}-${key++}`;
    if (person.channel === 'parcel_card') {
      events.push(['parcel_card_scanned', JSON.stringify({ batch: `PC-${ymd(person.createdMs).slice(0, 6)}`, qrCode: 'parcel-card-live-code' }), person.createdMs, eventKey()]);
    }
    if (person.onWecom) {
      const staff = person.staffId ? this.ctx.staff.find((s) => s.id === person.staffId) : undefined;
      const properties = { channel: person.channel, staffId: person.staffId, staffUserId: staff?.wecomUserId ?? null, welcomeMessage: true };
      events.push(['friend_added', JSON.stringify(properties), person.addedMs, eventKey()]);
    }
    if (history.countedOrders > 0) {
      events.push(['membership_joined', JSON.stringify({ level: '普通会员' }), Math.min(nowMs, history.firstCountedMs + 60_000), eventKey()]);
    }

    const activity: Activity = { liveWatches: 0, replies: 0, groups: 0 };
    const target = Math.round(this.eventsMean * (0.3 + 1.4 * rng.next()));
    while (events.length < target) {
      const type = rng.pickWeighted(person.onWecom ? FILLER_ON_WECOM : FILLER_OFF_WECOM);
      if (type === 'group_joined' && activity.groups >= 2) continue;
      const fromMs = type === 'message_replied' || type === 'group_joined' || type === 'moments_liked' ? person.addedMs : person.createdMs;
      const at = fromMs + Math.floor((nowMs - fromMs) * rng.next());
      let properties: object;
      switch (type) {
        case 'message_replied':
          activity.replies++;
          properties = { staffId: person.staffId, chars: rng.int(2, 80), viaTask: rng.chance(0.4) };
          break;
        case 'page_viewed': {
          const page = rng.pick(MINIPROGRAM_PAGES);
          const durationSec = rng.int(3, 240);
          properties = page === '/pages/goods/detail' ? { page, sku: rng.pickWeighted(PRODUCT_TABLE).sku, durationSec } : { page, durationSec };
          break;
        }
        case 'coupon_received': {
          const coupon = rng.pick(COUPONS);
          properties = { couponId: coupon.id, couponName: coupon.name };
          break;
        }
        case 'group_joined':
          activity.groups++;
          properties = { groupName: `${rng.pick(GROUP_NAMES)}${rng.int(1, 30)}群`, inviterStaffId: person.staffId };
          break;
        case 'live_stream_watched':
          activity.liveWatches++;
          properties = { roomId: `live-${ymd(at)}`, minutes: rng.int(1, 90) };
          break;
        case 'moments_liked':
          properties = { postId: `moment-${ymd(at)}-${rng.int(1, 3)}` };
          break;
      }
      events.push([type, JSON.stringify(properties), at, eventKey()]);
    }
    return activity;
  }

  /** Tags by rules where the workspace has the tag; tags the rules don't know, at random. */
  private tags(
    person: Person,
    history: PurchaseHistory,
    activity: Activity,
    state: { lifecycle: string; marketingSensitive: boolean; blacklisted: boolean },
    out: ChunkRows,
  ): void {
    const { rng, nowMs } = this;
    const { age, gender, tier } = person;
    const { countedOrders, spentCents, promoOrders, couponOrders, refunds } = history;
    const names: Array<[string, 'rule' | 'manual']> = [];
    // 基础信息
    if (age <= 23 && rng.chance(0.7)) names.push(['学生', 'rule']);
    else if (gender === 'female' && age >= 26 && age <= 42 && rng.chance(0.35)) names.push(['宝妈', 'manual']);
    else if (age >= 22 && age <= 55 && rng.chance(0.6)) names.push([rng.chance(0.85) ? '上班族' : '自由职业', 'manual']);
    if (tier === 1) names.push(['一线城市', 'rule']);
    else if (tier === 2) names.push(['新一线城市', 'rule']);
    else if (tier === 4) names.push(['下沉市场', 'rule']);
    if (rng.chance(0.25)) names.push([rng.chance(0.4) ? '独居' : '三口之家', 'manual']);
    if (rng.chance(0.2)) names.push([rng.chance(0.55) ? '自有住房' : '租房', 'manual']);
    // 意向: what they bought, or what they asked about.
    const intents = new Set<string>();
    for (const category of history.categories) intents.add(CATEGORY_INTENT[category] ?? '护发');
    if (intents.size === 0 && rng.chance(0.6)) intents.add(rng.pick(['护发', '生发', '染发', '头皮护理']));
    for (const intent of intents) names.push([intent, 'rule']);
    if (rng.chance(0.12)) names.push(['偏好天然成分', 'manual']);
    if (countedOrders === 0 && person.onWecom && rng.chance(0.2)) names.push(['近期有购买计划', 'manual']);
    // 行为
    if (countedOrders >= 3) names.push(['稳定复购', 'rule']);
    if (state.lifecycle === 'vip' || countedOrders >= 5) names.push(['品牌粉丝', 'rule']);
    if (promoOrders > 0 && promoOrders * 2 >= countedOrders) names.push(['大促敏感', 'rule']);
    if (countedOrders > 0 && spentCents / countedOrders >= 30_000) names.push(['高客单', 'rule']);
    if (countedOrders === 1 && state.lifecycle !== 'churned') names.push(['首单未复购', 'rule']);
    if (state.lifecycle === 'churned') names.push(['沉睡客户', 'rule']);
    if (activity.liveWatches >= 2) names.push(['直播间常客', 'rule']);
    if (activity.groups > 0 && activity.replies >= 3) names.push(['社群活跃', 'rule']);
    // 风控
    if (state.marketingSensitive) names.push(['营销敏感', 'manual']);
    if (rng.chance(0.015)) names.push(['低信用', 'rule']);
    if (rng.chance(refunds > 0 ? 0.15 : 0.015)) names.push(['投诉倾向', 'manual']);
    if (rng.chance(refunds > 0 ? 0.2 : 0.015)) names.push(['差评用户', 'manual']);
    if (state.blacklisted) names.push(['黑名单', 'manual']);
    if (countedOrders >= 2 && couponOrders === countedOrders && rng.chance(0.5)) names.push(['羊毛党', 'rule']);

    const ws = this.ctx.workspaceId;
    const tagged = new Set<string>();
    const at = iso(Math.min(nowMs, Math.max(person.addedMs, history.lastOrderMs) + rng.int(60_000, 3 * DAY)));
    for (const [name, source] of names) {
      const tagId = this.ctx.tagByName.get(name);
      if (!tagId || tagged.has(tagId)) continue;
      tagged.add(tagId);
      out.tags.push(`${ws}\t${person.id}\t${tagId}\t${source}\t${at}\n`);
    }
    for (const tagId of this.ctx.otherTagIds) {
      if (!tagged.has(tagId) && rng.chance(0.08)) {
        tagged.add(tagId);
        out.tags.push(`${ws}\t${person.id}\t${tagId}\tmanual\t${at}\n`);
      }
    }
  }
}
