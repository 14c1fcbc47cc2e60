// The form's own words, in both languages, kept with the component (vue-i18n local scope).
export default {
  'zh-CN': {
    problem: {
      required: '必填', type: '格式不对（应为 {type}）', minLength: '至少 {n} 个字符', maxLength: '最多 {n} 个字符',
      minimum: '不能小于 {n}', maximum: '不能大于 {n}', pattern: '格式不正确', format: '格式不正确', formatUri: '请输入以 https:// 开头的链接',
      formatDateTime: '请选择日期时间', enum: '请从选项中选择', minItems: '至少 {n} 项', maxItems: '最多 {n} 项', time: '请使用 HH:mm，例如 09:30',
    },
    add: '添加', remove: '删除', key: '键', value: '值', none: '无', choose: '请选择', typeToAdd: '输入后回车添加',
    invalidJson: 'JSON 格式不正确：{message}', variables: '插入变量', preview: '预览', chars: '{n} 字',
    weekday: { sun: '周日', mon: '周一', tue: '周二', wed: '周三', thu: '周四', fri: '周五', sat: '周六' },
    unit: { minutes: '分钟', hours: '小时', days: '天' },
    secret: { set: '已设置', notSet: '未设置', replace: '更换', clear: '清除', keep: '保留原值', newValue: '输入新的值，保存旅程后生效；保存后不再显示' },
  },
  en: {
    problem: {
      required: 'Required', type: 'Wrong kind of value (expected {type})', minLength: 'At least {n} characters', maxLength: 'At most {n} characters',
      minimum: 'Must be at least {n}', maximum: 'Must be at most {n}', pattern: 'Not in the expected format', format: 'Not in the expected format', formatUri: 'Enter a link starting with https://',
      formatDateTime: 'Pick a date and time', enum: 'Pick one of the options', minItems: 'At least {n} items', maxItems: 'At most {n} items', time: 'Use HH:mm, e.g. 09:30',
    },
    add: 'Add', remove: 'Remove', key: 'Key', value: 'Value', none: 'None', choose: 'Choose', typeToAdd: 'Type and press Enter',
    invalidJson: 'Not valid JSON: {message}', variables: 'Insert a variable', preview: 'Preview', chars: '{n} characters',
    weekday: { sun: 'Sun', mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat' },
    unit: { minutes: 'minutes', hours: 'hours', days: 'days' },
    secret: { set: 'Set', notSet: 'Not set', replace: 'Replace', clear: 'Clear', keep: 'Keep the current one', newValue: 'Enter a new value; it takes effect when the journey is saved and is never shown again' },
  },
};
