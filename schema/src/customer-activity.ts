// What happened to one customer across the platform, for the customer's page: the journeys they
// entered and every message sent to them (campaigns and journeys alike), newest first.
import { builder } from './builder.ts';

builder.prismaObjectFields('Customer', (t) => ({
  enrollments: t.relatedConnection('enrollments', {
    cursor: 'id',
    description: 'The journeys the customer entered, with where they are in each, newest first.',
    authScopes: { 'journeys:read': true },
    totalCount: true,
    query: { orderBy: [{ enteredAt: 'desc' }, { id: 'desc' }] },
  }),
  // The message log keeps no foreign key to the customer, so no Prisma relation: the same
  // connection, read by the customer's id (index Delivery(customerId, createdAt)).
  deliveries: t.prismaConnection({
    type: 'Delivery',
    cursor: 'id',
    description: 'Messages to the customer from campaigns and journeys, newest first.',
    authScopes: { 'campaigns:read': true, 'journeys:read': true },
    totalCount: (customer, _args, ctx) => ctx.prisma.delivery.count({ where: { customerId: customer.id, workspaceId: ctx.workspaceId() } }),
    resolve: (query, customer, _args, ctx) =>
      ctx.prisma.delivery.findMany({ ...query, where: { customerId: customer.id, workspaceId: ctx.workspaceId() }, orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] }),
  }),
}));

builder.prismaObjectField('Delivery', 'journey', (t) =>
  t.prismaField({
    type: 'Journey',
    nullable: true,
    description: 'The journey that sent it; null for a campaign message.',
    // findUnique: Prisma gathers those of one page into one statement.
    resolve: (query, d, _a, ctx) => (d.journeyId ? ctx.prisma.journey.findUnique({ ...query, where: { id: d.journeyId, workspaceId: d.workspaceId } }) : null),
  }),
);
