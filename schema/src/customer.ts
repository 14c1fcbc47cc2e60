// Customers: the node, the list with its filter, one customer, and the live update subscription.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from './builder.ts';
import { CustomerFilter, LifecycleStageEnum, customerWhereOnce } from './customer-filter.ts';
import type { CustomerUpdatedMessage } from './pubsub.ts';
import { TagRef } from './tag.ts';
import { decodeId } from './validation.ts';

export const GenderEnum = builder.enumType('Gender', {
  description: 'A customer\'s gender as the brand knows it.',
  values: {
    male: { value: 'male', description: 'Male.' },
    female: { value: 'female', description: 'Female.' },
    unknown: { value: 'unknown', description: 'Not known.' },
  } as const,
});

export const CustomerRef = builder.prismaNode('Customer', {
  // Select mode: only the columns a query asks for are read.
  select: { id: true },
  // A global ID of another workspace, or of nothing, makes node/nodes return null instead of failing.
  nullable: true,
  id: { field: 'id' },
  description: 'A person the brand knows, with their identities, profile, tags, events and orders.',
  authScopes: { 'customers:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    name: t.exposeString('name', { nullable: true, description: 'Display name, e.g. 王小燕.' }),
    phone: t.exposeString('phone', { nullable: true, description: 'Mobile number: 11 digits for mainland China, E.164 otherwise.' }),
    email: t.exposeString('email', { nullable: true, description: 'Email, lower case.' }),
    gender: t.expose('gender', { type: GenderEnum, description: 'Gender.' }),
    birthday: t.expose('birthday', { type: 'Date', nullable: true, description: 'Birthday.' }),
    city: t.exposeString('city', { nullable: true, description: 'City, e.g. 杭州.' }),
    sourceChannel: t.exposeString('sourceChannel', { nullable: true, description: 'Where the customer came from, e.g. tmall, wecom_qr, parcel_card.' }),
    ownerStaff: t.relation('ownerStaff', { nullable: true, description: 'The staff account that owns the customer: the WeCom member who added them, or who they were transferred to; null when none.' }),
    lifecycleStage: t.expose('lifecycleStage', { type: LifecycleStageEnum, description: 'Lifecycle stage.' }),
    wecomExternalId: t.exposeString('wecomExternalId', { nullable: true, description: 'WeCom external contact id (external_userid), when the customer added a staff account.' }),
    unionId: t.exposeString('unionId', { nullable: true, description: 'WeChat union id, linking the customer across the brand\'s WeChat apps.' }),
    attributes: t.expose('attributes', { type: 'JSONObject', description: 'Custom attributes the brand keeps, as a JSON object.' }),
    marketingConsent: t.exposeBoolean('marketingConsent', { description: 'Whether the customer may receive marketing messages.' }),
    blacklisted: t.exposeBoolean('blacklisted', { description: 'On the marketing blacklist: never messaged by campaigns or journeys.' }),
    orderCount: t.exposeInt('orderCount', { description: 'Number of paid orders.' }),
    totalSpent: t.expose('totalSpentCents', { type: 'Money', description: 'Total paid across paid orders, in fen.' }),
    lastOrderAt: t.expose('lastOrderAt', { type: 'DateTime', nullable: true, description: 'When the last paid order was placed; null if none.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the customer was added to the workspace.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the profile last changed.' }),
    tags: t.field({
      type: [TagRef],
      description: 'Tags the customer carries, in the order they were applied.',
      select: (_args, _ctx, nestedSelection) => ({
        tags: { select: { tag: nestedSelection(true) }, orderBy: { createdAt: 'asc' } },
      }),
      resolve: (customer) => customer.tags.map((ct) => ct.tag),
    }),
    tagAssignments: t.relation('tags', {
      description: 'The same tags with who applied them and when.',
      query: { orderBy: { createdAt: 'asc' } },
    }),
    events: t.relatedConnection('events', {
      cursor: 'id',
      description: 'Events the customer performed, newest first.',
      authScopes: { 'events:read': true },
      totalCount: true,
      args: { type: t.arg.string({ description: 'Only events of this type, e.g. order_paid.' }) },
      query: (args) => ({
        where: args.type ? { type: args.type } : {},
        orderBy: [{ occurredAt: 'desc' }, { id: 'desc' }],
      }),
    }),
    orders: t.relatedConnection('orders', {
      cursor: 'id',
      description: 'The customer\'s orders, newest first.',
      authScopes: { 'orders:read': true },
      totalCount: true,
      query: { orderBy: [{ placedAt: 'desc' }, { id: 'desc' }] },
    }),
  }),
});

builder.prismaObject('CustomerTag', {
  name: 'TagAssignment',
  description: 'A tag on a customer, with where it came from.',
  fields: (t) => ({
    tag: t.relation('tag', { description: 'The tag.' }),
    source: t.exposeString('source', { description: 'Who applied it: manual, rule, journey, plugin, or wecom (a staff member tagged the contact in WeCom).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was applied.' }),
  }),
});

