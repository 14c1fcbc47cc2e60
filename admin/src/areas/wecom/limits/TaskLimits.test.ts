import { afterEach, describe, expect, it } from 'vitest';
import { NInputNumber } from 'naive-ui';
import TaskLimits from './TaskLimits.vue';
import { mountWith, testid, until, viewer } from '../test-support';

const settings = { __typename: 'WeComStaffTaskSettings', outreachPerStaffDay: 20, outreachExpiryDays: 7, momentsPerCustomerDay: 3, confirmHours: 24 };
let unmount = () => {};
afterEach(() => unmount());

describe('staff-task limits', () => {
  it('changes only the limits the screen shows; a refused value is said under its field', async () => {
    const sent: unknown[] = [];
    const m = await mountWith(TaskLimits, { keys: ['outreachPerStaffDay', 'outreachExpiryDays'] }, {
      ...viewer(),
      WeComTaskLimits: () => ({ wecomStaffTaskSettings: settings }),
      UpdateWeComTaskLimits: (v) => (sent.push(v.input), { updateWeComStaffTaskSettings: { __typename: 'ValidationError', message: 'invalid', code: 'INVALID_INPUT', fields: [{ __typename: 'FieldError', field: 'input.outreachPerStaffDay', message: 'Too big: expected number to be <=500' }] } }),
    });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('limit-outreachPerStaffDay')!.querySelector('input')!.value).toBe('20'));
    expect(testid('limit-momentsPerCustomerDay')).toBeNull();
    expect(testid('limits-save')!.hasAttribute('disabled')).toBe(true);
    m.wrapper.findAllComponents(NInputNumber).find((c) => c.attributes('data-testid') === 'limit-outreachPerStaffDay')!.vm.$emit('update:value', 30);
    await until(() => expect(testid('limits-save')!.hasAttribute('disabled')).toBe(false));
    testid('limits-save')!.click();
    await until(() => expect(sent).toEqual([{ outreachPerStaffDay: 30, outreachExpiryDays: 7 }]));
    await until(() => expect(testid('task-limits')!.textContent).toContain('Too big: expected number to be <=500'));
  });

  it('is read-only without the WeCom write scope', async () => {
    const m = await mountWith(TaskLimits, { keys: ['momentsPerCustomerDay'] }, { ...viewer(['WECOM_READ']), WeComTaskLimits: () => ({ wecomStaffTaskSettings: settings }) });
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('limit-momentsPerCustomerDay')!.querySelector('input')!.value).toBe('3'));
    expect(testid('limit-momentsPerCustomerDay')!.querySelector('input')!.disabled).toBe(true);
    expect(testid('limits-save')).toBeNull();
  });
});
