// Staff-task limit texts (part of the WeCom area's messages).
export default {
  outreachPerStaffDay: '每人每天加好友任务',
  outreachExpiryDays: '任务有效天数',
  momentsPerCustomerDay: '每位客户每天最多',
  help: {
    outreachPerStaffDay: '企业微信未公布上限，保守设置可避免员工账号被限制（1–500）',
    outreachExpiryDays: '超过天数仍未添加的任务记为过期（1–90）',
    momentsPerCustomerDay: '默认 3 条（1–20）',
  },
  saved: '限制已保存',
};
