// The segment definition language: one zod schema, its exported type, JSON all the way down.
// The API validates input with it, the compiler reads it, the admin draws its rule builder from
// its JSON Schema. Bump SEGMENT_DEFINITION_VERSION on any incompatible change.
import { z } from 'zod';

export const SEGMENT_DEFINITION_VERSION = 1;

const isoDateTime = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time, e.g. 2026-11-11T00:00:00+08:00' });
const days = z.number().int().min(1, { message: 'must be at least 1 day' }).max(3650, { message: 'must be at most 3650 days (10 years)' });

/** A time window: the last N days (moves with time), or an absolute range. */
export const Window = z.union([
  z.strictObject({ lastDays: days }),
  z.strictObject({ from: isoDateTime, to: isoDateTime.optional() }),
]);
export type Window = z.infer<typeof Window>;

export const STRING_FIELDS = ['name', 'phone', 'email', 'city', 'sourceChannel', 'wecomExternalId', 'unionId'] as const;
export const ENUM_FIELDS = { gender: ['male', 'female', 'unknown'], lifecycleStage: ['lead', 'prospect', 'customer', 'repeat', 'vip', 'churned'] } as const;
export const BOOLEAN_FIELDS = ['marketingConsent', 'blacklisted'] as const;
export const NUMBER_FIELDS = ['orderCount', 'totalSpent'] as const;
export const DATE_FIELDS = ['birthday', 'createdAt', 'updatedAt', 'lastOrderAt'] as const;
export const BUILTIN_FIELDS = [...STRING_FIELDS, ...Object.keys(ENUM_FIELDS), ...BOOLEAN_FIELDS, ...NUMBER_FIELDS, ...DATE_FIELDS] as string[];

export const ATTRIBUTE_OPERATORS = [
  'equals', 'notEquals', 'in', 'notIn', 'contains', 'startsWith',
  'gt', 'gte', 'lt', 'lte', 'between',
  'before', 'after', 'withinLastDays', 'notWithinLastDays',
  'isSet', 'isNotSet',
] as const;

const Scalar = z.union([z.string().max(500), z.number().finite(), z.boolean()]);

/** A built-in customer field or a custom attribute (`attributes.<key>`), compared with an operator. */
export const AttributeCondition = z.strictObject({
  kind: z.literal('attribute'),
  field: z.string().refine((f) => BUILTIN_FIELDS.includes(f) || /^attributes\.[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(f), {
    message: `must be one of ${['name', 'phone', 'city', '…'].join(', ')} or attributes.<key> (letters, digits, _)`,
  }),
  operator: z.enum(ATTRIBUTE_OPERATORS),
  value: z.union([Scalar, z.array(Scalar).min(1).max(1000)]).optional(),
});

export const TagsCondition = z.strictObject({
  kind: z.literal('tags'),
  match: z.enum(['any', 'all', 'none']),
  tagIds: z.array(z.string().min(1)).min(1, { message: 'name at least one tag' }).max(100),
});

export const PropertyFilter = z.strictObject({
  /** Dot path into the event's properties, e.g. `staff` or `coupon.code`. */
  path: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}(\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,4}$/, { message: 'must be a dot path of property names, e.g. coupon.code' }),
  operator: z.enum(['equals', 'notEquals', 'in', 'contains', 'gt', 'gte', 'lt', 'lte', 'exists']),
  value: z.union([Scalar, z.array(Scalar).min(1).max(1000)]).optional(),
});

export const CountComparison = z.strictObject({
  op: z.enum(['atLeast', 'atMost', 'exactly']),
  value: z.number().int().min(0).max(1_000_000),
});

/** Performed an event (of a type, matching property filters) a number of times, in a window. */
export const EventCondition = z.strictObject({
  kind: z.literal('event'),
  type: z.string().min(1).max(64),
  where: z.array(PropertyFilter).max(10).optional(),
  count: CountComparison.optional(),
  window: Window.optional(),
});

/** Has not performed an event since a moment (or in the last N days). */
export const NotPerformedSinceCondition = z.strictObject({
  kind: z.literal('notPerformedSince'),
  type: z.string().min(1).max(64),
  since: z.union([z.strictObject({ lastDays: days }), z.strictObject({ date: isoDateTime })]),
});

