export default {
  menu: '标签体系',
  title: '标签体系', subtitle: '按基础信息、意向、行为、风控四类管理客户标签',
  newGroup: '新建标签组', merge: '合并标签', newTag: '标签', customers: '{n} 人', tagsCount: '{n} 个标签',
  emptyKind: '还没有{kind}类标签组', emptyGroup: '组内还没有标签', emptyAll: '还没有标签，先建一个标签组吧',
  kind: {
    basic: '基础信息', intent: '意向', behaviour: '行为', risk: '风控',
  },
  kindHint: {
    basic: '家庭人数、居住类型、人群画像（学生 / 白领）', intent: '意向品类、风格、购买时机',
    behaviour: '稳定复购、品牌粉丝、大促敏感', risk: '营销敏感、低信用、易投诉、差评——营销活动可一键排除',
  },
  group: {
    create: '新建标签组', edit: '编辑标签组', name: '组名', kind: '类型', description: '说明', rename: '编辑', delete: '删除标签组',
    deleteConfirm: '删除标签组“{name}”及其 {n} 个标签？这些标签会从所有客户身上移除，无法恢复。',
  },
  tag: {
    create: '新建标签', edit: '编辑标签', name: '标签名', color: '颜色', group: '所属标签组', delete: '删除标签',
    deleteConfirm: '删除标签“{name}”？它会从 {n} 位客户身上移除，无法恢复。', noColor: '默认',
  },
  mergeDialog: {
    title: '合并标签', sources: '要合并掉的标签', target: '合并到', submit: '合并', sourcesHint: '这些标签会被删除，带有它们的客户改为带上目标标签',
    estimate: '最多 {n} 位客户将获得“{target}”', sameTag: '目标标签不能同时是被合并的标签', pickSources: '请选择要合并的标签', pickTarget: '请选择目标标签',
    done: '已合并：{retagged} 位客户获得“{target}”，删除 {deleted} 个标签', segments: '，{n} 个分群的规则已改为使用目标标签',
  },
};
