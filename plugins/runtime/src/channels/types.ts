import type { Db } from '@courtyard/db';
import type { Json, LocalizedText } from '@courtyard/plugin-sdk';
import type { WeComClientOptions } from '@courtyard/wecom';
import type { z } from 'zod';

/** One message leaving Courtyard: a Delivery row of the outbox, rendered and addressed. */
export interface OutboundMessage {
  deliveryId: string;
  /** Unique per delivery and stable across retries and crashes: receivers drop repeats by it. */
  idempotencyKey: string;
  workspaceId: string;
  customer: {
    id: string;
    name: string | null;
    phone: string | null;
    email: string | null;
    wecomExternalId: string | null;
    ownerStaff: { id: string; name: string; wecomUserId: string | null } | null;
  };
  subject: string | null;
  body: string;
  attachments: Json[];
}

export type ChannelSendResult =
  | { status: 'sent'; providerMessageId?: string }
  /** `retryable`: the dispatcher tries again with backoff (network error, 5xx, rate limit). */
  | { status: 'failed'; error: string; retryable: boolean }
  /** Not sent, on purpose and for good (e.g. over the customer's WeCom quota); `error` says why. */
  | { status: 'skipped'; error: string }
  /** Not sent now; the dispatcher tries again at `until` (e.g. the customer's next WeCom quota period). */
  | { status: 'deferred'; error: string; until: Date };

/** WeCom tuning of a runtime; each option defaults as documented. */
export interface WeComRuntimeOptions {
  /** Overrides for every WeCom client the runtime builds (tests: a stand-in's fetch, short 45009 blocks). */
  client?: Partial<WeComClientOptions>;
  /** How often a waiting mass-send task is read back from WeCom. Default 5 minutes. */
  pollMs?: number;
  /** Cancel a task in WeCom (cancel_groupmsg_send) when it expires unconfirmed. Default true. */
  cancelOnExpiry?: boolean;
  /**
   * After add_msg_template's answer was lost: how long WeCom's task list is searched for the task
   * before it is created again. Default 10 minutes (see RECONCILE_WINDOW_MS in channels/wecom.ts).
   */
  reconcileWindowMs?: number;
  /** While a lost answer is reconciled: how often the list is searched again. Default 4 minutes. */
  reconcileEveryMs?: number;
}

/** What a channel may use besides its config: the database (WeCom records its tasks there). */
export interface ChannelContext {
  db: Db;
  wecom?: WeComRuntimeOptions;
  log?(message: string): void;
}

export interface ChannelConnection {
  /** Sends a batch; one result per message, in order. Never throws for a single message's failure. */
  send(messages: OutboundMessage[]): Promise<ChannelSendResult[]>;
  close?(): Promise<void>;
}

/** A kind of channel: its stored config (validated by `config`) and how to open a connection. */
export interface ChannelDriver<C extends z.ZodType = z.ZodType> {
  type: 'log' | 'webhook' | 'email' | 'wecom';
  title: LocalizedText;
  /** Which customer field the channel needs; a customer without it is skipped with a reason. */
  address: 'none' | 'email' | 'phone' | 'wecomExternalId';
  config: C;
  open(config: z.output<C>, context?: ChannelContext): ChannelConnection;
}
