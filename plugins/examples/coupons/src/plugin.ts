import { createManifest, defineAction, remoteCallOf, step, z } from '@courtyard/plugin-sdk';
import { CouponStore } from './store.ts';

/** Field help in both admin languages; both end up in the config's JSON Schema. */
const doc = (zh: string, en: string) => ({ description: zh, 'x-description-en': en });

export const IssueCouponConfig = z.object({
  batchCode: z
    .string()
    .regex(/^[A-Z0-9-]{2,24}$/, 'use 2 to 24 capital letters, digits or dashes, e.g. SUMMER-20')
    .meta(doc('券批次号，如 SUMMER-20', 'Coupon batch code, e.g. SUMMER-20')),
  valueCents: z.number().int().min(1).max(1_000_000).meta(doc('面额（分）', 'Face value in cents')),
  stock: z.number().int().min(0).max(1_000_000).meta(doc('本批次可发放的总张数（每个品牌各自计数）', 'How many coupons of this batch can be issued (counted per brand)')),
  tagIds: z
    .array(z.string().min(1))
    .max(50)
    .default([])
    .meta(doc('给领到券的客户打上的标签', 'Tags given to the customers who got a coupon')),
});
export type IssueCouponConfig = z.infer<typeof IssueCouponConfig>;

/** Builds the plugin's nodes over a coupon store (one per process; tests make their own). */
export function couponNodes(store: CouponStore) {
  const issueCoupon = defineAction({
    id: 'example-coupons.issue-coupon',
    version: '1.0.0',
    title: { 'zh-CN': '发放优惠券', en: 'Issue a coupon' },
    description: {
      'zh-CN': '从券批次中给客户发一张券；库存用完后走“库存不足”',
      en: 'Issues the customer a coupon of the batch; once the stock runs out, takes "out of stock"',
    },
    icon: 'ticket',
    config: IssueCouponConfig,
    ports: [
      { id: 'issued', title: { 'zh-CN': '已发券', en: 'Coupon issued' } },
      { id: 'out_of_stock', title: { 'zh-CN': '库存不足', en: 'Out of stock' } },
    ],
    scopes: ['tags:write'],
    batchSize: 100,
    async run({ items, config, ctx }) {
      // Keyed by each item's idempotency key: a retried batch (or the same customers regrouped
      // into another batch) gets the coupons already issued, never new ones.
      const outcomes = store.issue(
        { workspaceId: ctx.workspace.id, batchCode: config.batchCode, stock: config.stock },
        items.map((item) => item.idempotencyKey),
      );
      const winners = items.filter((_, i) => outcomes[i]!.issued).map((item) => item.customer.id);
      ctx.log('coupons issued', { batchCode: config.batchCode, issued: winners.length, outOfStock: items.length - winners.length });
      // Tagging goes through Courtyard's GraphQL with the installation token, when the call carries
      // one. Tagging is idempotent, so a retry after a failed call here tags again harmlessly.
      if (config.tagIds.length && winners.length && remoteCallOf(ctx)?.callback) {
        await ctx.customers.addTags(winners.map((customerId) => ({ customerId, tagIds: config.tagIds })));
      }
      return outcomes.map((o) =>
        o.issued ? step.next('issued', { couponCode: o.code, batchCode: config.batchCode, valueCents: config.valueCents }) : step.next('out_of_stock'),
      );
    },
  });
  return [issueCoupon];
}

/** What the partner publishes; `baseUrl` is where its server is reachable. */
export function couponManifest(baseUrl: string) {
  return createManifest({
    id: 'example-coupons',
    version: '1.0.0',
    name: { 'zh-CN': '示例优惠券', en: 'Example Coupons' },
    description: { 'zh-CN': '在旅程中按库存发放优惠券，并给领券客户打标签', en: 'Issue coupons from journeys while stock lasts, and tag the customers who got one' },
    publisher: { name: 'Courtyard examples', url: 'https://github.com/courtyard' },
    icon: 'ticket',
    categories: ['marketing', 'coupons'],
    endpoints: { baseUrl },
    support: { email: 'partners@courtyard.example' },
    changelog: '1.0.0: first version',
    nodes: couponNodes(new CouponStore()),
  });
}
