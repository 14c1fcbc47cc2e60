import { afterEach, describe, expect, it } from 'vitest';
import MomentsPage from './MomentsPage.vue';
import { mountWith, testid, until } from '../test-support';
import { moment, momentAnswers } from './moments-fixtures';

let unmount = () => {};
afterEach(() => unmount());

describe('moments tasks', () => {
  it("shows each staff member's publish state, what a post carries, WeCom's refusal, and where each staff member stands against today's limit", async () => {
    const m = await mountWith(MomentsPage, {}, momentAnswers([
      moment('M1', 'publishing', [['lisi', 'waiting'], ['zhangsan', 'published']], { attachments: [{ msgtype: 'image', image: { media_id: 'a' } }, { msgtype: 'image', image: { media_id: 'b' } }] }),
      moment('M2', 'settled', [['zhangsan', 'not_published']], { settledAt: '2025-06-02T02:00:00Z' }),
      moment('M3', 'settled', [['zhangsan', 'published'], ['wangwu', 'invalid']], { attachments: [{ msgtype: 'link', link: { title: '618 预售', url: 'https://shop.example.com' } }] }),
      moment('M4', 'failed', [['zhangsan', 'waiting']], { error: 'WeCom answered 41001' }),
    ]));
    unmount = () => m.wrapper.unmount();
    await until(() => expect(testid('moment-status-M1')?.textContent).toBe('发表中'));
    expect(testid('moment-task-M1-zhangsan')!.textContent).toBe('张三 · 已发表');
    expect(testid('moment-task-M1-lisi')!.textContent).toBe('李四 · 待发表');
    expect(testid('moment-task-M2-zhangsan')!.textContent).toBe('张三 · 未发表');
    expect(testid('moment-task-M3-wangwu')!.textContent).toBe('王五 · 无效');
    expect(testid('moment-M1')!.textContent).toContain('2 张图片');
    expect(testid('moment-M1')!.textContent).toContain('已发表 1/2');
    expect(testid('moment-M3')!.textContent).toContain('链接：618 预售');
    expect(testid('moment-error-M4')!.textContent).toBe('企业微信拒绝了请求：WeCom answered 41001');
    // Today: 张三 is on three moments that count (the failed one does not), the most a customer may see.
    await until(() => expect(testid('moments-today-zhangsan')?.textContent?.trim()).toBe('张三 今天 3/3 · 已满'));
    expect(testid('moments-today-lisi')!.textContent!.trim()).toBe('李四 今天 1/3');
    expect(m.text()).toContain('同一位客户一天内最多看到 3 条企业朋友圈');
  });
});
