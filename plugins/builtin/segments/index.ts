import { defineCondition, z } from '@courtyard/plugin-sdk';
import { doc, RecordId } from '../fields.ts';

export const InSegmentConfig = z.object({ segmentId: RecordId.meta(doc('分群', 'Segment')) });
export type InSegmentConfig = z.infer<typeof InSegmentConfig>;

export const inSegmentCondition = defineCondition({
  id: 'courtyard.in-segment',
  version: '1.0.0',
  title: { 'zh-CN': '分群判断', en: 'In segment' },
  description: { 'zh-CN': '按客户此刻是否属于某个分群分流', en: 'Branches on whether the customer is in the segment now' },
  icon: 'users',
  config: InSegmentConfig,
  scopes: ['segments:read'],
  async run({ items, config, ctx }) {
    const members = await ctx.query.inSegment(
      config.segmentId,
      items.map((item) => item.customer.id),
    );
    return items.map((item) => (members.has(item.customer.id) ? 'yes' : 'no'));
  },
});

export const segmentNodes = [inSegmentCondition];
