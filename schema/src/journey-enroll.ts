// Putting customers into a journey through the API, and previewing a message for one customer.
import { randomUUID } from 'node:crypto';
import { PAID_ORDER_STATUSES } from '@courtyard/db';
import { checkTemplate, type JourneyCustomer, type JsonObject, renderTemplate } from '@courtyard/plugin-sdk';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { InputError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { findJourney, JourneyStateError } from './journey-mutations.ts';
import { zJSONObject } from './scalars.ts';
import { assertCustomersExist, decodeId, parse } from './validation.ts';

export const MAX_ENROLL_IDS = 10_000;
const API_TRIGGER_KIND = 'api';

const EnrollPayload = builder.objectRef<{ enrolled: { enrollmentId: string }[]; skipped: number }>('EnrollCustomersPayload').implement({
  description: 'Who entered the journey. A customer is skipped when the re-entry rule, the concurrency cap or an earlier call with the same requestKey says so.',
  fields: (t) => ({
    enrolled: t.int({ description: 'Customers who entered now.', resolve: (p) => p.enrolled.length }),
    skipped: t.exposeInt('skipped', { description: 'Customers who did not enter.' }),
    enrollments: t.prismaField({
      type: ['Enrollment'],
      description: 'The enrollments made now.',
      resolve: (query, p, _a, ctx) => ctx.prisma.enrollment.findMany({ ...query, where: { id: { in: p.enrolled.map((e) => e.enrollmentId) }, workspaceId: ctx.workspaceId() } }),
    }),
  }),
});

const zEnroll = z.object({
  requestKey: z.string().trim().min(1, { message: 'must not be empty' }).max(200, { message: 'must be at most 200 characters' }).nullish(),
  data: zJSONObject()
    .refine((d) => JSON.stringify(d).length <= 8_192, { message: 'must be at most 8 KiB of JSON' })
    .nullish(),
});

/** The accepting version's trigger kind, or why the journey takes nobody through the API now. */
async function assertApiEnrollable(ctx: Context, journey: { id: string; status: 'draft' | 'active' | 'paused' | 'archived' }) {
  if (journey.status !== 'active') {
    const why = { draft: 'publish it first', paused: 'resume it first', archived: 'an archived journey takes nobody', active: '' }[journey.status];
    throw new JourneyStateError(`The journey is ${journey.status}: ${why}.`, journey.status);
  }
  const version = await ctx.prisma.journeyVersion.findFirst({ where: { journeyId: journey.id, accepting: true }, select: { triggerKind: true } });
  if (version?.triggerKind !== API_TRIGGER_KIND) {
    throw new JourneyStateError(
      `The journey starts ${version ? `on its ${version.triggerKind} trigger` : 'on no trigger'}; only a journey whose trigger is "Through the API" (courtyard.api) takes enrollCustomers.`,
      journey.status,
    );
  }
}

const MessagePreviewRef = builder.objectRef<{ subject: string | null; body: string }>('MessagePreview').implement({
  description: 'A message as one customer would receive it. Nothing is sent.',
  fields: (t) => ({
    subject: t.exposeString('subject', { nullable: true, description: 'The rendered subject; null when none was given.' }),
    body: t.exposeString('body', { description: 'The rendered text.' }),
  }),
});

/** The customer as a message template sees it. */
async function templateCustomer(ctx: Context, customerId: string): Promise<JourneyCustomer | null> {
  const c = await ctx.prisma.customer.findFirst({
    where: { id: customerId, workspaceId: ctx.workspaceId() },
    include: { tags: { select: { tagId: true } }, orders: { where: { status: { in: [...PAID_ORDER_STATUSES] } }, select: { placedAt: true }, orderBy: { placedAt: 'asc' }, take: 1 } },
  });
  if (!c) return null;
  return {
    id: c.id,
    name: c.name,
    phone: c.phone,
    email: c.email,
    gender: c.gender,
    birthday: c.birthday?.toISOString().slice(0, 10) ?? null,
    city: c.city,
    sourceChannel: c.sourceChannel,
    lifecycleStage: c.lifecycleStage,
    wecomExternalId: c.wecomExternalId,
    unionId: c.unionId,
    attributes: c.attributes as JsonObject,
    marketingConsent: c.marketingConsent,
    blacklisted: c.blacklisted,
    ownerStaffId: c.ownerStaffId,
    tagIds: c.tags.map((t) => t.tagId),
    orderCount: c.orderCount,
    totalSpentCents: Number(c.totalSpentCents),
    firstOrderAt: c.orders[0]?.placedAt.toISOString() ?? null,
    lastOrderAt: c.lastOrderAt?.toISOString() ?? null,
    createdAt: c.createdAt.toISOString(),
  };
}

const zTemplate = z.string().min(1, { message: 'must not be empty' }).max(4000, { message: 'must be at most 4000 characters' }).superRefine((template, zctx) => {
  const problem = checkTemplate(template);
  if (problem) zctx.addIssue({ code: 'custom', message: `does not parse: ${problem}` });
});

builder.mutationFields((t) => ({
  enrollCustomers: t.field({
    type: EnrollPayload,
    description: `Puts customers into a journey whose trigger is "Through the API" (courtyard.api), at most ${MAX_ENROLL_IDS.toLocaleString('en')} per call. Calls with the same requestKey enroll each customer once.`,
    authScopes: { 'journeys:write': true },
    args: {
      journeyId: t.arg.id({ required: true, description: 'The journey.' }),
      customerIds: t.arg.idList({ required: true, description: `The customers (at most ${MAX_ENROLL_IDS}).` }),
      requestKey: t.arg.string({ description: 'Makes the call safe to repeat: a customer enrolled under this key is not enrolled again by it (at most 200 characters). Default: a new key per call.' }),
      data: t.arg({ type: 'JSONObject', description: 'Data the journey\'s nodes and templates see as `trigger.data` (at most 8 KiB of JSON).' }),
    },
    errors: { types: [InputError, NotFoundError, JourneyStateError], union: resultUnion('enrolling customers') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      if (args.customerIds.length > MAX_ENROLL_IDS) {
        throw new InputError({ path: ['customerIds'], message: `at most ${MAX_ENROLL_IDS} ids per call; got ${args.customerIds.length}. Split the call.`, code: 'too_big' });
      }
      const customerIds = args.customerIds.map((g, i) => decodeId(String(g), 'Customer', ['customerIds', String(i)]));
      const { requestKey, data } = parse(zEnroll, { requestKey: args.requestKey, data: args.data }, []);
      const journey = await findJourney(ctx, String(args.journeyId), ['journeyId']);
      await assertCustomersExist(ctx.prisma, workspaceId, customerIds, ['customerIds']);
      await assertApiEnrollable(ctx, journey);
      return ctx.runtime.enrollByApi(workspaceId, journey.id, [...new Set(customerIds)], requestKey ?? randomUUID(), (data ?? {}) as JsonObject);
    },
  }),
}));

builder.queryFields((t) => ({
  previewMessage: t.field({
    type: MessagePreviewRef,
    description: 'Renders a message template (`{{customer.name}}`, `{{links.coupon}}` …) for one customer, as a send-message node would. Sends nothing.',
    authScopes: { 'journeys:read': true, 'customers:read': true },
    args: {
      template: t.arg.string({ required: true, description: 'The message text with variables.' }),
      subject: t.arg.string({ description: 'A subject with variables, for channels that have one.' }),
      customerId: t.arg.id({ required: true, description: 'The customer to render it for.' }),
      links: t.arg({ type: 'JSONObject', description: 'Links the template refers to as `{{links.<name>}}`, e.g. `{"coupon": "https://…"}`.' }),
      trigger: t.arg({ type: 'JSONObject', description: 'What `{{trigger.…}}` variables see, e.g. `{"event": {"properties": {"sku": "A1"}}}`; default empty.' }),
    },
    errors: { types: [InputError, NotFoundError], union: resultUnion('previewing a message') },
    resolve: async (_root, args, ctx) => {
      const input = parse(
        z.object({
          template: zTemplate,
          subject: zTemplate.nullish(),
          links: zJSONObject().pipe(z.record(z.string(), z.string())).nullish(),
          trigger: zJSONObject().nullish(),
        }),
        { template: args.template, subject: args.subject, links: args.links, trigger: args.trigger },
        [],
      );
      const customer = await templateCustomer(ctx, decodeId(String(args.customerId), 'Customer', ['customerId']));
      if (!customer) throw new NotFoundError('customer', 'customerId', String(args.customerId));
      const scope = { customer, trigger: (input.trigger ?? {}) as JsonObject, links: input.links ?? {} };
      return { subject: input.subject ? renderTemplate(input.subject, scope) : null, body: renderTemplate(input.template, scope) };
    },
  }),
}));
