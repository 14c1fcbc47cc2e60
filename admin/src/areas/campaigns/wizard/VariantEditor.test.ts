import { describe, expect, it } from 'vitest';
import { defineComponent, h, reactive } from 'vue';
import { mount } from '@vue/test-utils';
import { i18n } from '@/i18n';
import { provideWizard, type Wizard } from './context';
import { emptyState } from './state';
import VariantEditor from './VariantEditor.vue';

function mountEditor(errors: Record<string, string> = {}) {
  const state = reactive(emptyState());
  state.variants[0]!.body = '您好，618 券已到账';
  state.links.push({ name: 'coupon', url: 'https://shop.example.com/c' });
  const wizard = { state, errorFor: (f: string) => errors[f], status: (f: string) => (errors[f] ? 'error' : undefined) } as unknown as Wizard;
  const Host = defineComponent({ setup: () => (provideWizard(wizard), () => h(VariantEditor, { index: 0 })) });
  return { state, wrapper: mount(Host, { global: { plugins: [i18n] }, attachTo: document.body }) };
}

describe('variant editor', () => {
  it('inserts a variable where the cursor is, and offers the links that are set', async () => {
    const { state, wrapper } = mountEditor();
    const textarea = wrapper.find('textarea').element as HTMLTextAreaElement;
    textarea.setSelectionRange(0, 0);
    const buttons = wrapper.findAll('.variables button');
    expect(buttons.map((b) => b.text())).toContain('链接：coupon');
    await buttons.find((b) => b.text() === '客户姓名')!.trigger('click');
    expect(state.variants[0]!.body).toBe('{{customer.name}}您好，618 券已到账');
    wrapper.unmount();
  });

  it('shows the API\'s problem next to the body it names', () => {
    const { wrapper } = mountEditor({ 'content.variants.0.body': '{{customer.nmae}} is not a customer field' });
    expect(wrapper.text()).toContain('{{customer.nmae}} is not a customer field');
    wrapper.unmount();
  });
});
