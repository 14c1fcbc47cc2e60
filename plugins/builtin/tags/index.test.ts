import { describe, expect, it } from 'vitest';
import { configIssues, runNode } from '../testing.ts';
import { addTagsAction, hasTagsCondition, removeTagsAction } from './index.ts';

const customers = [
  { id: 'both', tagIds: ['vip', 'tea'] },
  { id: 'one', tagIds: ['tea'] },
  { id: 'none', tagIds: ['other'] },
];

async function ports(match: string) {
  const { results } = await runNode(hasTagsCondition, { tagIds: ['vip', 'tea'], match }, customers);
  return results.map((r) => (r.kind === 'next' ? r.port : r.kind));
}

describe('has tags condition', () => {
  it('any: a customer with one of the tags takes yes', async () => {
    expect(await ports('any')).toEqual(['yes', 'yes', 'no']);
  });

  it('all: only a customer with every tag takes yes', async () => {
    expect(await ports('all')).toEqual(['yes', 'no', 'no']);
  });

  it('none: a customer with none of the tags takes yes', async () => {
    expect(await ports('none')).toEqual(['no', 'no', 'yes']);
  });

  it('an empty tag list is rejected on tagIds', () => {
    expect(configIssues(hasTagsCondition, { tagIds: [] }).map((i) => i.path)).toEqual(['tagIds']);
  });

  it('an empty tag id is rejected on its position', () => {
    expect(configIssues(hasTagsCondition, { tagIds: ['vip', ''] }).map((i) => i.path)).toEqual(['tagIds.1']);
  });
});

describe('add tags action', () => {
  it('adds only the missing tags, for the whole batch in one call', async () => {
    const { results, ctx } = await runNode(addTagsAction, { tagIds: ['vip', 'tea'] }, customers);
    expect(results.every((r) => r.kind === 'next' && r.port === 'next')).toBe(true);
    expect(ctx.callCount('customers.addTags')).toBe(1);
    expect(ctx.calls[0]!.args[0]).toEqual([
      { customerId: 'one', tagIds: ['vip'] },
      { customerId: 'none', tagIds: ['vip', 'tea'] },
    ]);
    expect(ctx.customerById.get('none')!.tagIds).toEqual(['other', 'vip', 'tea']);
  });

  it('writes nothing when everyone already has the tags', async () => {
    const { ctx } = await runNode(addTagsAction, { tagIds: ['tea'] }, customers.slice(0, 2));
    expect(ctx.calls).toEqual([]);
  });

  it('a tag picked twice is rejected on tagIds', () => {
    expect(configIssues(addTagsAction, { tagIds: ['vip', 'vip'] }).map((i) => i.path)).toEqual(['tagIds']);
  });
});

describe('remove tags action', () => {
  it('removes the tags customers carry, in one call', async () => {
    const { ctx } = await runNode(removeTagsAction, { tagIds: ['tea'] }, customers);
    expect(ctx.callCount('customers.removeTags')).toBe(1);
    expect(ctx.calls[0]!.args[0]).toEqual([
      { customerId: 'both', tagIds: ['tea'] },
      { customerId: 'one', tagIds: ['tea'] },
    ]);
    expect(ctx.customerById.get('both')!.tagIds).toEqual(['vip']);
  });
});
