import { describe, expect, it } from 'vitest';
import { nextTick } from 'vue';
import { mount } from '@vue/test-utils';
import { createI18n } from 'vue-i18n';
import zhCore from '@/locales/zh-CN';
import zh from './messages.zh-CN';
import ConsentDialog from './ConsentDialog.vue';

const scopes = [
  { name: 'customers:read', scope: 'CUSTOMERS_READ', description: { zhCN: '读取客户资料', en: 'Read customers' } },
  { name: 'tags:write', scope: 'TAGS_WRITE', description: { zhCN: '给客户打标签', en: 'Tag customers' } },
];

describe('ConsentDialog', () => {
  it('explains each scope and grants exactly them only once every one is ticked', async () => {
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': { ...zhCore, marketplace: zh } } });
    const w = mount(ConsentDialog, { props: { show: true, title: '授权', scopes }, global: { plugins: [i18n] }, attachTo: document.body });
    await nextTick();
    const body = () => document.body;
    expect(body().textContent).toContain('读取客户资料');
    expect(body().textContent).toContain('给客户打标签');
    const grant = () => body().querySelector<HTMLButtonElement>('[data-testid="consent-grant"]')!;
    expect(grant().disabled).toBe(true);

    body().querySelector<HTMLElement>('[data-testid="consent-customers:read"]')!.click();
    await nextTick();
    expect(grant().disabled).toBe(true);
    body().querySelector<HTMLElement>('[data-testid="consent-tags:write"]')!.click();
    await nextTick();
    expect(grant().disabled).toBe(false);
    grant().click();
    expect(w.emitted('grant')).toEqual([[['CUSTOMERS_READ', 'TAGS_WRITE']]]);
    w.unmount();
  });
});
