// Answers the moments screens' component tests share.
import { dayIn } from './moment-form';

export const TODAY = dayIn('Asia/Shanghai');
export const staffRow = (id: string, name: string, wecomUserId: string | null, active = true) => ({ __typename: 'Staff', id, staffId: id.toLowerCase(), name, wecomUserId, active });
export const moment = (id: string, status: string, tasks: Array<[string, string]>, more: Record<string, unknown> = {}) => ({
  __typename: 'WeComMoment', id, status, text: `朋友圈 ${id}`, attachments: [], day: TODAY, createdAt: '2025-06-01T02:00:00Z', expiresAt: '2025-06-02T02:00:00Z', settledAt: null, error: null, lastError: null,
  tasks: tasks.map(([staffUserId, s]) => ({ __typename: 'WeComMomentTask', staffUserId, status: s, settledAt: null })), ...more,
});
export const momentAnswers = (moments: unknown[]) => ({
  WeComViewer: () => ({ viewer: { __typename: 'Viewer', scopes: ['WECOM_READ', 'WECOM_WRITE'] } }),
  WeComWorkspaceTimeZone: () => ({ viewer: { __typename: 'Viewer', workspace: { __typename: 'Workspace', id: 'W1', timeZone: 'Asia/Shanghai' } } }),
  WeComStaff: () => ({ staff: [staffRow('S1', '张三', 'zhangsan'), staffRow('S2', '李四', 'lisi'), staffRow('S3', '王五', 'wangwu')] }),
  WeComTaskLimits: () => ({ wecomStaffTaskSettings: { __typename: 'WeComStaffTaskSettings', outreachPerStaffDay: 20, outreachExpiryDays: 7, momentsPerCustomerDay: 3, confirmHours: 24 } }),
  WeComMoments: () => ({ wecomMoments: { __typename: 'QueryWecomMomentsConnection', edges: moments.map((node) => ({ __typename: 'QueryWecomMomentsConnectionEdge', node })), pageInfo: { __typename: 'PageInfo', hasNextPage: false, endCursor: null } } }),
});