const CustomerSortField = builder.enumType('CustomerSortField', {
  description: 'What to sort customers by.',
  values: {
    CREATED_AT: { value: 'createdAt', description: 'When the customer was added.' },
    UPDATED_AT: { value: 'updatedAt', description: 'When the profile last changed.' },
    LAST_ORDER_AT: { value: 'lastOrderAt', description: 'Last paid order; customers without orders last.' },
    TOTAL_SPENT: { value: 'totalSpentCents', description: 'Total paid.' },
    NAME: { value: 'name', description: 'Name.' },
  } as const,
});

export const SortDirection = builder.enumType('SortDirection', {
  description: 'Sort direction.',
  values: { ASC: { value: 'asc', description: 'Ascending.' }, DESC: { value: 'desc', description: 'Descending.' } } as const,
});

const CustomerOrderBy = builder.inputType('CustomerOrderBy', {
  description: 'Sort order of a customer list. Ties are broken by ID so pages are stable.',
  fields: (t) => ({
    field: t.field({ type: CustomerSortField, required: true, description: 'What to sort by.' }),
    direction: t.field({ type: SortDirection, defaultValue: 'desc', description: 'Direction; default DESC.' }),
  }),
});

builder.queryFields((t) => ({
  customers: t.prismaConnection({
    type: 'Customer',
    cursor: 'id',
    description: 'Customers of the workspace matching the filter, newest first unless `orderBy` says otherwise.',
    authScopes: { 'customers:read': true },
    args: {
      filter: t.arg({ type: CustomerFilter, description: 'Which customers; all of them when omitted.' }),
      orderBy: t.arg({ type: CustomerOrderBy, description: 'Sort order; default newest first.' }),
    },
    totalCount: async (_conn, args, ctx) => {
      const where = await customerWhereOnce(args, ctx.prisma, ctx.workspaceId());
      return ctx.prisma.customer.count({ where });
    },
    resolve: async (query, _root, args, ctx) => {
      const where = await customerWhereOnce(args, ctx.prisma, ctx.workspaceId());
      const field = args.orderBy?.field ?? 'createdAt';
      const direction = args.orderBy?.direction ?? 'desc';
      const nulls = field === 'lastOrderAt' || field === 'name' ? { sort: direction, nulls: 'last' as const } : direction;
      // The cursor row must be the workspace's own: another workspace's customer would position the page by its values.
      const cursor = query.cursor ? { cursor: { ...query.cursor, workspaceId: ctx.workspaceId() } } : {};
      return ctx.prisma.customer.findMany({ ...query, ...cursor, where, orderBy: [{ [field]: nulls }, { id: direction }] });
    },
  }),
  customer: t.prismaField({
    type: 'Customer',
    nullable: true,
    description: 'One customer by ID; null when there is none in this workspace.',
    authScopes: { 'customers:read': true },
    args: { id: t.arg.id({ required: true, description: 'The customer\'s ID.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.customer.findFirst({ ...query, where: { id: decodeId(String(args.id), 'Customer', ['id']), workspaceId: ctx.workspaceId() } }),
  }),
}));


const CustomerChangeEnum = builder.enumType('CustomerChange', {
  description: 'What happened to a customer.',
  values: {
    created: { value: 'created', description: 'Added to the workspace.' },
    updated: { value: 'updated', description: 'Profile, consent or identities changed, or an order was imported.' },
    deleted: { value: 'deleted', description: 'Deleted.' },
    tagged: { value: 'tagged', description: 'A tag was added or removed.' },
  } as const,
});

const CustomerUpdate = builder.objectRef<CustomerUpdatedMessage & { workspaceId: string }>('CustomerUpdate').implement({
  description: 'A change to one customer of the workspace.',
  fields: (t) => ({
    customerId: t.id({ description: 'Global ID of the customer.', resolve: (m) => encodeGlobalID('Customer', m.customerId) }),
    change: t.field({ type: CustomerChangeEnum, description: 'What happened.', resolve: (m) => m.change }),
    customer: t.prismaField({
      type: 'Customer',
      nullable: true,
      description: 'The customer as it is now; null when it was deleted.',
      resolve: (query, m, _a, ctx) => ctx.prisma.customer.findFirst({ ...query, where: { id: m.customerId, workspaceId: m.workspaceId } }),
    }),
  }),
});

builder.subscriptionFields((t) => ({
  customerUpdated: t.field({
    type: CustomerUpdate,
    description: 'Every creation, change, tagging and deletion of the workspace\'s customers, as it happens.',
    authScopes: { 'customers:read': true },
    args: { id: t.arg.id({ description: 'Only this customer.' }) },
    subscribe: (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const only = args.id ? decodeId(String(args.id), 'Customer', ['id']) : null;
      const source = ctx.pubsub.subscribe('customerUpdated', workspaceId);
      return filterMessages(source, (m) => !only || m.customerId === only, workspaceId);
    },
    resolve: (message) => message,
  }),
}));

async function* filterMessages(source: AsyncIterable<CustomerUpdatedMessage>, keep: (m: CustomerUpdatedMessage) => boolean, workspaceId: string) {
  for await (const message of source) if (keep(message)) yield { ...message, workspaceId };
}
