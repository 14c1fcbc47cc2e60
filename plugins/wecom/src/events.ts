import { z } from 'zod';
import type { XmlFields } from './xml.ts';

// Customer-contact callback events (notes §3), as they come out of `decryptCallback(...).fields`.
// Every value arrives as text; numbers are converted here.

const Seconds = z.string().regex(/^\d+$/).transform(Number);
const Common = { ToUserName: z.string(), FromUserName: z.string(), CreateTime: Seconds, MsgType: z.literal('event') };
const Contact = { ...Common, Event: z.literal('change_external_contact'), UserID: z.string(), ExternalUserID: z.string() };

export const ContactAddedEvent = z.object({
  ...Contact,
  ChangeType: z.enum(['add_external_contact', 'add_half_external_contact']),
  /** The contact way's `state` (≤ 30 chars): which channel the customer came from. */
  State: z.string().optional(),
  /** Valid 20 s, once; absent when the member has a console welcome message (notes §3). */
  WelcomeCode: z.string().optional(),
});
export type ContactAddedEvent = z.infer<typeof ContactAddedEvent>;

export const ContactEditedEvent = z.object({ ...Contact, ChangeType: z.literal('edit_external_contact') });
export type ContactEditedEvent = z.infer<typeof ContactEditedEvent>;

/** The member deleted the customer; Source `DELETE_BY_TRANSFER` when an on-job transfer did it. */
export const ContactDeletedEvent = z.object({ ...Contact, ChangeType: z.literal('del_external_contact'), Source: z.string().optional() });
export type ContactDeletedEvent = z.infer<typeof ContactDeletedEvent>;

/** The customer deleted the member. */
export const FollowUserDeletedEvent = z.object({ ...Contact, ChangeType: z.literal('del_follow_user') });
export type FollowUserDeletedEvent = z.infer<typeof FollowUserDeletedEvent>;

export const TransferFailedEvent = z.object({ ...Contact, ChangeType: z.literal('transfer_fail'), FailReason: z.enum(['customer_refused', 'customer_limit_exceed']) });
export type TransferFailedEvent = z.infer<typeof TransferFailedEvent>;

const OptionalCount = Seconds.optional();

export const ExternalChatEvent = z.object({
  ...Common,
  Event: z.literal('change_external_chat'),
  ChangeType: z.enum(['create', 'update', 'dismiss']),
  ChatId: z.string(),
  UpdateDetail: z.enum(['add_member', 'del_member', 'change_owner', 'change_name', 'change_notice']).optional(),
  JoinScene: OptionalCount,
  QuitScene: OptionalCount,
  MemChangeCnt: OptionalCount,
  /** Newer pushes: the members who joined or left (`<MemChangeList><Item>…</Item></MemChangeList>`); customers are external user ids. */
  MemChangeList: z
    .union([z.string(), z.object({ Item: z.union([z.string(), z.array(z.string())]) })])
    .optional()
    .transform((v) => (v === undefined || v === '' ? [] : typeof v === 'string' ? [v] : Array.isArray(v.Item) ? v.Item : [v.Item])),
});
export type ExternalChatEvent = z.infer<typeof ExternalChatEvent>;

export const ExternalTagEvent = z.object({
  ...Common,
  Event: z.literal('change_external_tag'),
  ChangeType: z.enum(['create', 'update', 'delete', 'shuffle']),
  Id: z.string(),
  /** Absent on shuffle. */
  TagType: z.enum(['tag', 'tag_group']).optional(),
  StrategyId: z.string().optional(),
});
export type ExternalTagEvent = z.infer<typeof ExternalTagEvent>;

export const WeComCallbackEvent = z.union([
  ContactAddedEvent,
  ContactEditedEvent,
  ContactDeletedEvent,
  FollowUserDeletedEvent,
  TransferFailedEvent,
  ExternalChatEvent,
  ExternalTagEvent,
]);
export type WeComCallbackEvent = z.infer<typeof WeComCallbackEvent>;

/**
 * The event, or undefined for one outside this subset (answer it with 200 all the same, or WeCom
 * retries it). Fields outside the schemas are dropped.
 */
export function parseCallbackEvent(fields: XmlFields): WeComCallbackEvent | undefined {
  const parsed = WeComCallbackEvent.safeParse(fields);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A key that is the same for every retry of one event and differs between events. WeCom suggests
 * FromUserName + CreateTime for events, but customer-contact events all come from `sys`, so two
 * adds in the same second would collide: the identifying fields are added to it.
 */
export function callbackDedupeKey(event: WeComCallbackEvent): string {
  // Group updates of one chat within a second differ by what changed and who joined or left.
  const subject =
    'ExternalUserID' in event ? `${event.UserID}/${event.ExternalUserID}` : 'ChatId' in event ? [event.ChatId, event.UpdateDetail ?? '', ...event.MemChangeList].join('/') : event.Id;
  return [event.ToUserName, event.FromUserName, event.CreateTime, event.Event, event.ChangeType, subject].join('|');
}
