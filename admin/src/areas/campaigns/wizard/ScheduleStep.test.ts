import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import { mountInApp, testid, until } from '@/testing/mount';
import { createWizard, provideWizard } from './context';
import ScheduleStep from './ScheduleStep.vue';

let unmount = () => {};
afterEach(() => unmount());

const resources = {
  CampaignWizardResources: () => ({ channels: [], staff: [], workspace: { __typename: 'Workspace', id: 'W1', timeZone: 'Asia/Shanghai' } }),
};

/** The schedule step of a saved one-off campaign, a draft or already scheduled. */
async function scheduleOf(locked: boolean) {
  const Host = defineComponent({
    setup() {
      const wizard = createWizard();
      wizard.savedKind.value = 'one_off';
      wizard.kindLocked.value = locked;
      provideWizard(wizard);
      return () => h(ScheduleStep);
    },
  });
  const m = await mountInApp(Host, {}, resources);
  unmount = () => m.wrapper.unmount();
  await until(() => expect(testid('send-recurring')).toBeTruthy());
  return m;
}

const disabled = (id: string) => testid(id)!.classList.contains('n-radio--disabled');

describe('ScheduleStep', () => {
  it('a saved draft may still become recurring', async () => {
    const m = await scheduleOf(false);
    expect(disabled('send-recurring')).toBe(false);
    expect(m.text()).not.toContain('不能再改为周期发送');
  });

  it('a scheduled one-off campaign stays one-off, and says so', async () => {
    const m = await scheduleOf(true);
    expect(disabled('send-recurring')).toBe(true);
    expect(disabled('send-now')).toBe(false);
    expect(m.text()).toContain('不能再改为周期发送');
  });
});
