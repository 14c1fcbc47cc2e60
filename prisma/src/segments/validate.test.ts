import { describe, expect, it } from 'vitest';
import type { SegmentNode } from './definition.ts';
import { conditionsOf, validateSegmentDefinition, type DefinitionIssue } from './validate.ts';

/** The issues of a definition that must be rejected. */
function issuesOf(input: unknown): DefinitionIssue[] {
  const result = validateSegmentDefinition(input);
  if (result.ok) throw new Error(`expected ${JSON.stringify(input)} to be rejected`);
  return result.issues;
}

/** The issues of a definition whose root is an and-group of these conditions. */
const issuesIn = (...conditions: unknown[]) => issuesOf({ version: 1, root: { op: 'and', conditions } });
const city = { kind: 'attribute', field: 'city', operator: 'equals', value: 'Shanghai' };

describe('validateSegmentDefinition: issues point at the failing condition', () => {
  it('an operator that does not fit the field: city gt 5 at root.conditions.1.operator', () => {
    expect(issuesIn(city, { kind: 'attribute', field: 'city', operator: 'gt', value: 5 })).toEqual([
      { path: ['root', 'conditions', '1', 'operator'], message: expect.stringMatching(/^city cannot be compared with gt; use one of equals, /) },
    ]);
    expect(issuesIn({ kind: 'orders', metric: 'lastOrderAt', operator: 'gt', value: 3 })).toEqual([
      { path: ['root', 'conditions', '0', 'operator'], message: expect.stringContaining('lastOrderAt cannot be compared with gt') },
    ]);
    expect(issuesIn({ kind: 'attribute', field: 'gender', operator: 'contains', value: 'ma' })[0]!.path).toEqual(['root', 'conditions', '0', 'operator']);
  });

  it('an unknown condition kind, at its kind', () => {
    expect(issuesIn(city, city, { kind: 'astrology', sign: 'leo' })).toEqual([
      { path: ['root', 'conditions', '2', 'kind'], message: expect.stringContaining("Expected 'attribute' | 'tags'") },
    ]);
  });

  it('an unknown field: of a condition, of a group, of the definition', () => {
    expect(issuesIn({ ...city, colour: 'red' })).toEqual([{ path: ['root', 'conditions', '0'], message: 'unknown field(s): colour' }]);
    expect(issuesOf({ root: { op: 'and', conditions: [city], extra: 1 } })).toEqual([{ path: ['root'], message: 'unknown field(s): extra' }]);
    expect(issuesOf({ version: 1, root: city, name: 'x' })).toEqual([{ path: ['name'], message: 'unknown field' }]);
    expect(issuesIn({ kind: 'attribute', field: 'shoeSize', operator: 'equals', value: 42 })).toEqual([
      { path: ['root', 'conditions', '0', 'field'], message: expect.stringContaining('attributes.<key>') },
    ]);
    expect(issuesIn({ kind: 'attribute', field: 'attributes.bad-key', operator: 'isSet' })[0]!.path).toEqual(['root', 'conditions', '0', 'field']);
  });

  it('operands of the wrong type, at their value', () => {
    const at = (...conditions: unknown[]) => issuesIn(...conditions).map((i) => [i.path.join('.'), i.message]);
    expect(at({ kind: 'attribute', field: 'orderCount', operator: 'gt', value: '5' })).toEqual([['root.conditions.0.value', 'gt needs a number']]);
    expect(at({ kind: 'attribute', field: 'marketingConsent', operator: 'equals', value: 'yes' })).toEqual([['root.conditions.0.value', 'marketingConsent is true or false']]);
    expect(at({ kind: 'attribute', field: 'city', operator: 'in', value: 'Shanghai' })).toEqual([['root.conditions.0.value', 'in needs a list of values']]);
    expect(at({ kind: 'attribute', field: 'city', operator: 'equals', value: ['a', 'b'] })).toEqual([['root.conditions.0.value', 'equals needs one value']]);
    expect(at({ kind: 'attribute', field: 'city', operator: 'in', value: ['Shanghai', 3] })).toEqual([['root.conditions.0.value', 'city in needs text']]);
    expect(at({ kind: 'attribute', field: 'totalSpent', operator: 'between', value: [1] })).toEqual([['root.conditions.0.value', 'between needs [low, high]']]);
    expect(at({ kind: 'attribute', field: 'birthday', operator: 'before', value: 'last spring' })).toEqual([['root.conditions.0.value', expect.stringContaining('before needs an ISO date')]]);
    expect(at({ kind: 'attribute', field: 'createdAt', operator: 'withinLastDays', value: 0 })).toEqual([['root.conditions.0.value', expect.stringContaining('from 1 to 3650')]]);
    expect(at({ kind: 'attribute', field: 'attributes.note', operator: 'contains', value: 7 })).toEqual([['root.conditions.0.value', 'attributes.note contains needs text']]);
    expect(at({ kind: 'orders', metric: 'count', operator: 'gte', value: '2026-01-01T00:00:00Z' })).toEqual([['root.conditions.0.value', 'gte needs a number']]);
    expect(at({ kind: 'event', type: 'view', where: [{ path: 'sku', operator: 'equals', value: 'A' }, { path: 'price', operator: 'gt', value: 'cheap' }] })).toEqual([
      ['root.conditions.0.where.1.value', 'gt needs a number'],
    ]);
    expect(at({ kind: 'event', type: 'view', where: [{ path: 'coupon..code', operator: 'exists' }] })).toEqual([['root.conditions.0.where.0.path', expect.stringContaining('dot path')]]);
    expect(at({ kind: 'tags', match: 'any', tagIds: [] })).toEqual([['root.conditions.0.tagIds', 'name at least one tag']]);
  });

  it('an enum value the field does not have', () => {
    expect(issuesIn(city, { kind: 'attribute', field: 'lifecycleStage', operator: 'in', value: ['vip', 'whale'] })).toEqual([
      { path: ['root', 'conditions', '1', 'value'], message: 'lifecycleStage is one of lead, prospect, customer, repeat, vip, churned' },
    ]);
    expect(issuesIn({ kind: 'attribute', field: 'gender', operator: 'equals', value: 'robot' })[0]!.path).toEqual(['root', 'conditions', '0', 'value']);
    expect(issuesIn({ kind: 'tags', match: 'most', tagIds: ['x'] })[0]!.path).toEqual(['root', 'conditions', '0', 'match']);
  });

  it('isSet and isNotSet take no value', () => {
    expect(issuesIn({ kind: 'attribute', field: 'email', operator: 'isSet', value: 'x' })).toEqual([{ path: ['root', 'conditions', '0', 'value'], message: 'isSet takes no value' }]);
    expect(issuesIn({ kind: 'event', type: 'view', where: [{ path: 'sku', operator: 'exists', value: true }] })).toEqual([
      { path: ['root', 'conditions', '0', 'where', '0', 'value'], message: 'exists takes no value' },
    ]);
  });

  it('windows out of range (lastDays 0 or 4000) and to before from, at the window', () => {
    expect(issuesIn({ kind: 'event', type: 'view', window: { lastDays: 0 } })).toEqual([{ path: ['root', 'conditions', '0', 'window', 'lastDays'], message: 'must be at least 1 day' }]);
    expect(issuesIn({ kind: 'orders', metric: 'count', operator: 'gt', value: 1, window: { lastDays: 4000 } })).toEqual([
      { path: ['root', 'conditions', '0', 'window', 'lastDays'], message: 'must be at most 3650 days (10 years)' },
    ]);
    expect(issuesIn({ kind: 'notPerformedSince', type: 'view', since: { lastDays: 0 } })[0]!.path).toEqual(['root', 'conditions', '0', 'since', 'lastDays']);
    expect(issuesIn({ kind: 'firstOrderAfterEvent', eventType: 'friend_added', withinDays: 4000 })[0]!.path).toEqual(['root', 'conditions', '0', 'withinDays']);
    expect(issuesIn({ kind: 'purchased', by: 'sku', values: ['A'], window: { from: '2026-02-01T00:00:00+08:00', to: '2026-01-01T00:00:00+08:00' } })).toEqual([
      { path: ['root', 'conditions', '0', 'window', 'to'], message: 'must be after from' },
    ]);
    expect(issuesIn({ kind: 'event', type: 'view', window: { from: 'yesterday' } })[0]!.path).toEqual(['root', 'conditions', '0', 'window', 'from']);
    expect(issuesIn({ kind: 'orders', metric: 'firstOrderAt', operator: 'withinLastDays', value: 30, window: { lastDays: 30 } })).toEqual([
      { path: ['root', 'conditions', '0', 'window'], message: 'firstOrderAt takes no window' },
    ]);
    expect(issuesIn({ kind: 'randomBucket', from: 50, to: 10 })).toEqual([{ path: ['root', 'conditions', '0', 'to'], message: 'from must be below to' }]);
  });

  it('groups nest at most 8 deep', () => {
    const nest = (depth: number): unknown => (depth === 0 ? city : { op: 'not', condition: nest(depth - 1) });
    expect(validateSegmentDefinition({ root: nest(8) }).ok).toBe(true);
    expect(issuesOf({ root: nest(9) })).toEqual([{ path: ['root', ...Array<string>(9).fill('condition')], message: 'groups nest at most 8 deep' }]);
  });

  it('a segment has at most 100 conditions, and a group at most 50', () => {
    const group = (n: number) => ({ op: 'or', conditions: Array.from({ length: n }, () => city) });
    expect(validateSegmentDefinition({ root: { op: 'and', conditions: [group(50), group(50)] } }).ok).toBe(true);
    expect(issuesOf({ root: { op: 'and', conditions: [group(50), group(50), city] } })).toEqual([{ path: ['root', 'conditions', '2'], message: 'a segment has at most 100 conditions' }]);
    expect(issuesOf({ root: group(51) })).toEqual([{ path: ['root', 'conditions'], message: expect.any(String) }]);
    expect(issuesOf({ root: { op: 'or', conditions: [] } })).toEqual([{ path: ['root', 'conditions'], message: 'a group needs at least one condition' }]);
  });

  it('reports every failing condition, and rejects a missing root, a wrong version and a non-object', () => {
    expect(issuesIn({ kind: 'consent', value: 'yes' }, city, { kind: 'channel', channels: [] }).map((i) => i.path.join('.'))).toEqual([
      'root.conditions.0.value',
      'root.conditions.2.channels',
    ]);
    expect(issuesOf({ version: 2 })).toEqual([
      { path: ['version'], message: 'must be 1' },
      { path: ['root'], message: expect.stringContaining('is required') },
    ]);
    expect(issuesOf([city])).toEqual([{ path: [], message: expect.any(String) }]);
    expect(issuesOf({ root: 'city = Shanghai' })).toEqual([{ path: ['root'], message: expect.stringContaining('must be a condition object or a group') }]);
    expect(issuesOf({ root: { op: 'xor', conditions: [city] } })[0]!.path).toEqual(['root', 'op']);
  });
});

