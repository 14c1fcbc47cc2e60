// The home page's headline figures in one statement: customers (all, new today), 30-day
// repurchase, active journeys, running campaigns and the largest segment.
// "Today" and the 30 days are calendar days in the workspace time zone.
import { PAID_ORDER_STATUSES_SQL } from '@courtyard/db';
import { builder } from './builder.ts';

interface DashboardFigures {
  workspaceId: string;
  timeZone: string;
  customers: number;
  newCustomersToday: number;
  newCustomersYesterday: number;
  buyers30d: number;
  repeatBuyers30d: number;
  activeJourneys: number;
  runningCampaigns: number;
  scheduledCampaigns: number;
  largestSegmentId: string | null;
}

const DashboardRef = builder.objectRef<DashboardFigures>('Dashboard').implement({
  description: 'Headline figures of the workspace, read together. Days are calendar days in the workspace time zone.',
  fields: (t) => ({
    timeZone: t.exposeString('timeZone', { description: 'The time zone "today" and the 30 days are counted in, e.g. Asia/Shanghai.' }),
    customers: t.exposeInt('customers', { description: 'Customers in the workspace.' }),
    newCustomersToday: t.exposeInt('newCustomersToday', { description: 'Customers created since midnight today.' }),
    newCustomersYesterday: t.exposeInt('newCustomersYesterday', { description: 'Customers created yesterday, to compare with today.' }),
    buyers30d: t.exposeInt('buyers30d', { description: 'Customers with a paid order placed in the last 30 days (today included).' }),
    repeatBuyers30d: t.exposeInt('repeatBuyers30d', { description: 'Of them, those with two or more paid orders in those 30 days.' }),
    repurchaseRate30d: t.float({
      description: '30-day repurchase rate (复购率): repeatBuyers30d / buyers30d; 0 when nobody bought.',
      resolve: (d) => (d.buyers30d ? d.repeatBuyers30d / d.buyers30d : 0),
    }),
    activeJourneys: t.exposeInt('activeJourneys', { description: 'Journeys taking customers now (status active).' }),
    runningCampaigns: t.exposeInt('runningCampaigns', { description: 'Campaigns sending now (status running).' }),
    scheduledCampaigns: t.exposeInt('scheduledCampaigns', { description: 'Campaigns waiting for their time (status scheduled).' }),
    largestSegment: t.prismaField({
      type: 'Segment',
      nullable: true,
      description: 'The segment in use (not archived) with the most members; null without segments.',
      // Without a segment in use the statement found none, and this finds none either.
      resolve: (query, d, _a, ctx) => ctx.prisma.segment.findFirst({ ...query, where: { workspaceId: d.workspaceId, archivedAt: null, ...(d.largestSegmentId ? { id: d.largestSegmentId } : {}) } }),
    }),
  }),
});

builder.queryFields((t) => ({
  dashboard: t.field({
    type: DashboardRef,
    description: 'The home page\'s headline figures: customers, new today, 30-day repurchase rate, active journeys, running and scheduled campaigns, the largest segment.',
    authScopes: { 'customers:read': true },
    resolve: async (_root, _args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const [row] = await ctx.db.query<DashboardFigures>(
        `WITH w AS (
           SELECT id, "timeZone",
                  (date_trunc('day', now() AT TIME ZONE "timeZone") AT TIME ZONE "timeZone") AS today,
                  ((date_trunc('day', now() AT TIME ZONE "timeZone") - interval '1 day') AT TIME ZONE "timeZone") AS yesterday,
                  ((date_trunc('day', now() AT TIME ZONE "timeZone") - interval '29 days') AT TIME ZONE "timeZone") AS since
             FROM "Workspace" WHERE id = $1::uuid),
         buyers AS (
           SELECT o."customerId", count(*) AS orders
             FROM "Order" o, w
            WHERE o."workspaceId" = w.id AND o."placedAt" >= w.since AND o.status::text IN ${PAID_ORDER_STATUSES_SQL}
            GROUP BY 1)
         SELECT w.id AS "workspaceId", w."timeZone",
                (SELECT count(*) FROM "Customer" c WHERE c."workspaceId" = w.id)::int AS customers,
                (SELECT count(*) FROM "Customer" c WHERE c."workspaceId" = w.id AND c."createdAt" >= w.today)::int AS "newCustomersToday",
                (SELECT count(*) FROM "Customer" c WHERE c."workspaceId" = w.id AND c."createdAt" >= w.yesterday AND c."createdAt" < w.today)::int AS "newCustomersYesterday",
                (SELECT count(*) FROM buyers)::int AS "buyers30d",
                (SELECT count(*) FROM buyers WHERE orders >= 2)::int AS "repeatBuyers30d",
                (SELECT count(*) FROM "Journey" j WHERE j."workspaceId" = w.id AND j.status = 'active')::int AS "activeJourneys",
                (SELECT count(*) FROM "Campaign" k WHERE k."workspaceId" = w.id AND k.status = 'running')::int AS "runningCampaigns",
                (SELECT count(*) FROM "Campaign" k WHERE k."workspaceId" = w.id AND k.status = 'scheduled')::int AS "scheduledCampaigns",
                (SELECT s.id::text FROM "Segment" s
                   LEFT JOIN LATERAL (SELECT count(*) AS n FROM "SegmentMember" m WHERE m."segmentId" = s.id) m ON true
                  WHERE s."workspaceId" = w.id AND s."archivedAt" IS NULL
                  ORDER BY m.n DESC, s."createdAt" ASC LIMIT 1) AS "largestSegmentId"
           FROM w`,
        [workspaceId],
      );
      if (!row) throw new Error(`workspace ${workspaceId} not found`);
      return row;
    },
  }),
}));
