import { describe, expect, it, vi } from 'vitest';
import { nextTick } from 'vue';
import { mount, type VueWrapper } from '@vue/test-utils';
import { createI18n } from 'vue-i18n';
import { NInputNumber, NSelect } from 'naive-ui';
import { SegmentDefinition as DefinitionSchema } from '../../../../../prisma/src/segments/definition.ts';
import { validateSegmentDefinition } from '../../../../../prisma/src/segments/validate.ts';
import zhCore from '@/locales/zh-CN';
import zh from '../messages.zh-CN';
import type { SegmentDefinition } from './definition';
import { vocabularyFromSchema } from './vocabulary';
import RuleBuilder from './RuleBuilder.vue';

// The vocabulary comes from the same JSON Schema the API serves as segmentDefinitionSchema.
const vocabulary = vocabularyFromSchema(DefinitionSchema.toJSONSchema({ io: 'input', unrepresentable: 'any' }));
const TAG = 'VGFnOjExMTExMTExLTExMTEtMTExMS0xMTExLTExMTExMTExMTExMQ==';
const SEGMENT = 'U2VnbWVudDoyMjIyMjIyMi0yMjIyLTIyMjItMjIyMi0yMjIyMjIyMjIyMjI=';

const nested = (): SegmentDefinition => ({
  version: 1,
  root: {
    op: 'and',
    conditions: [
      { kind: 'attribute', field: 'city', operator: 'equals', value: '上海' },
      { op: 'not', condition: { kind: 'tags', match: 'any', tagIds: [TAG] } },
      {
        op: 'or',
        conditions: [
          { kind: 'event', type: 'order_paid', where: [{ path: 'coupon.code', operator: 'equals', value: 'VIP50' }], count: { op: 'atLeast', value: 2 }, window: { lastDays: 30 } },
          { kind: 'orders', metric: 'totalSpent', operator: 'gte', value: 50000, window: { lastDays: 90 } },
        ],
      },
      { kind: 'segment', segmentId: SEGMENT, member: false },
    ],
  },
});

// The pickers query the API; here they are plain stand-ins that show what they were given.
const picker = vi.hoisted(() => async () => {
  const { defineComponent, h } = await import('vue');
  return { default: defineComponent({ props: { value: { type: [String, Array], default: null } }, setup: (p) => () => h('span', { class: 'picker' }, JSON.stringify(p.value)) }) };
});
vi.mock('@/components/pickers/TagPicker.vue', picker);
vi.mock('@/components/pickers/SegmentPicker.vue', picker);

function mountBuilder(definition: SegmentDefinition) {
  const emitted: SegmentDefinition[] = [];
  const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': { ...zhCore, segments: zh } }, missingWarn: false, fallbackWarn: false });
  const wrapper: VueWrapper = mount(RuleBuilder, {
    props: {
      definition,
      vocabulary,
      'onUpdate:definition': async (d: SegmentDefinition) => {
        emitted.push(d);
        await wrapper.setProps({ definition: d });
      },
    },
    global: { plugins: [i18n] },
  });
  return { wrapper, emitted, last: () => emitted[emitted.length - 1]! };
}

const accepted = (d: SegmentDefinition) => expect(validateSegmentDefinition(JSON.parse(JSON.stringify(d)))).toMatchObject({ ok: true });

