import type zhCN from './messages.zh-CN';

const en: typeof zhCN = {
  menu: 'Tags',
  title: 'Tag taxonomy', subtitle: 'Customer tags in four taxonomies: basic, intent, behaviour and risk control',
  newGroup: 'New group', merge: 'Merge tags', newTag: 'Tag', customers: '{n} customers', tagsCount: '{n} tags',
  emptyKind: 'No {kind} groups yet', emptyGroup: 'No tags in this group yet', emptyAll: 'No tags yet. Start with a tag group.',
  kind: {
    basic: 'Basic', intent: 'Intent', behaviour: 'Behaviour', risk: 'Risk control',
  },
  kindHint: {
    basic: 'Household size, home type, persona (student / office worker)', intent: 'Category, style, purchase timing',
    behaviour: 'Steady repurchaser, brand fan, promotion-driven', risk: 'Marketing-sensitive, low credit, complainer, bad reviewer: campaigns can exclude them in one click',
  },
  group: {
    create: 'New tag group', edit: 'Edit tag group', name: 'Name', kind: 'Taxonomy', description: 'Description', rename: 'Edit', delete: 'Delete group',
    deleteConfirm: 'Delete the group "{name}" and its {n} tags? They are removed from every customer; this cannot be undone.',
  },
  tag: {
    create: 'New tag', edit: 'Edit tag', name: 'Name', color: 'Colour', group: 'Group', delete: 'Delete tag',
    deleteConfirm: 'Delete the tag "{name}"? It is removed from {n} customers; this cannot be undone.', noColor: 'Default',
  },
  mergeDialog: {
    title: 'Merge tags', sources: 'Tags to merge away', target: 'Merge into', submit: 'Merge', sourcesHint: 'These tags are deleted; customers carrying them get the target tag instead',
    estimate: 'Up to {n} customers will get "{target}"', sameTag: 'The target cannot also be merged away', pickSources: 'Choose the tags to merge', pickTarget: 'Choose the target tag',
    done: 'Merged: {retagged} customers got "{target}", {deleted} tags deleted', segments: '; {n} segments now use the target tag',
  },
};
export default en;
