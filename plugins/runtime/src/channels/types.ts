import type { Json, LocalizedText } from '@courtyard/plugin-sdk';
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
  | { status: 'failed'; error: string; retryable: boolean };

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
  open(config: z.output<C>): ChannelConnection;
}
