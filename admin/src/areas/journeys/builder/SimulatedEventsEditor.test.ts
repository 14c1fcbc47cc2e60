import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { defineComponent, h, ref } from 'vue';
import { i18n } from '@/i18n';
import SimulatedEventsEditor from './SimulatedEventsEditor.vue';
import type { EventDraft } from './simulated-events';

function mountEditor(showErrors = false) {
  i18n.global.locale.value = 'zh-CN';
  const value = ref<EventDraft[]>([]);
  const Host = defineComponent({ setup: () => () => h(SimulatedEventsEditor, { modelValue: value.value, showErrors, 'onUpdate:modelValue': (v: EventDraft[]) => (value.value = v) }) });
  const wrapper = mount(Host, { global: { plugins: [i18n] }, attachTo: document.body });
  return { wrapper, value };
}

describe('SimulatedEventsEditor', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => unmount?.());

  it('adds events with a type, JSON properties and an offset, and lists them', async () => {
    const { wrapper, value } = mountEditor();
    unmount = () => wrapper.unmount();
    expect(wrapper.text()).toContain('不添加事件时');
    await wrapper.find('[data-testid="simulate-add-event"]').trigger('click');
    await wrapper.find('[data-testid="simulate-event-type"] input').setValue('order.paid');
    await wrapper.find('[data-testid="simulate-event-properties"] textarea').setValue('{"sku": "A1"}');
    expect(value.value).toEqual([{ type: 'order.paid', properties: '{"sku": "A1"}', when: 'offset', amount: 1, unit: 'hours', at: null }]);
    await wrapper.find('[data-testid="simulate-add-event"]').trigger('click');
    expect(wrapper.find('[data-testid="simulate-event-0"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="simulate-event-1"]').exists()).toBe(true);
    expect(value.value).toHaveLength(2);
  });

  it('says at once when the properties are not JSON, and names a missing type once the run was tried', async () => {
    const { wrapper } = mountEditor(true);
    unmount = () => wrapper.unmount();
    await wrapper.find('[data-testid="simulate-add-event"]').trigger('click');
    await wrapper.find('[data-testid="simulate-event-properties"] textarea').setValue('{sku: A1}');
    expect(wrapper.find('[data-testid="simulate-event-error"]').text()).toBe('不是有效的 JSON');
    expect(wrapper.text()).toContain('请填写事件类型');
  });
});
