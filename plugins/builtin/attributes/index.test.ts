import { describe, expect, it } from 'vitest';
import { configIssues, runNode } from '../testing.ts';
import { attributeCondition, updateAttributesAction } from './index.ts';

// 2024-06-03 10:00 in Asia/Shanghai.
const NOW = '2024-06-03T02:00:00.000Z';

async function ports(config: unknown, customers: Parameters<typeof runNode>[2]) {
  const { results } = await runNode(attributeCondition, config, customers, { now: NOW });
  return results.map((r) => (r.kind === 'next' ? r.port : r.kind));
}

describe('attribute condition', () => {
  it('a customer whose city equals the value takes yes, others no', async () => {
    expect(await ports({ field: 'city', operator: 'equals', value: '上海' }, [{ id: 'a', city: '上海' }, { id: 'b', city: '北京' }])).toEqual(['yes', 'no']);
  });

  it('notEquals counts an unset field as different', async () => {
    expect(await ports({ field: 'city', operator: 'notEquals', value: '上海' }, [{ id: 'a' }, { id: 'b', city: '上海' }])).toEqual(['yes', 'no']);
  });

  it('compares custom attributes named attributes.<key>', async () => {
    const customers = [{ id: 'a', attributes: { vipLevel: 3 } }, { id: 'b', attributes: { vipLevel: 1 } }, { id: 'c' }];
    expect(await ports({ field: 'attributes.vipLevel', operator: 'gte', value: 2 }, customers)).toEqual(['yes', 'no', 'no']);
  });

  it('numbers stored as text still compare as numbers', async () => {
    expect(await ports({ field: 'attributes.points', operator: 'gt', value: 100 }, [{ id: 'a', attributes: { points: '250' } }])).toEqual(['yes']);
  });

  it('in matches any listed value', async () => {
    const customers = [{ id: 'a', lifecycleStage: 'lead' }, { id: 'b', lifecycleStage: 'churned' }];
    expect(await ports({ field: 'lifecycleStage', operator: 'in', value: ['lead', 'customer'] }, customers)).toEqual(['yes', 'no']);
  });

  it('contains looks inside text and inside lists', async () => {
    const customers = [{ id: 'a', name: '王小明' }, { id: 'b', attributes: { interests: ['tea', 'skincare'] } }];
    expect(await ports({ field: 'name', operator: 'contains', value: '小明' }, customers)).toEqual(['yes', 'no']);
    expect(await ports({ field: 'attributes.interests', operator: 'contains', value: 'tea' }, customers)).toEqual(['no', 'yes']);
  });

  it('isSet treats null and empty text as not set', async () => {
    const customers = [{ id: 'a', phone: '13800000000' }, { id: 'b', phone: '' }, { id: 'c' }];
    expect(await ports({ field: 'phone', operator: 'isSet' }, customers)).toEqual(['yes', 'no', 'no']);
    expect(await ports({ field: 'phone', operator: 'notSet' }, customers)).toEqual(['no', 'yes', 'yes']);
  });

  it('before and after a calendar date follow the calendar in the workspace time zone', async () => {
    // 2024-05-01 00:30 in Shanghai is still 30 April in UTC.
    const customers = [{ id: 'early', lastOrderAt: '2024-04-30T15:59:00.000Z' }, { id: 'on-the-day', lastOrderAt: '2024-04-30T16:30:00.000Z' }, { id: 'late', lastOrderAt: '2024-05-01T16:00:00.000Z' }];
    expect(await ports({ field: 'lastOrderAt', operator: 'before', value: '2024-05-01' }, customers)).toEqual(['yes', 'no', 'no']);
    expect(await ports({ field: 'lastOrderAt', operator: 'after', value: '2024-05-01' }, customers)).toEqual(['no', 'no', 'yes']);
  });

  it('withinLastDays takes dates from the last N days, not the future', async () => {
    const customers = [{ id: 'recent', lastOrderAt: '2024-05-30T00:00:00.000Z' }, { id: 'old', lastOrderAt: '2024-05-01T00:00:00.000Z' }, { id: 'never' }];
    expect(await ports({ field: 'lastOrderAt', operator: 'withinLastDays', value: 7 }, customers)).toEqual(['yes', 'no', 'no']);
  });

  it('reads no data from the context', async () => {
    const { ctx } = await runNode(attributeCondition, { field: 'city', operator: 'isSet' }, [{ id: 'a' }, { id: 'b' }]);
    expect(ctx.calls).toEqual([]);
  });

  it('an unknown field is rejected on field', () => {
    expect(configIssues(attributeCondition, { field: 'shoeSize', operator: 'isSet' }).map((i) => i.path)).toEqual(['field']);
    expect(configIssues(attributeCondition, { field: 'attributes.', operator: 'isSet' }).map((i) => i.path)).toEqual(['field']);
  });

  it('a value that does not suit the operator is rejected on value', () => {
    expect(configIssues(attributeCondition, { field: 'city', operator: 'equals' }).map((i) => i.path)).toEqual(['value']);
    expect(configIssues(attributeCondition, { field: 'city', operator: 'in', value: 'x' }).map((i) => i.path)).toEqual(['value']);
    expect(configIssues(attributeCondition, { field: 'orderCount', operator: 'gt', value: 'many' }).map((i) => i.path)).toEqual(['value']);
    expect(configIssues(attributeCondition, { field: 'createdAt', operator: 'after', value: 'yesterday' }).map((i) => i.path)).toEqual(['value']);
    expect(configIssues(attributeCondition, { field: 'createdAt', operator: 'withinLastDays', value: 0 }).map((i) => i.path)).toEqual(['value']);
  });
});

describe('update attributes action', () => {
  it('sets and removes attributes for the whole batch in one write', async () => {
    const { results, ctx } = await runNode(updateAttributesAction, { set: { vipLevel: 2, lifecycleStage: 'customer' }, unset: ['coupon'] }, [
      { id: 'a', attributes: { coupon: 'X1' } },
      { id: 'b' },
    ]);
    expect(results).toEqual([{ kind: 'next', port: 'next' }, { kind: 'next', port: 'next' }]);
    expect(ctx.callCount('customers.updateAttributes')).toBe(1);
    expect(ctx.customerById.get('a')).toMatchObject({ attributes: { vipLevel: 2 }, lifecycleStage: 'customer' });
    expect(ctx.customerById.get('b')!.attributes).toEqual({ vipLevel: 2 });
  });

  it('a config that changes nothing is rejected on set', () => {
    expect(configIssues(updateAttributesAction, {}).map((i) => i.path)).toEqual(['set']);
  });

  it('setting null is rejected on that key, pointing at unset', () => {
    const issues = configIssues(updateAttributesAction, { set: { vipLevel: null } });
    expect(issues.map((i) => i.path)).toEqual(['set.vipLevel']);
    expect(issues[0]!.message).toMatch(/unset/);
  });

  it('a key both set and unset is rejected on its unset entry', () => {
    expect(configIssues(updateAttributesAction, { set: { a: 1 }, unset: ['b', 'a'] }).map((i) => i.path)).toEqual(['unset.1']);
  });

  it('city must be text', () => {
    expect(configIssues(updateAttributesAction, { set: { city: 42 } }).map((i) => i.path)).toEqual(['set.city']);
  });
});
