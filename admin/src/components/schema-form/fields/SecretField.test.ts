import { describe, expect, it } from 'vitest';
import { mount, type VueWrapper } from '@vue/test-utils';
import { i18n } from '@/i18n';
import SchemaForm from '../SchemaForm.vue';
import { SECRET_PLACEHOLDER, fieldKind } from '../schema';
import type { JsonSchema } from '../types';

// What the webhook node's config exports: its signing secret is marked x-secret.
const schema: JsonSchema = {
  type: 'object',
  properties: {
    url: { type: 'string', format: 'uri', description: '接收地址（https）' },
    secret: { type: 'string', minLength: 16, description: '签名密钥', 'x-secret': true },
  },
  required: ['url', 'secret'],
};

function mountForm(value: Record<string, unknown>, locale: 'zh-CN' | 'en' = 'zh-CN') {
  i18n.global.locale.value = locale;
  const w: VueWrapper = mount(SchemaForm, {
    props: { schema, value, showAllErrors: true, 'onUpdate:value': (v: Record<string, unknown>) => w.setProps({ value: v }) },
    global: { plugins: [i18n] },
    attachTo: document.body,
  });
  return w;
}
const last = (w: VueWrapper) => w.emitted('update:value')!.at(-1)![0] as Record<string, unknown>;
const field = (w: VueWrapper) => w.find('[data-testid="field-secret"]');

describe('secret config field', () => {
  it('a stored secret shows as set, never in an input, and passes the form\'s checks', () => {
    expect(fieldKind(schema.properties!.secret!, 'secret')).toBe('secret');
    const w = mountForm({ url: 'https://erp.example.cn/h', secret: SECRET_PLACEHOLDER });
    expect(field(w).find('[data-testid="secret-state"]').text()).toBe('已设置');
    expect(field(w).find('input').exists()).toBe(false);
    expect(field(w).text()).not.toContain(SECRET_PLACEHOLDER);
    expect(field(w).text()).not.toMatch(/至少|必填/);
    w.unmount();
  });

  it('replace types a new value in a password input, keep puts the stored one back, clear removes it', async () => {
    const w = mountForm({ url: 'https://erp.example.cn/h', secret: SECRET_PLACEHOLDER }, 'en');
    await field(w).find('[data-testid="secret-replace"]').trigger('click');
    const input = field(w).find('[data-testid="secret-input"] input');
    expect(input.attributes('type')).toBe('password');
    await input.setValue('whsec_bmV3LXNlY3JldC1uZXctc2VjcmV0');
    expect(last(w).secret).toBe('whsec_bmV3LXNlY3JldC1uZXctc2VjcmV0');
    expect(field(w).find('[data-testid="secret-state"]').text()).toBe('Not set');

    await field(w).find('[data-testid="secret-keep"]').trigger('click');
    expect(last(w).secret).toBe(SECRET_PLACEHOLDER);
    expect(field(w).find('[data-testid="secret-state"]').text()).toBe('Set');

    await field(w).find('[data-testid="secret-clear"]').trigger('click');
    expect(last(w)).not.toHaveProperty('secret');
    expect(field(w).find('[data-testid="secret-state"]').text()).toBe('Not set');
    expect(field(w).text()).toContain('Required');
    w.unmount();
  });

  it('a new node\'s empty secret is typed straight away and checked for length', async () => {
    const w = mountForm({ url: 'https://erp.example.cn/h' });
    expect(field(w).find('[data-testid="secret-state"]').text()).toBe('未设置');
    await field(w).find('[data-testid="secret-input"] input').setValue('short');
    expect(last(w).secret).toBe('short');
    expect(field(w).text()).toContain('至少 16 个字符');
    w.unmount();
  });
});
