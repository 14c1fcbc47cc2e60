import type zhCN from './messages.zh-CN';

const en: typeof zhCN = {
  outreachPerStaffDay: 'Add-friend tasks per staff member a day',
  outreachExpiryDays: 'Days before a task expires',
  momentsPerCustomerDay: 'At most per customer a day',
  help: {
    outreachPerStaffDay: 'WeCom publishes no figure; a cautious number keeps staff accounts from being restricted (1–500)',
    outreachExpiryDays: 'A task not added by then counts as expired (1–90)',
    momentsPerCustomerDay: 'Default 3 (1–20)',
  },
  saved: 'Limits saved',
};

export default en;
