import { describe, expect, it } from 'vitest';
import { flushPromises, mount } from '@vue/test-utils';
import urql, { Client } from '@urql/vue';
import { i18n } from '@/i18n';
import SchemaForm from './SchemaForm.vue';
import { defaultValue, enumLabels, fieldKind, labelOf } from './schema';
import type { JsonSchema } from './types';
import { validateValue } from './validate';

const doc = (zh: string, en: string) => ({ description: zh, 'x-description-en': en });
const schema: JsonSchema = {
  type: 'object',
  properties: {
    eventType: { type: 'string', minLength: 1, ...doc('事件类型，如 order.paid', 'Event type, e.g. order.paid') },
    count: { type: 'integer', minimum: 0, maximum: 100, default: 1, ...doc('次数', 'Times') },
    marketing: { type: 'boolean', default: true, ...doc('营销消息', 'Marketing message') },
    match: { type: 'string', enum: ['any', 'all', 'none'], default: 'any', ...doc('带有其中任一、全部带有，或一个都不带', 'Has any of them, all of them, or none of them') },
    url: { type: 'string', format: 'uri', ...doc('接收地址', 'Address') },
    platforms: { type: 'array', items: { type: 'string' }, default: [], ...doc('平台', 'Platforms') },
    weekdays: { type: 'array', items: { type: 'string', enum: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] }, ...doc('星期', 'Weekdays') },
    windows: {
      type: 'array', minItems: 1,
      items: { type: 'object', properties: { start: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', ...doc('开始时间（HH:mm）', 'Start') }, end: { type: 'string', pattern: '^([01]\\d|2[0-3]):[0-5]\\d$', ...doc('结束时间', 'End') } }, required: ['start', 'end'] },
      ...doc('时间段', 'Time windows'),
    },
    duration: { type: 'object', properties: { amount: { type: 'integer', minimum: 0 }, unit: { type: 'string', enum: ['minutes', 'hours', 'days'] } }, required: ['amount', 'unit'], ...doc('等待时长', 'How long') },
    body: { type: 'string', minLength: 1, ...doc('消息内容，可用 {{customer.name}} 等变量', 'Message text') },
    links: { type: 'object', additionalProperties: { type: 'string', format: 'uri' }, ...doc('链接', 'Links') },
    owner: { type: 'object', properties: { name: { type: 'string', ...doc('姓名', 'Name') }, city: { type: 'string', ...doc('城市', 'City') } }, ...doc('负责人', 'Owner') },
    window: {
      oneOf: [
        { type: 'object', properties: { kind: { type: 'string', const: 'lastDays', ...doc('最近 N 天内', 'Within the last N days') }, days: { type: 'integer', minimum: 1, ...doc('天数', 'Days') } }, required: ['kind', 'days'] },
        { type: 'object', properties: { kind: { type: 'string', const: 'sinceEnrollment', ...doc('自进入旅程以来', 'Since entering') } }, required: ['kind'] },
      ],
      default: { kind: 'sinceEnrollment' },
      ...doc('统计的时间范围', 'Which period'),
    },
  },
  required: ['eventType', 'windows', 'duration', 'body'],
};

function mountForm(props: Record<string, unknown>) {
  i18n.global.locale.value = 'zh-CN';
  return mount(SchemaForm, {
    props: { schema, value: defaultValue(schema) as Record<string, unknown>, templateVariables: [{ name: 'customer.name', hint: '客户姓名' }], ...props },
    global: { plugins: [i18n, [urql, new Client({ url: 'http://localhost/graphql', exchanges: [] })]] },
    attachTo: document.body,
  });
}

describe('schema-driven form', () => {
  it('renders a control for each field kind, labelled from the Chinese description', () => {
    const w = mountForm({});
    const field = (path: string) => w.find(`[data-testid="field-${path}"]`);
    expect(field('eventType').text()).toContain('事件类型');
    expect(field('eventType').find('input').exists()).toBe(true);
    expect(field('count').find('.n-input-number').exists()).toBe(true);
    expect(field('marketing').find('.n-switch').exists()).toBe(true);
    expect(field('match').text()).toContain('全部带有');
    expect(field('platforms').find('.n-dynamic-tags').exists()).toBe(true);
    expect(field('weekdays').text()).toContain('周一');
    expect(w.find('[data-testid="list-item-windows-0"]').exists()).toBe(true);
    expect(field('windows.0.start').find('.n-time-picker').exists()).toBe(true);
    expect(field('duration').find('[data-testid="duration-unit"]').exists()).toBe(true);
    expect(field('body').find('[data-testid="template-variables"]').text()).toContain('客户姓名');
    expect(field('owner.city').exists()).toBe(true);
    expect(field('window').text()).toContain('最近 N 天内');
    w.unmount();
  });

  it('emits the typed value: numbers as numbers, booleans, chosen variants, inserted template variables', async () => {
    const w = mountForm({});
    const last = () => w.emitted('update:value')!.at(-1)![0] as Record<string, unknown>;
    await w.find('[data-testid="field-eventType"] input').setValue('order.paid');
    expect(last().eventType).toBe('order.paid');
    await w.find('[data-testid="field-marketing"] .n-switch').trigger('click');
    expect(last().marketing).toBe(false);
    const count = w.find('[data-testid="field-count"] input');
    await count.setValue('7');
    await count.trigger('blur');
    expect(last().count).toBe(7);
    await w.findAll('[data-testid="field-window"] input[type="radio"]')[0]!.setValue(true);
    expect(last().window).toEqual({ kind: 'lastDays' });
    await w.find('[data-testid="template-variables"] .n-tag').trigger('click');
    expect(last().body).toBe('{{customer.name}}');
    w.unmount();
  });

  it('shows required and format problems next to their fields, and errors given by path', async () => {
    const w = mountForm({ showAllErrors: true, value: { url: 'not a link', windows: [{ start: '25:00', end: '10:00' }] }, errors: { 'duration': 'from the API' } });
    await flushPromises();
    const feedback = (path: string) => w.find(`[data-testid="field-${path}"] .n-form-item-feedback`).text();
    expect(feedback('eventType')).toBe('必填');
    expect(feedback('body')).toBe('必填');
    expect(feedback('url')).toContain('https://');
    expect(feedback('windows.0.start')).toContain('HH:mm');
    expect(feedback('duration')).toBe('必填');
    w.unmount();
    const quiet = mountForm({ value: {} });
    expect(quiet.find('[data-testid="field-eventType"] .n-form-item-feedback').exists()).toBe(false);
    quiet.unmount();
  });
});

describe('reading a schema', () => {
  it('labels enum values from a description that lists them, in either language', () => {
    const unit = { type: 'string', enum: ['minutes', 'hours', 'days'], ...doc('单位：分钟、小时或天', 'Unit: minutes, hours or days') };
    expect(enumLabels(unit, 'zh-CN')).toEqual(['分钟', '小时', '天']);
    expect(enumLabels(unit, 'en')).toEqual(['minutes', 'hours', 'days']);
    expect(enumLabels({ enum: ['a', 'b'], description: '随便说说' }, 'zh-CN')).toBeNull();
    expect(labelOf(schema.properties!.eventType!, 'eventType', 'en')).toBe('Event type');
  });

  it('knows record references, durations and nullable segments by shape and name', () => {
    expect(fieldKind({ type: 'array', items: { type: 'string' } }, 'tagIds')).toBe('tags');
    expect(fieldKind({ type: 'string' }, 'segmentId')).toBe('segment');
    expect(fieldKind(schema.properties!.duration!, 'duration')).toBe('duration');
    expect(fieldKind({ type: 'string' }, 'staffIds', ['staffIds'])).toBe('picker');
  });

  it('validates types, bounds and nested required fields by path', () => {
    const problems = validateValue(schema, { eventType: 'x', count: 500, windows: [{ start: '09:00' }], duration: { amount: 1, unit: 'weeks' }, body: 'hi' });
    expect(problems.map((p) => `${p.path}:${p.code}`)).toEqual(['count:maximum', 'windows.0.end:required', 'duration.unit:enum']);
    expect(validateValue(schema, { eventType: 'x', windows: [{ start: '09:00', end: '10:00' }], duration: { amount: 1, unit: 'days' }, body: 'hi' })).toEqual([]);
  });
});
