import { describe, expect, it } from 'vitest';
import { confirmationByStaff } from './confirmation';

describe('confirmation rates per staff', () => {
  it('counts settled tasks only: sent and partly sent are confirmed, not sent is not; waiting ones wait', () => {
    expect(confirmationByStaff([
      { staffUserId: 'zhangsan', status: 'sent' },
      { staffUserId: 'zhangsan', status: 'partly_sent' },
      { staffUserId: 'lisi', status: 'not_sent' },
      { staffUserId: 'lisi', status: 'sent' },
      { staffUserId: 'wangwu', status: 'waiting' },
    ])).toEqual([
      { staffUserId: 'zhangsan', tasks: 2, confirmed: 2, rate: 1 },
      { staffUserId: 'lisi', tasks: 2, confirmed: 1, rate: 0.5 },
    ]);
  });
});
