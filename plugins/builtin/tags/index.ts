import { defineAction, defineCondition, step, z } from '@courtyard/plugin-sdk';
import { doc, RecordId } from '../fields.ts';

const TagIds = z
  .array(RecordId)
  .min(1, 'pick at least one tag')
  .refine((ids) => new Set(ids).size === ids.length, 'a tag is picked twice');

export const HasTagsConfig = z.object({
  tagIds: TagIds.meta(doc('标签', 'Tags')),
  match: z.enum(['any', 'all', 'none']).default('any').meta(doc('带有其中任一、全部带有，或一个都不带', 'Has any of them, all of them, or none of them')),
});
export type HasTagsConfig = z.infer<typeof HasTagsConfig>;

export const hasTagsCondition = defineCondition({
  id: 'courtyard.has-tags',
  version: '1.0.0',
  title: { 'zh-CN': '标签判断', en: 'Has tags' },
  description: { 'zh-CN': '按客户是否带有指定标签分流', en: 'Branches on whether the customer carries the tags' },
  icon: 'tags',
  config: HasTagsConfig,
  scopes: ['tags:read'],
  async run({ items, config }) {
    return items.map(({ customer }) => {
      const has = config.tagIds.filter((id) => customer.tagIds.includes(id)).length;
      const yes = config.match === 'any' ? has > 0 : config.match === 'all' ? has === config.tagIds.length : has === 0;
      return yes ? 'yes' : 'no';
    });
  },
});

export const TagChangeConfig = z.object({ tagIds: TagIds.meta(doc('标签', 'Tags')) });
export type TagChangeConfig = z.infer<typeof TagChangeConfig>;

export const addTagsAction = defineAction({
  id: 'courtyard.add-tags',
  version: '1.0.0',
  title: { 'zh-CN': '打标签', en: 'Add tags' },
  description: { 'zh-CN': '给客户打上指定标签', en: 'Adds the tags to the customer' },
  icon: 'tag',
  config: TagChangeConfig,
  scopes: ['tags:read', 'tags:write'],
  async run({ items, config, ctx }) {
    // Only what is missing, so a customer who already has the tags causes no write.
    const changes = items
      .map((item) => ({ customerId: item.customer.id, tagIds: config.tagIds.filter((id) => !item.customer.tagIds.includes(id)) }))
      .filter((change) => change.tagIds.length > 0);
    if (changes.length > 0) await ctx.customers.addTags(changes);
    return items.map(() => step.next('next'));
  },
});

export const removeTagsAction = defineAction({
  id: 'courtyard.remove-tags',
  version: '1.0.0',
  title: { 'zh-CN': '去标签', en: 'Remove tags' },
  description: { 'zh-CN': '移除客户身上的指定标签', en: 'Removes the tags from the customer' },
  icon: 'tag-off',
  config: TagChangeConfig,
  scopes: ['tags:read', 'tags:write'],
  async run({ items, config, ctx }) {
    const changes = items
      .map((item) => ({ customerId: item.customer.id, tagIds: config.tagIds.filter((id) => item.customer.tagIds.includes(id)) }))
      .filter((change) => change.tagIds.length > 0);
    if (changes.length > 0) await ctx.customers.removeTags(changes);
    return items.map(() => step.next('next'));
  },
});

export const tagNodes = [hasTagsCondition, addTagsAction, removeTagsAction];
