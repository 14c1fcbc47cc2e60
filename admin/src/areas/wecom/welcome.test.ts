import { describe, expect, it } from 'vitest';
import { insertVariable, renderPreview } from './welcome';

const values = { customer_name: '林小姐', staff_name: '张三', live_code: '包裹卡', coupon: 'NEW20' };

describe('welcome message variables', () => {
  it('inserting a variable replaces the selection and puts the cursor after it', () => {
    expect(insertVariable('您好，欢迎！', 'customer_name', 2)).toEqual({ text: '您好{{customer_name}}，欢迎！', cursor: 2 + '{{customer_name}}'.length });
    expect(insertVariable('您好 XX', 'staff_name', 3, 5)).toEqual({ text: '您好 {{staff_name}}', cursor: 3 + '{{staff_name}}'.length });
    expect(insertVariable('券：', 'coupon').text).toBe('券：{{coupon}}');
  });

  it('the preview fills the known variables and keeps an unknown one as written, marked', () => {
    expect(renderPreview('{{customer_name}}您好，我是{{ staff_name }}。{{nickname}}', values)).toEqual([
      { kind: 'value', text: '林小姐', variable: 'customer_name' },
      { kind: 'text', text: '您好，我是' },
      { kind: 'value', text: '张三', variable: 'staff_name' },
      { kind: 'text', text: '。' },
      { kind: 'unknown', text: '{{nickname}}', variable: 'nickname' },
    ]);
  });
});
