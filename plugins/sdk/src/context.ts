import type { Json, JsonObject } from './text.ts';

/** The customer as a node sees it: the profile plus the figures conditions most often need. */
export interface JourneyCustomer {
  id: string;
  name: string | null;
  phone: string | null;
  email: string | null;
  gender: string | null;
  /** `YYYY-MM-DD` */
  birthday: string | null;
  city: string | null;
  sourceChannel: string | null;
  lifecycleStage: string | null;
  wecomExternalId: string | null;
  unionId: string | null;
  attributes: JsonObject;
  marketingConsent: boolean;
  blacklisted: boolean;
  ownerStaffId: string | null;
  tagIds: string[];
  orderCount: number;
  totalSpentCents: number;
  firstOrderAt: string | null;
  lastOrderAt: string | null;
  createdAt: string;
}

/** What started the enrollment: the event, segment change, schedule or API call, as JSON. */
export interface EnrollmentTrigger {
  kind: 'event' | 'segment' | 'schedule' | 'date' | 'api' | 'journey';
  /** The event that started it, for event triggers. */
  event?: { id: string; type: string; properties: JsonObject; occurredAt: string };
  /** Free data passed by the API call or the journey that enrolled the customer. */
  data?: JsonObject;
}

/** One customer reaching a node. A batch is every customer that reached the node together. */
export interface BatchItem {
  enrollmentId: string;
  customer: JourneyCustomer;
  /**
   * Stable for this enrollment, node and visit: the same on a retry or after a crash, different
   * when the customer comes back to the node through a loop. Pass it to anything outside Courtyard
   * so a repeat can be dropped.
   */
  idempotencyKey: string;
  /** How many steps the enrollment had taken before this one. */
  visit: number;
  /** 1 on the first try of this step, more on retries. */
  attempt: number;
  /** When the customer entered the journey. */
  enteredAt: string;
  trigger: EnrollmentTrigger;
}

export interface MessageContent {
  /** Channel configured in the workspace (its id), or a channel type such as `log`. */
  channel: string;
  subject?: string;
  /** Already rendered text. */
  body: string;
  /** Links, images, mini-program cards: passed to the channel as they are. */
  attachments?: Json[];
  /** Marketing messages count against the workspace frequency cap and respect quiet hours. */
  marketing?: boolean;
}

export type SendOutcome =
  /** Stored in the outbox; the channel will get it with `item.idempotencyKey`. */
  | { status: 'queued'; deliveryId: string }
  /** Not sent, on purpose: frequency cap, no consent, blacklist, no address for the channel. */
  | { status: 'skipped'; reason: string }
  /** Not allowed now (quiet hours, frequency cap set to delay): try again at `until`. */
  | { status: 'deferred'; until: Date; reason: string };

export interface StaffLoad {
  id: string;
  name: string;
  active: boolean;
  /** Customers whose owner this staff member is. */
  customers: number;
}

export interface EventCountQuery {
  type: string;
  /** Every listed property must equal the given value. */
  properties?: JsonObject;
  since?: Date;
  until?: Date;
  /** A lower bound per customer, replacing `since` for the listed ones (e.g. each one's enrollment time). */
  sinceByCustomer?: Record<string, Date>;
}

export interface OrderStatsQuery {
  since?: Date;
  until?: Date;
  /** A lower bound per customer, replacing `since` for the listed ones (e.g. each one's enrollment time). */
  sinceByCustomer?: Record<string, Date>;
  platforms?: string[];
  /** Only orders whose paid amount is at least this. */
  minAmountCents?: number;
}

/**
 * What a node may do. The runtime implements it (against the database, or against a sandbox when
 * a journey is simulated) and refuses calls the node's declared scopes do not cover. Every method
 * takes a whole batch: call it once per run, not once per customer.
 */
export interface NodeContext {
  workspace: { id: string; timeZone: string };
  journey: { id: string; versionId: string; version: number; nodeId: string };
  /** The current time; in a simulation it is the sandbox's clock, so never call `new Date()`. */
  now(): Date;
  log(message: string, data?: JsonObject): void;
  customers: {
    addTags(changes: { customerId: string; tagIds: string[] }[]): Promise<void>;
    removeTags(changes: { customerId: string; tagIds: string[] }[]): Promise<void>;
    /** Sets (value) or removes (null) custom attributes or the built-in fields `lifecycleStage`, `city`. */
    updateAttributes(changes: { customerId: string; set: JsonObject }[]): Promise<void>;
    assignOwner(changes: { customerId: string; staffId: string }[]): Promise<void>;
  };
  query: {
    /** Which of the customers are in the segment now. */
    inSegment(segmentId: string, customerIds: string[]): Promise<Set<string>>;
    eventCounts(customerIds: string[], query: EventCountQuery): Promise<Map<string, number>>;
    orderStats(customerIds: string[], query: OrderStatsQuery): Promise<Map<string, { count: number; totalCents: number }>>;
    /** Staff sub-accounts with how many customers each owns; only the listed ones when given. */
    staff(staffIds?: string[]): Promise<StaffLoad[]>;
  };
  messages: {
    /** Puts messages in the outbox (one per item), honouring consent, quiet hours and the frequency cap. */
    send(messages: { item: BatchItem; content: MessageContent }[]): Promise<SendOutcome[]>;
  };
  journeys: {
    /** Enrolls the customers in another journey's published version; returns how many entered. */
    enroll(journeyId: string, items: { item: BatchItem; data?: JsonObject }[]): Promise<number>;
  };
  http: {
    /**
     * POSTs JSON signed per Standard Webhooks (webhook-id is the item's idempotency key). Returns
     * the status, or throws on a network error or timeout.
     */
    postSigned(request: { url: string; secret: string; idempotencyKey: string; body: Json; timeoutMs?: number }): Promise<{ status: number; body: string }>;
  };
  /** A durable counter per node and name: round-robin assignment uses it. */
  counter(name: string, increment: number): Promise<number>;
}
