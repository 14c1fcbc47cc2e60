export default {
  app: { name: 'Courtyard', tagline: '私域客户运营平台' },
  common: {
    save: '保存', cancel: '取消', create: '新建', edit: '编辑', delete: '删除', confirm: '确定', close: '关闭',
    search: '搜索', reset: '重置', refresh: '刷新', back: '返回', next: '下一步', previous: '上一步', actions: '操作',
    loading: '加载中…', unavailable: '（已删除或不可用）', empty: '暂无数据', retry: '重试', saved: '已保存', deleted: '已删除', copied: '已复制',
    yes: '是', no: '否', name: '名称', status: '状态', createdAt: '创建时间', updatedAt: '更新时间', total: '共 {n} 条',
    confirmDelete: '确定删除“{name}”吗？此操作无法撤销。', loadFailed: '加载失败：{message}', unknownError: '出错了，请重试',
  },
  shell: {
    signOut: '退出登录', language: '语言', workspace: '工作区', switchWorkspace: '切换工作区', collapse: '收起菜单',
    notFound: '页面不存在', backHome: '回到首页',
  },
  signIn: {
    title: '登录 Courtyard', email: '邮箱', password: '密码', submit: '登录', failed: '邮箱或密码不正确',
    emailRequired: '请输入邮箱', passwordRequired: '请输入密码', demoHint: '演示账号：{email} / {password}',
  },
  acceptInvitation: {
    title: '加入工作区', subtitle: '设置你的姓名和密码，完成后直接进入工作区', name: '姓名', password: '密码',
    passwordHint: '至少 10 个字符', submit: '接受邀请并加入', nameRequired: '请输入姓名', passwordShort: '密码至少需要 10 个字符',
    badToken: '邀请链接无效、已使用或已过期，请联系管理员重新邀请', noToken: '链接中缺少邀请码，请使用邀请邮件或管理员发来的完整链接',
  },
};