export const NumberComparison = z.strictObject({
  operator: z.enum(['equals', 'gt', 'gte', 'lt', 'lte', 'between']),
  value: z.union([z.number().finite(), z.tuple([z.number().finite(), z.number().finite()])]),
});

/** RFM-style order metrics. Amounts are in minor units (fen). Without a window: all paid orders. */
export const OrdersCondition = z.strictObject({
  kind: z.literal('orders'),
  metric: z.enum(['count', 'totalSpent', 'averageOrderValue', 'lastOrderAt', 'firstOrderAt']),
  operator: z.enum(['equals', 'gt', 'gte', 'lt', 'lte', 'between', 'before', 'after', 'withinLastDays', 'notWithinLastDays', 'isSet', 'isNotSet']),
  value: z.union([z.number().finite(), z.tuple([z.number().finite(), z.number().finite()]), isoDateTime, z.tuple([isoDateTime, isoDateTime])]).optional(),
  window: Window.optional(),
});

/** Bought a product (SKU), a category or on a platform, in a window. */
export const PurchasedCondition = z.strictObject({
  kind: z.literal('purchased'),
  by: z.enum(['sku', 'category', 'platform']),
  values: z.array(z.string().min(1).max(128)).min(1).max(1000),
  window: Window.optional(),
});

/** Placed a paid order after first performing an event (e.g. friend_added: "first order after adding"). */
export const FirstOrderAfterEventCondition = z.strictObject({
  kind: z.literal('firstOrderAfterEvent'),
  eventType: z.string().min(1).max(64),
  /** The order must come within this many days of the event. Default: any time after. */
  withinDays: days.optional(),
});

export const SegmentMembershipCondition = z.strictObject({
  kind: z.literal('segment'),
  segmentId: z.string().min(1),
  /** true: is a member; false: is not. Default true. */
  member: z.boolean().optional(),
});

export const ChannelCondition = z.strictObject({ kind: z.literal('channel'), channels: z.array(z.string().min(1).max(40)).min(1).max(100) });
export const ConsentCondition = z.strictObject({ kind: z.literal('consent'), value: z.boolean() });
export const BlacklistCondition = z.strictObject({ kind: z.literal('blacklisted'), value: z.boolean() });

/** A stable pseudo-random bucket 0–99 of the customer id (with a salt), for holdouts and A/B splits. */
export const RandomBucketCondition = z
  .strictObject({
    kind: z.literal('randomBucket'),
    salt: z.string().max(64).optional(),
    from: z.number().int().min(0).max(99),
    to: z.number().int().min(1).max(100),
  })
  .refine((c) => c.from < c.to, { message: 'from must be below to', path: ['to'] });

export const Condition = z.discriminatedUnion('kind', [
  AttributeCondition,
  TagsCondition,
  EventCondition,
  NotPerformedSinceCondition,
  OrdersCondition,
  PurchasedCondition,
  FirstOrderAfterEventCondition,
  SegmentMembershipCondition,
  ChannelCondition,
  ConsentCondition,
  BlacklistCondition,
  RandomBucketCondition,
]);
export type Condition = z.infer<typeof Condition>;

export type SegmentNode = Condition | { op: 'and' | 'or'; conditions: SegmentNode[] } | { op: 'not'; condition: SegmentNode };

export const SegmentNode: z.ZodType<SegmentNode> = z.lazy(() =>
  z.union([
    z.strictObject({ op: z.enum(['and', 'or']), conditions: z.array(SegmentNode).min(1, { message: 'a group needs at least one condition' }).max(50) }),
    z.strictObject({ op: z.literal('not'), condition: SegmentNode }),
    Condition,
  ]),
);

export const SegmentDefinition = z.strictObject({
  version: z.literal(SEGMENT_DEFINITION_VERSION).default(SEGMENT_DEFINITION_VERSION),
  root: SegmentNode,
});
export type SegmentDefinition = z.infer<typeof SegmentDefinition>;
