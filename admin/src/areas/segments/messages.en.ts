import type zhCN from './messages.zh-CN';

const en: typeof zhCN = {
  menu: 'Segments',
  list: {
    title: 'Segments', subtitle: 'Select customers by tags, behaviour, orders and attributes; dynamic segments keep themselves up to date',
    create: 'New segment', createDynamic: 'By rules (dynamic)', createCsv: 'Upload a list (static)', createRepurchase: 'Repurchase segment',
    search: 'Search segments', typeAll: 'All types', inUse: 'In use', archived: 'Archived', all: 'All',
    name: 'Name', type: 'Type', size: 'Customers', refreshed: 'Last computed', updated: 'Updated',
    empty: 'No segments yet. Select your first customers with rules.', emptyFiltered: 'No segments match',
  },
  type: { dynamic: 'Dynamic', static: 'Static' },
  timeDependent: 'Time-based', timeDependentHint: 'Its rules use time ("in the last N days"), so customers enter and leave as days pass',
  archivedBadge: 'Archived',
  editor: {
    newTitle: 'New segment', editTitle: 'Edit segment', name: 'Name', namePlaceholder: 'e.g. Added but never ordered', description: 'Description',
    descriptionPlaceholder: 'What this segment is for (optional)', rules: 'Rules', save: 'Save segment', saved: 'Segment saved',
    nameRequired: 'Enter a name', fixRules: 'Some rules need fixing: see the conditions marked red', leaveConfirm: 'You have unsaved changes. Leave anyway?',
    staticHint: 'A static segment has no rules; its members come from an uploaded list.',
  },
  preview: {
    title: 'Live estimate', count: 'Matching customers', ofAll: '{percent} of all {total} customers',
    firstCustomers: 'First {n} customers', none: 'No customers match yet', invalid: 'Finish the rules to see the estimate', failed: 'Estimate failed: {message}',
    unnamed: '(no name)',
  },
  detail: {
    size: 'Customers now', refreshed: 'Last computed', created: 'Created', edit: 'Edit rules', refresh: 'Recompute now',
    refreshedResult: 'Recomputed: {entered} entered, {exited} left', archive: 'Archive', restore: 'Restore',
    archivedNotice: 'This segment is archived: it keeps its members and history but can no longer be a campaign audience.', archivedDone: 'Archived', restoredDone: 'Restored',
    deleteConfirm: 'Delete segment "{name}"? Its members and history go with it; this cannot be undone.', trend: 'Size over time', trendDays: 'Last {n} days',
    entered: 'Entered', exited: 'Left', sizeSeries: 'Size', members: 'Members', membersCount: '{n} customers',
    liveChange: 'Just now +{entered} / -{exited}', notFound: 'This segment does not exist or was deleted', rules: 'Rules',
  },
  members: { name: 'Customer', phone: 'Phone', city: 'City', stage: 'Stage', orders: 'Orders', spent: 'Total spent', joined: 'Joined' },
  csv: {
    title: 'Static segment from an uploaded list', name: 'Name', file: 'List file', drop: 'Click or drop a CSV file',
    hint: 'Columns: phone / 手机号, email / 邮箱, external id / 外部联系人ID; UTF-8 or GBK; up to 1,000,000 rows', submit: 'Upload and create', uploading: 'Uploading…',
    rows: 'Rows read', matched: 'Customers matched', added: 'Added', unmatched: 'Unmatched', problems: 'Unreadable / duplicate', encoding: 'Encoding',
    kinds: { unmatched: 'No matching customer', invalid: 'Could not be read', missing: 'No phone, email or external id', duplicate: 'Repeats an earlier row' },
    report: 'Import report', line: 'Line', value: 'Value', reason: 'Reason', open: 'Open segment', fileRequired: 'Choose a file',
  },
  repurchase: {
    title: 'Repurchase segment', hint: 'Customers who bought a product or category and have not bought it again since: for automatic repurchase reminders.', name: 'Name',
    by: 'By', sku: 'SKU', category: 'Category', values: 'Products / categories', valuesPlaceholder: 'Type and press Enter; several allowed', fromDays: 'Last purchase at least',
    toDays: 'and at most', days: 'days ago', submit: 'Create repurchase segment', example: 'e.g. bought 30–60 days ago, nothing in the last 30 days',
  },
  rules: {
    and: 'AND', or: 'OR', andHint: 'Match all of these', orHint: 'Match any of these', notShort: 'NOT', notBadge: 'NOT',
    negate: 'Negate: match customers who do not meet this', unnegate: 'Remove NOT', addCondition: 'Add condition', addGroup: 'Add group',
    removeCondition: 'Remove condition', removeGroup: 'Remove group', addFilter: 'Property filter', where: 'where', propertyPath: 'property, e.g. coupon.code',
    days: 'days', times: 'times', yuan: 'CNY', within: 'within', anyTime: 'any time', sinceDate: 'since a date', eventType: 'event type, e.g. order_paid',
    listPlaceholder: 'Pick or type and press Enter', valuePlaceholder: 'Value', builtinFields: 'Customer fields', customFields: 'Custom attributes (attributes.*)',
    memberIn: 'is in', memberOut: 'is not in', bucketFrom: 'Random bucket from', bucketTo: 'to', bucketShare: '(about {n}% of customers)', salt: 'Salt (optional)',
    json: 'Condition JSON',
    errors: {
      pickTag: 'Choose at least one tag', required: 'Fill this in', pickOne: 'Choose or enter at least one value', emptyGroup: 'A group needs at least one condition',
      missingRef: 'The tag or segment it names no longer exists; choose again', cycle: 'Cannot refer to a segment that depends on this one (a cycle)', order: 'The end must come after the start',
    },
    window: { ever: 'Any time', lastDays: 'Last', range: 'Between' },
    kind: {
      attribute: 'Attribute', tags: 'Tags', event: 'Did event', notPerformedSince: 'Did not do', orders: 'Order metric', purchased: 'Purchased',
      firstOrderAfterEvent: 'First order after', segment: 'Segment', channel: 'Source channel', consent: 'Marketing consent', blacklisted: 'Blacklist', randomBucket: 'Random bucket',
    },
    op: {
      equals: 'equals', notEquals: 'does not equal', in: 'is one of', notIn: 'is none of', contains: 'contains', startsWith: 'starts with',
      gt: '>', gte: '≥', lt: '<', lte: '≤', between: 'between', before: 'before', after: 'after',
      withinLastDays: 'in the last N days', notWithinLastDays: 'not in the last N days', isSet: 'is set', isNotSet: 'is empty', exists: 'exists',
    },
    match: { any: 'has any of', all: 'has all of', none: 'has none of' },
    count: { atLeast: 'at least', atMost: 'at most', exactly: 'exactly' },
    metric: { count: 'Order count', totalSpent: 'Amount spent', averageOrderValue: 'Avg order value', lastOrderAt: 'Last order', firstOrderAt: 'First order' },
    by: { sku: 'SKU', category: 'Category', platform: 'Platform' },
    field: {
      name: 'Name', phone: 'Phone', email: 'Email', city: 'City', sourceChannel: 'Source channel', wecomExternalId: 'WeCom external id', unionId: 'UnionID',
      gender: 'Gender', lifecycleStage: 'Lifecycle stage', marketingConsent: 'Marketing consent', blacklisted: 'Blacklisted', orderCount: 'Order count',
      totalSpent: 'Total spent', birthday: 'Birthday', createdAt: 'Created', updatedAt: 'Updated', lastOrderAt: 'Last order',
    },
    gender: { male: 'Male', female: 'Female', unknown: 'Unknown' },
    lifecycleStage: { lead: 'Lead', prospect: 'Prospect', customer: 'Customer', repeat: 'Repeat', vip: 'VIP', churned: 'Churned' },
    flag: {
      consent: { true: 'Consented to marketing', false: 'No marketing consent' },
      blacklisted: { true: 'Is blacklisted', false: 'Not blacklisted' },
    },
  },
};
export default en;