describe('validateSegmentDefinition: valid definitions', () => {
  const complex: SegmentNode = {
    op: 'and',
    conditions: [
      { kind: 'attribute', field: 'city', operator: 'in', value: ['Shanghai', 'Hangzhou'] },
      { kind: 'attribute', field: 'attributes.tier', operator: 'isSet' },
      { kind: 'attribute', field: 'birthday', operator: 'between', value: ['1990-01-01', '2000-01-01'] },
      { kind: 'tags', match: 'all', tagIds: ['VGFnOjExMTExMTExLTExMTEtMTExMS0xMTExLTExMTExMTExMTExMQ=='] },
      { kind: 'event', type: 'view_product', where: [{ path: 'coupon.code', operator: 'exists' }], count: { op: 'atLeast', value: 3 }, window: { lastDays: 30 } },
      { kind: 'notPerformedSince', type: 'purchase', since: { date: '2026-11-11T00:00:00+08:00' } },
      {
        op: 'or',
        conditions: [
          { kind: 'orders', metric: 'totalSpent', operator: 'between', value: [10_000, 500_000], window: { from: '2026-01-01T00:00:00+08:00', to: '2026-07-01T00:00:00+08:00' } },
          { kind: 'purchased', by: 'category', values: ['oolong'], window: { lastDays: 90 } },
          { kind: 'firstOrderAfterEvent', eventType: 'friend_added', withinDays: 7 },
        ],
      },
      { op: 'not', condition: { kind: 'segment', segmentId: '22222222-2222-2222-2222-222222222222', member: true } },
      { kind: 'channel', channels: ['wecom'] },
      { kind: 'consent', value: true },
      { kind: 'blacklisted', value: false },
      { kind: 'randomBucket', salt: 'spring', from: 0, to: 90 },
    ],
  };

  it('a complex definition validates, and round-trips through JSON unchanged', () => {
    const first = validateSegmentDefinition({ version: 1, root: complex });
    expect(first).toEqual({ ok: true, definition: { version: 1, root: complex } });
    const again = validateSegmentDefinition(JSON.parse(JSON.stringify(first.ok && first.definition)));
    expect(again).toEqual(first);
    expect(conditionsOf(complex)).toHaveLength(14);
  });

  it('version defaults to the current one', () => {
    expect(validateSegmentDefinition({ root: city })).toEqual({ ok: true, definition: { version: 1, root: city } });
  });
});