// Mounting Naive UI in happy-dom is slow on a busy machine; the default 5 s is too tight.
describe('segment rule builder', { timeout: 30_000 }, () => {
  it('reads every condition kind and operator from the definition JSON Schema', () => {
    expect(vocabulary.kinds).toEqual(['attribute', 'tags', 'event', 'notPerformedSince', 'orders', 'purchased', 'firstOrderAfterEvent', 'segment', 'channel', 'consent', 'blacklisted', 'randomBucket']);
    expect(vocabulary.enums.event!['count.op']).toEqual(['atLeast', 'atMost', 'exactly']);
    expect(vocabulary.enums.event!['where.operator']).toContain('exists');
    expect(vocabulary.enums.orders!.metric).toEqual(['count', 'totalSpent', 'averageOrderValue', 'lastOrderAt', 'firstOrderAt']);
  });

  it('draws a nested definition: groups, a negation and several condition kinds, with amounts in yuan', () => {
    const { wrapper } = mountBuilder(nested());
    expect(wrapper.findAll('[data-testid="rule-group"]').map((g) => g.attributes('data-path'))).toEqual(['root', 'root.conditions.2']);
    expect(wrapper.findAll('[data-testid="rule-not"]').map((g) => g.attributes('data-path'))).toEqual(['root.conditions.1']);
    expect(wrapper.findAll('[data-testid="rule-condition"]').map((c) => [c.attributes('data-path'), c.attributes('data-kind')])).toEqual([
      ['root.conditions.0', 'attribute'],
      ['root.conditions.1.condition', 'tags'],
      ['root.conditions.2.conditions.0', 'event'],
      ['root.conditions.2.conditions.1', 'orders'],
      ['root.conditions.3', 'segment'],
    ]);
    const text = wrapper.text();
    for (const word of ['客户属性', '不满足', '行为事件', '订单指标', '所在分群', '满足以下任一条件', '不属于']) expect(text).toContain(word);
    expect(wrapper.find('[data-path="root.conditions.0"] [data-testid="rule-value"] input').element).toHaveProperty('value', '上海');
    const amount = wrapper.find('[data-path="root.conditions.2.conditions.1"] [data-testid="rule-value"] input');
    expect(amount.element).toHaveProperty('value', '500.00');
    expect(wrapper.find('[data-path="root.conditions.1.condition"] .picker').text()).toBe(JSON.stringify([TAG]));
  });

  it('edits emit the exact definition the API accepts', async () => {
    const { wrapper, last } = mountBuilder(nested());
    // An amount typed in yuan is stored in fen.
    const orders = wrapper.findAllComponents(NInputNumber).find((c) => c.element.closest('[data-path="root.conditions.2.conditions.1"]') && c.props('precision') === 2)!;
    orders.vm.$emit('update:value', 800);
    await nextTick();
    expect((last().root as any).conditions[2].conditions[1]).toEqual({ kind: 'orders', metric: 'totalSpent', operator: 'gte', value: 80000, window: { lastDays: 90 } });

    // The event's count and its window.
    const counts = wrapper.findAllComponents(NInputNumber).filter((c) => c.attributes('data-testid') === 'rule-count-value');
    counts[0]!.vm.$emit('update:value', 3);
    await nextTick();
    const days = wrapper.findAllComponents(NInputNumber).filter((c) => c.attributes('data-testid') === 'rule-window-days');
    days[0]!.vm.$emit('update:value', 7);
    await nextTick();
    expect((last().root as any).conditions[2].conditions[0]).toEqual({
      kind: 'event', type: 'order_paid', where: [{ path: 'coupon.code', operator: 'equals', value: 'VIP50' }], count: { op: 'atLeast', value: 3 }, window: { lastDays: 7 },
    });

    // The attribute's field: switching to a number field gives it a fitting operator and value.
    const field = wrapper.findAllComponents(NSelect).find((c) => c.attributes('data-testid') === 'rule-attribute-field')!;
    field.vm.$emit('update:value', 'orderCount');
    await nextTick();
    expect((last().root as any).conditions[0]).toEqual({ kind: 'attribute', field: 'orderCount', operator: 'equals', value: 0 });

    // The root becomes "or"; the negation is taken off the tags condition.
    await wrapper.find('[data-path="root"] [data-testid="rule-op-or"] input').setValue(true);
    await wrapper.find('[data-testid="rule-unnegate"]').trigger('click');
    expect(last().root).toMatchObject({ op: 'or' });
    expect((last().root as any).conditions[1]).toEqual({ kind: 'tags', match: 'any', tagIds: [TAG] });
    accepted(last());
  });

  it('adds and removes conditions and groups, and negates a condition', async () => {
    const { wrapper, last } = mountBuilder(nested());
    const rootFoot = () => wrapper.findAll('[data-testid="rule-add-condition"]');
    await rootFoot()[1]!.trigger('click'); // the root group's button (the nested group's comes first in the DOM)
    expect((last().root as any).conditions).toHaveLength(5);
    expect((last().root as any).conditions[4]).toEqual({ kind: 'tags', match: 'any', tagIds: [] });

    await wrapper.findAll('[data-testid="rule-add-group"]').at(-1)!.trigger('click');
    expect((last().root as any).conditions[5]).toEqual({ op: 'or', conditions: [{ kind: 'tags', match: 'any', tagIds: [] }] });
    expect(wrapper.findAll('[data-testid="rule-group"]')).toHaveLength(3);

    // Removing the only condition of a nested group removes the group.
    await wrapper.find('[data-path="root.conditions.5.conditions.0"] [data-testid="rule-remove"]').trigger('click');
    expect((last().root as any).conditions).toHaveLength(5);
    await wrapper.find('[data-path="root.conditions.4"] [data-testid="rule-remove"]').trigger('click');
    expect(last()).toEqual(nested());

    // Negating wraps a condition in { op: 'not' }.
    await wrapper.find('[data-path="root.conditions.3"] [data-testid="rule-negate"]').trigger('click');
    expect((last().root as any).conditions[3]).toEqual({ op: 'not', condition: { kind: 'segment', segmentId: SEGMENT, member: false } });
    // A nested group is negated as a whole.
    await wrapper.find('[data-path="root.conditions.2"] [data-testid="rule-group-negate"]').trigger('click');
    expect((last().root as any).conditions[2]).toEqual({ op: 'not', condition: (nested().root as any).conditions[2] });
    accepted(last());
  });

  it('a definition round-trips unchanged: drawing emits nothing, and undoing edits gives the same JSON back', async () => {
    const { wrapper, emitted, last } = mountBuilder(nested());
    await nextTick();
    expect(emitted).toHaveLength(0);
    await wrapper.find('[data-path="root"] [data-testid="rule-op-or"] input').setValue(true);
    await wrapper.find('[data-path="root.conditions.0"] [data-testid="rule-negate"]').trigger('click');
    await wrapper.find('[data-path="root"] [data-testid="rule-op-and"] input').setValue(true);
    await wrapper.find('[data-path="root.conditions.0"] [data-testid="rule-unnegate"]').trigger('click');
    expect(JSON.stringify(last())).toBe(JSON.stringify(nested()));
  });

  it('a single-condition root grows into an "and" group, and the API messages show on the condition they name', async () => {
    const { wrapper, last } = mountBuilder({ version: 1, root: { kind: 'consent', value: true } });
    await wrapper.setProps({ errors: { 'root.value': 'must be true or false' } });
    expect(wrapper.find('[data-testid="rule-error"]').text()).toBe('must be true or false');
    await wrapper.find('[data-testid="rule-add-condition"]').trigger('click');
    expect(last()).toEqual({ version: 1, root: { op: 'and', conditions: [{ kind: 'consent', value: true }, { kind: 'tags', match: 'any', tagIds: [] }] } });
    // The commonest explanations are shown in the marketer's language, on the condition they name.
    await wrapper.setProps({ errors: { 'root.conditions.1.tagIds': 'name at least one tag' } });
    expect(wrapper.find('[data-path="root.conditions.0"] [data-testid="rule-error"]').exists()).toBe(false);
    expect(wrapper.find('[data-path="root.conditions.1"] [data-testid="rule-error"]').text()).toBe('请至少选择一个标签');
  });
});
