import { defineAction, defineCondition, step, z, type JsonObject } from '@courtyard/plugin-sdk';
import { doc } from '../fields.ts';
import { ATTRIBUTE_PREFIX, BUILT_IN_FIELDS, compare, DATE_ONLY, fieldValue } from './compare.ts';

const OPERATORS = ['equals', 'notEquals', 'in', 'contains', 'gt', 'gte', 'lt', 'lte', 'isSet', 'notSet', 'before', 'after', 'withinLastDays'] as const;

function isDateValue(value: unknown): boolean {
  return typeof value === 'string' && (DATE_ONLY.test(value) || !Number.isNaN(Date.parse(value)));
}

export const AttributeConditionConfig = z
  .object({
    field: z
      .string()
      .refine(
        (f) => (BUILT_IN_FIELDS as readonly string[]).includes(f) || (f.startsWith(ATTRIBUTE_PREFIX) && f.length > ATTRIBUTE_PREFIX.length),
        `use a customer field (${BUILT_IN_FIELDS.join(', ')}) or attributes.<key>`,
      )
      .meta(doc('客户字段（如 city、orderCount）或自定义属性 attributes.<键>', 'A customer field (e.g. city, orderCount) or a custom attribute as attributes.<key>')),
    operator: z
      .enum(OPERATORS)
      .meta(
        doc(
          '比较方式：等于、不等于、属于、包含、大于、大于等于、小于、小于等于、已填写、未填写、早于、晚于、最近 N 天内',
          'How to compare: equals, not equals, in, contains, >, >=, <, <=, is set, is not set, before, after, within the last N days',
        ),
      ),
    value: z
      .json()
      .optional()
      .meta(doc('比较的值；“属于”填列表，“早于/晚于”填日期，“最近 N 天内”填天数', 'Value to compare with: a list for "in", a date for before/after, a number of days for "within the last days"')),
  })
  .superRefine((config, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', path: ['value'], message });
    const { operator, value } = config;
    if (operator === 'isSet' || operator === 'notSet') return;
    if (value === undefined) return problem(`give a value to compare with (${operator})`);
    if (operator === 'in' && (!Array.isArray(value) || value.length === 0)) problem('"in" needs a non-empty list of values');
    if (['gt', 'gte', 'lt', 'lte'].includes(operator) && typeof value !== 'number') problem(`"${operator}" needs a number`);
    if ((operator === 'before' || operator === 'after') && !isDateValue(value)) problem(`"${operator}" needs a date such as 2024-05-01 or an ISO date-time`);
    if (operator === 'withinLastDays' && !(typeof value === 'number' && Number.isInteger(value) && value > 0)) problem('"withinLastDays" needs a whole number of days above 0');
  });
export type AttributeConditionConfig = z.infer<typeof AttributeConditionConfig>;

export const attributeCondition = defineCondition({
  id: 'courtyard.attribute-compare',
  version: '1.0.0',
  title: { 'zh-CN': '客户属性判断', en: 'Customer attribute' },
  description: { 'zh-CN': '按客户资料或自定义属性分流，如城市为上海、累计订单数大于 3', en: 'Branches on a profile field or custom attribute, e.g. city is Shanghai or more than 3 orders' },
  icon: 'user-check',
  config: AttributeConditionConfig,
  scopes: ['customers:read'],
  async run({ items, config, ctx }) {
    const now = ctx.now();
    return items.map((item) =>
      compare(fieldValue(item.customer, config.field), config.operator, config.value, now, ctx.workspace.timeZone) ? 'yes' : 'no',
    );
  },
});

/** Built-in fields the update node may write besides custom attributes (what `updateAttributes` accepts). */
const WRITABLE_FIELDS = ['city', 'lifecycleStage'];

const AttributeKey = z.string().trim().min(1, 'give the attribute key');

export const UpdateAttributesConfig = z
  .object({
    set: z
      .record(AttributeKey, z.json())
      .default({})
      .meta(doc('要写入的属性及值，如 {"vipLevel": 2}；city、lifecycleStage 会写入客户资料', 'Attributes to set with their values, e.g. {"vipLevel": 2}; city and lifecycleStage update the profile')),
    unset: z.array(AttributeKey).default([]).meta(doc('要清除的属性', 'Attributes to remove')),
  })
  .superRefine((config, ctx) => {
    const setKeys = Object.keys(config.set);
    if (setKeys.length === 0 && config.unset.length === 0) ctx.addIssue({ code: 'custom', path: ['set'], message: 'set or unset at least one attribute' });
    for (const key of setKeys) {
      const value = config.set[key];
      if (value === null) ctx.addIssue({ code: 'custom', path: ['set', key], message: `to remove ${key}, list it under unset` });
      else if (WRITABLE_FIELDS.includes(key) && typeof value !== 'string') ctx.addIssue({ code: 'custom', path: ['set', key], message: `${key} takes text` });
    }
    config.unset.forEach((key, i) => {
      if (setKeys.includes(key)) ctx.addIssue({ code: 'custom', path: ['unset', i], message: `${key} is both set and unset` });
    });
  });
export type UpdateAttributesConfig = z.infer<typeof UpdateAttributesConfig>;

export const updateAttributesAction = defineAction({
  id: 'courtyard.update-attributes',
  version: '1.0.0',
  title: { 'zh-CN': '更新客户属性', en: 'Update attributes' },
  description: { 'zh-CN': '写入或清除客户的自定义属性、城市、生命周期阶段', en: "Sets or removes a customer's custom attributes, city or lifecycle stage" },
  icon: 'pencil',
  config: UpdateAttributesConfig,
  scopes: ['customers:write'],
  async run({ items, config, ctx }) {
    const set: JsonObject = { ...config.set };
    for (const key of config.unset) set[key] = null;
    await ctx.customers.updateAttributes(items.map((item) => ({ customerId: item.customer.id, set })));
    return items.map(() => step.next('next'));
  },
});

export const attributeNodes = [attributeCondition, updateAttributesAction];
