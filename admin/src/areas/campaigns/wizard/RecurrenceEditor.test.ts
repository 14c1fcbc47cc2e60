import { afterEach, describe, expect, it } from 'vitest';
import { mount } from '@vue/test-utils';
import { defineComponent, h, ref } from 'vue';
import { i18n } from '@/i18n';
import RecurrenceEditor from './RecurrenceEditor.vue';
import { defaultRecurrence, type RecurrenceState } from './recurrence';

function mountEditor(initial: Partial<RecurrenceState>, timeZone = 'Asia/Shanghai', error?: string) {
  i18n.global.locale.value = 'zh-CN';
  const value = ref<RecurrenceState>({ ...defaultRecurrence(), ...initial });
  const Host = defineComponent({ setup: () => () => h(RecurrenceEditor, { modelValue: value.value, timeZone, error, 'onUpdate:modelValue': (v: RecurrenceState) => (value.value = v) }) });
  const wrapper = mount(Host, { global: { plugins: [i18n] }, attachTo: document.body });
  const q = (id: string) => wrapper.find(`[data-testid="${id}"]`);
  return { wrapper, value, q };
}

describe('RecurrenceEditor', () => {
  let unmount: (() => void) | undefined;
  afterEach(() => unmount?.());

  it('shows the daily schedule in words with its next three runs in the workspace time zone', async () => {
    const { wrapper, q } = mountEditor({ mode: 'daily', time: '10:00' });
    unmount = () => wrapper.unmount();
    expect(q('recurrence-words').text()).toContain('每天 10:00');
    expect(q('recurrence-words').text()).toContain('0 10 * * *');
    const runs = wrapper.findAll('[data-testid="recurrence-occurrence"]');
    expect(runs).toHaveLength(3);
    for (const r of runs) expect(r.text()).toContain('10:00');
    expect(q('recurrence-next').text()).toContain('Asia/Shanghai');
  });

  it('switching to the advanced field starts from the builder, and a wrong expression is refused next to the field with no runs shown', async () => {
    const { wrapper, value, q } = mountEditor({ mode: 'weekly', time: '20:00', weekdays: [6, 7] });
    unmount = () => wrapper.unmount();
    await q('recurrence-cron-mode').find('input').setValue(true);
    expect(value.value).toMatchObject({ mode: 'cron', cron: '0 20 * * 0,6' });
    await q('recurrence-cron').find('input').setValue('0 10 * *');
    expect(q('recurrence-error').text()).toBe('需要五段：分 时 日 月 周，如 0 10 * * *');
    expect(q('recurrence-next').exists()).toBe(false);
    await q('recurrence-cron').find('input').setValue('0 99 * * *');
    expect(q('recurrence-error').text()).toContain('不是有效的 Cron 表达式');
    await q('recurrence-cron').find('input').setValue('30 9 * * 1-5');
    expect(q('recurrence-error').exists()).toBe(false);
    expect(q('recurrence-words').text()).toContain('自定义：30 9 * * 1-5');
    const runs = wrapper.findAll('[data-testid="recurrence-occurrence"]').map((r) => r.text());
    expect(runs).toHaveLength(3);
    for (const r of runs) expect(r).toMatch(/09:30/);
    expect(runs.some((r) => /周六|周日/.test(r))).toBe(false);
  });

  it('going back from the advanced field to the builder keeps the time the expression says', async () => {
    const { wrapper, value, q } = mountEditor({ mode: 'cron', cron: '15 7 * * *', time: '10:00' });
    unmount = () => wrapper.unmount();
    await q('recurrence-daily').find('input').setValue(true);
    expect(value.value).toMatchObject({ mode: 'daily', time: '07:15' });
    expect(q('recurrence-words').text()).toContain('每天 07:15');
  });

  it("the API's error on the cron is shown next to the builder", () => {
    const { wrapper, q } = mountEditor({ mode: 'daily', time: '10:00' }, 'Europe/Berlin', 'never fires after now');
    unmount = () => wrapper.unmount();
    expect(q('recurrence-error').text()).toBe('never fires after now');
    expect(q('recurrence-next').text()).toContain('Europe/Berlin');
  });
});
