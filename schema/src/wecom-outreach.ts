// Phone-number outreach (手机号拓客). WeCom has no API that sends a friend request by phone number:
// Courtyard makes add-friend tasks that staff members carry out in their WeCom app (search the
// number, send the request, keep the number as the contact's remark mobile), spread across the
// chosen staff and at most the workspace's daily number per staff member (later tasks go to later
// days). An add is matched to a task by the staff member's remark mobiles (externalcontact/get
// follow_user.remark_mobiles) as its callback is processed, and the contact goes onto the task's
// customer (wecom-outreach-adds.ts); an add without the number is matched by the runtime's later
// passes once the number is filled in, or stays unmatched; a task not added within the expiry days
// expires.
import type { WeComOutreachTask } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { InputError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { zDate } from './scalars.ts';
import { decodeId, normalizePhone, parse } from './validation.ts';
import { staffTaskSettings } from './wecom-limits.ts';
import { dayIn } from './wecom-store.ts';

/** Phones one call takes (uploaded, or picked from orders). */
export const OUTREACH_BATCH = 5000;
const DAY_MS = 86_400_000;

const StatusEnum = builder.enumType('WeComOutreachStatus', {
  description: 'Where a phone-number add-friend task stands.',
  values: {
    pending: { value: 'pending', description: 'Handed to the staff member, who searches the number in their WeCom app.' },
    added: { value: 'added', description: 'The staff member added the customer, matched by the number in the contact\'s remark mobiles.' },
    expired: { value: 'expired', description: 'Not added within the workspace\'s expiry days.' },
  } as const,
});

const TaskRef = builder.prismaObject('WeComOutreachTask', {
  description:
    'A phone-number add-friend task for a staff member. WeCom has no API that sends a friend request by phone: the staff member searches the number in their WeCom app and keeps it as the contact\'s remark mobile, which is how Courtyard matches the add.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The task\'s id.' }),
    staff: t.relation('staff', { description: 'The staff member who is to add the number.' }),
    phone: t.exposeString('phone', { description: 'The number to search (11 digits for mainland numbers).' }),
    source: t.exposeString('source', { description: '"orders" (a customer from imported orders) or "upload".' }),
    sourceCustomerId: t.exposeID('customerId', { nullable: true, description: 'The Courtyard customer the number belongs to, if any (database id).' }),
    day: t.string({ description: 'The day (YYYY-MM-DD, workspace time zone) the task is scheduled for.', resolve: (r) => r.day.toISOString().slice(0, 10) }),
    status: t.field({ type: StatusEnum, description: 'Where it stands.', resolve: (r) => r.status }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', description: 'When a pending task expires.' }),
    addedAt: t.expose('addedAt', { type: 'DateTime', nullable: true, description: 'When the customer was added.' }),
    matchedExternalUserId: t.exposeString('matchedExternalUserId', { nullable: true, description: 'The WeCom external userid of the contact the add matched.' }),
    matchedCustomerId: t.exposeID('matchedCustomerId', {
      nullable: true,
      description:
        'The Courtyard customer the WeCom contact is on (database id). When the add is matched as its callback is processed, that is the task\'s customer (or the customer with the number), given the contact, owner and follow instead of a second record; a customer already on WeCom under another contact, or a record that already held this contact, is left as it is (never merged). An add matched later (the remark mobile filled in afterwards) names the contact\'s own record.',
    }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was created.' }),
  }),
});

interface ItemResult {
  index: number;
  phone: string;
  task: WeComOutreachTask | null;
  error: { code: string; message: string } | null;
}

const ItemRef = builder.objectRef<ItemResult>('WeComOutreachItem').implement({
  description: 'What became of one phone: a task, or why none was made.',
  fields: (t) => ({
    index: t.exposeInt('index', { description: 'Position in the uploaded list (or among the customers picked from orders), from 0.' }),
    phone: t.exposeString('phone', { description: 'The phone as given (or as stored on the customer).' }),
    task: t.field({ type: TaskRef, nullable: true, description: 'The task made for it.', resolve: (r) => r.task }),
    errorCode: t.string({
      nullable: true,
      description: 'invalid_phone, duplicate (earlier in the list), already_on_wecom (its customer is a WeCom contact), task_exists (a pending or added task has the number).',
      resolve: (r) => r.error?.code ?? null,
    }),
    errorMessage: t.string({ nullable: true, description: 'The same in words.', resolve: (r) => r.error?.message ?? null }),
  }),
});

const PayloadRef = builder.objectRef<{ items: ItemResult[] }>('CreateWeComOutreachTasksPayload').implement({
  description: 'One result per phone.',
  fields: (t) => ({
    items: t.field({ type: [ItemRef], description: 'Per phone, in input order.', resolve: (p) => p.items }),
    created: t.int({ description: 'Tasks made.', resolve: (p) => p.items.filter((i) => i.task).length }),
    rejected: t.int({ description: 'Phones without a task.', resolve: (p) => p.items.filter((i) => i.error).length }),
  }),
});

interface StaffSummary {
  staffId: string;
  staffUserId: string;
  pending: number;
  added: number;
  expired: number;
  today: number;
  unmatchedAdds: number;
}

const SummaryRef = builder.objectRef<StaffSummary>('WeComOutreachStaffSummary').implement({
  description: 'One staff member\'s add-friend tasks by state.',
  fields: (f) => ({
    staff: f.prismaField({ type: 'Staff', description: 'The staff member.', resolve: (query, r, _a, ctx) => ctx.prisma.staff.findUniqueOrThrow({ ...query, where: { id: r.staffId } }) }),
    staffUserId: f.exposeString('staffUserId', { description: 'Their WeCom userid.' }),
    pending: f.exposeInt('pending', { description: 'Tasks pending.' }),
    added: f.exposeInt('added', { description: 'Tasks matched to an add.' }),
    expired: f.exposeInt('expired', { description: 'Tasks expired.' }),
    today: f.exposeInt('today', { description: 'Tasks scheduled for today (at most the daily limit).' }),
    unmatchedAdds: f.exposeInt('unmatchedAdds', { description: 'Contacts they added by phone search (add_way 2) that match no task: the number was not kept as the remark mobile, or was not from a task.' }),
  }),
});

const FromOrdersInput = builder.inputType('WeComOutreachFromOrdersInput', {
  description: 'Customers from imported orders who have a phone and are not WeCom contacts yet (blacklisted customers left out).',
  fields: (t) => ({
    orderedSince: t.field({ type: 'DateTime', description: 'Only customers whose last order is at or after this; default any.' }),
    limit: t.int({ description: `At most this many customers, most recent order first; default and maximum ${OUTREACH_BATCH}.` }),
  }),
});

const CreateInput = builder.inputType('CreateWeComOutreachTasksInput', {
  description: 'Phones to hand to staff as add-friend tasks: an uploaded list (`phones`) or customers from imported orders (`fromOrders`).',
  fields: (t) => ({
    phones: t.stringList({ description: `An uploaded list, at most ${OUTREACH_BATCH}.` }),
    fromOrders: t.field({ type: FromOrdersInput, description: 'Customers from imported orders.' }),
    staffIds: t.idList({ description: 'The staff members to spread the tasks across; default every active staff member with a WeCom userid.' }),
  }),
});

const zCreate = z.object({
  phones: z.array(z.string()).min(1).max(OUTREACH_BATCH).nullish(),
  fromOrders: z.object({ orderedSince: zDate().nullish(), limit: z.number().int().min(1).max(OUTREACH_BATCH).nullish() }).nullish(),
  staffIds: z.array(z.string()).min(1).nullish(),
});

async function chooseStaff(ctx: Context, workspaceId: string, staffIds: string[] | null | undefined) {
  if (!staffIds) {
    const all = await ctx.prisma.staff.findMany({ where: { workspaceId, active: true, wecomUserId: { not: null } }, select: { id: true, wecomUserId: true }, orderBy: { name: 'asc' } });
    if (!all.length) throw new InputError({ path: ['input', 'staffIds'], message: 'no active staff member has a WeCom userid', code: 'no_staff' });
    return all.map((s) => ({ id: s.id, userId: s.wecomUserId! }));
  }
  const ids = staffIds.map((id, i) => decodeId(id, 'Staff', ['input', 'staffIds', String(i)]));
  const rows = new Map((await ctx.prisma.staff.findMany({ where: { workspaceId, id: { in: ids } } })).map((s) => [s.id, s]));
  const missing = ids.findIndex((id) => !rows.has(id));
  if (missing >= 0) throw new NotFoundError('staff', `input.staffIds.${missing}`, staffIds[missing]!);
  const issues = ids.flatMap((id, i) => {
    const s = rows.get(id)!;
    return s.active && s.wecomUserId ? [] : [{ path: ['input', 'staffIds', String(i)], message: `${s.name} ${s.active ? 'has no WeCom userid' : 'is deactivated'}`, code: 'cannot_add' }];
  });
  if (issues.length) throw new InputError(issues);
  return [...new Set(ids)].map((id) => ({ id, userId: rows.get(id)!.wecomUserId! }));
}

const utcDay = (day: string) => new Date(`${day}T00:00:00Z`);

/**
 * Places each phone with the staff member who has the fewest tasks on the earliest day that still
 * has room under the daily limit, counting the tasks already scheduled.
 */
function schedule(count: number, staff: { id: string; userId: string }[], taken: Map<string, number>, today: string, perDay: number) {
  const out: { staffId: string; userId: string; day: string }[] = [];
  let offset = 0;
  while (out.length < count) {
    const day = new Date(utcDay(today).getTime() + offset * DAY_MS).toISOString().slice(0, 10);
    const load = (s: { id: string }) => taken.get(`${s.id}|${day}`) ?? 0;
    const open = staff.filter((s) => load(s) < perDay);
    if (!open.length) {
      offset++;
      continue;
    }
    const pick = open.reduce((a, b) => (load(b) < load(a) ? b : a));
    taken.set(`${pick.id}|${day}`, load(pick) + 1);
    out.push({ staffId: pick.id, userId: pick.userId, day });
  }
  return out;
}

interface Given {
  phone: string;
  customerId: string | null;
  onWeCom: boolean;
}

async function phonesOf(ctx: Context, workspaceId: string, input: z.output<typeof zCreate>): Promise<Given[]> {
  if (input.fromOrders) {
    const rows = await ctx.prisma.customer.findMany({
      where: { workspaceId, phone: { not: null }, wecomExternalId: null, blacklisted: false, orderCount: { gt: 0 }, ...(input.fromOrders.orderedSince ? { lastOrderAt: { gte: input.fromOrders.orderedSince } } : {}) },
      select: { id: true, phone: true },
      orderBy: [{ lastOrderAt: 'desc' }, { id: 'asc' }],
      take: input.fromOrders.limit ?? OUTREACH_BATCH,
    });
    return rows.map((r) => ({ phone: r.phone!, customerId: r.id, onWeCom: false }));
  }
  const normalized = input.phones!.map((p) => normalizePhone(p));
  const known = await ctx.prisma.customer.findMany({ where: { workspaceId, phone: { in: normalized.filter((p): p is string => Boolean(p)) } }, select: { id: true, phone: true, wecomExternalId: true } });
  const byPhone = new Map(known.map((c) => [c.phone!, c]));
  return input.phones!.map((raw, i) => {
    const c = normalized[i] ? byPhone.get(normalized[i]) : undefined;
    return { phone: raw, customerId: c?.id ?? null, onWeCom: Boolean(c?.wecomExternalId) };
  });
}

builder.queryFields((t) => ({
  wecomOutreachTasks: t.prismaConnection({
    type: 'WeComOutreachTask',
    cursor: 'id',
    description: 'Phone-number add-friend tasks, by day then creation, with their states.',
    authScopes: { 'wecom:read': true },
    args: {
      staffId: t.arg.id({ description: 'Only this staff member\'s tasks.' }),
      status: t.arg({ type: StatusEnum, description: 'Only tasks in this state.' }),
      day: t.arg.string({ description: 'Only tasks scheduled for this day (YYYY-MM-DD).' }),
    },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.weComOutreachTask.findMany({
        ...query,
        where: {
          workspaceId: ctx.workspaceId(),
          ...(args.staffId ? { staffId: decodeId(String(args.staffId), 'Staff', ['staffId']) } : {}),
          ...(args.status ? { status: args.status } : {}),
          ...(args.day ? { day: utcDay(parse(z.string().regex(/^\d{4}-\d{2}-\d{2}$/), args.day, ['day'])) } : {}),
        },
        orderBy: [{ day: 'asc' }, { createdAt: 'asc' }, { id: 'asc' }],
      }),
  }),
  wecomOutreachSummary: t.field({
    type: [SummaryRef],
    description: 'Per staff member: add-friend tasks by state, today\'s, and phone-search adds no task matched.',
    authScopes: { 'wecom:read': true },
    resolve: async (_r, _a, ctx) => {
      const workspaceId = ctx.workspaceId();
      const { timeZone } = await staffTaskSettings(ctx.db, workspaceId);
      return ctx.db.query<StaffSummary>(
        `SELECT t."staffId", t."staffUserId",
                count(*) FILTER (WHERE t.status = 'pending')::int AS pending, count(*) FILTER (WHERE t.status = 'added')::int AS added,
                count(*) FILTER (WHERE t.status = 'expired')::int AS expired, count(*) FILTER (WHERE t.day = $2::date)::int AS today,
                (SELECT count(*)::int FROM "WeComOutreachAdd" a WHERE a."workspaceId" = $1 AND a."userId" = t."staffUserId" AND a."taskId" IS NULL AND a."addWay" = 2) AS "unmatchedAdds"
           FROM "WeComOutreachTask" t WHERE t."workspaceId" = $1 GROUP BY 1, 2 ORDER BY 2`,
        [workspaceId, dayIn(timeZone, new Date())],
      );
    },
  }),
}));

builder.mutationFields((t) => ({
  createWeComOutreachTasks: t.field({
    type: PayloadRef,
    description:
      'Makes phone-number add-friend tasks (手机号拓客) for staff. WeCom has no API that sends a friend request by phone: each task asks a staff member to search the number in their WeCom app and keep it as the remark mobile; the add is matched to the task by that number. Tasks are spread across the staff, at most the daily limit per staff member per day (later days after that); each phone gets a result.',
    authScopes: { 'wecom:write': true },
    args: { input: t.arg({ type: CreateInput, required: true, description: 'The phones and staff.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('creating add-friend tasks') },
    resolve: async (_r, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const input = parse(zCreate, args.input, ['input']);
      if ((input.phones ? 1 : 0) + (input.fromOrders ? 1 : 0) !== 1) throw new InputError({ path: ['input', 'phones'], message: 'give either phones or fromOrders', code: 'required' });
      const staff = await chooseStaff(ctx, workspaceId, input.staffIds);
      const settings = await staffTaskSettings(ctx.db, workspaceId);
      const given = await phonesOf(ctx, workspaceId, input);
      const normalized = given.map((g) => normalizePhone(g.phone));

      const { items, ids } = await ctx.db.transaction(async (query) => {
        // One creator per workspace at a time, so two uploads cannot overfill a staff member's day.
        await query(`SELECT pg_advisory_xact_lock(hashtext('wecom-outreach:' || $1))`, [workspaceId]);
        const open = new Set(
          (await query<{ phone: string }>(`SELECT DISTINCT phone FROM "WeComOutreachTask" WHERE "workspaceId" = $1 AND status IN ('pending', 'added') AND phone = ANY($2::text[])`, [workspaceId, normalized.filter(Boolean)])).map((r) => r.phone),
        );
        const seen = new Set<string>();
        const items: ItemResult[] = given.map((g, index) => {
          const phone = normalized[index];
          const fail = (code: string, message: string): ItemResult => ({ index, phone: g.phone, task: null, error: { code, message } });
          if (!phone) return fail('invalid_phone', 'not a valid phone number');
          if (seen.has(phone)) return fail('duplicate', 'the number is earlier in the list');
          seen.add(phone);
          if (g.onWeCom) return fail('already_on_wecom', 'the customer with this number is already a WeCom contact');
          if (open.has(phone)) return fail('task_exists', 'a pending or added task already has this number');
          return { index, phone: g.phone, task: null, error: null };
        });
        const todo = items.filter((i) => !i.error);
        if (!todo.length) return { items, ids: [] as string[] };
        const today = dayIn(settings.timeZone, new Date());
        const taken = new Map(
          (
            await query<{ staffId: string; day: string; n: number }>(
              `SELECT "staffId", to_char(day, 'YYYY-MM-DD') AS day, count(*)::int AS n FROM "WeComOutreachTask" WHERE "workspaceId" = $1 AND "staffId" = ANY($2::uuid[]) AND day >= $3::date GROUP BY 1, 2`,
              [workspaceId, staff.map((s) => s.id), today],
            )
          ).map((r) => [`${r.staffId}|${r.day}`, r.n]),
        );
        const slots = schedule(todo.length, staff, taken, today, settings.outreachPerStaffDay);
        const now = Date.now();
        const rows = todo.map((item, i) => {
          const slot = slots[i]!;
          const startsIn = utcDay(slot.day).getTime() - utcDay(today).getTime();
          return {
            staffId: slot.staffId,
            staffUserId: slot.userId,
            phone: normalized[item.index]!,
            source: input.fromOrders ? 'orders' : 'upload',
            customerId: given[item.index]!.customerId,
            day: slot.day,
            expiresAt: new Date(now + startsIn + settings.outreachExpiryDays * DAY_MS).toISOString(),
          };
        });
        const created = await query<{ id: string }>(
          `INSERT INTO "WeComOutreachTask" ("workspaceId", "staffId", "staffUserId", phone, source, "customerId", day, "expiresAt")
           SELECT $1, r."staffId", r."staffUserId", r.phone, r.source, r."customerId", r.day::date, r."expiresAt"
             FROM jsonb_to_recordset($2::jsonb) AS r("staffId" uuid, "staffUserId" text, phone text, source text, "customerId" uuid, day text, "expiresAt" timestamptz)
           RETURNING id`,
          [workspaceId, JSON.stringify(rows)],
        );
        return { items, ids: created.map((c) => c.id) };
      });
      const tasks = new Map((await ctx.prisma.weComOutreachTask.findMany({ where: { id: { in: ids } } })).map((task) => [task.phone, task]));
      for (const item of items) if (!item.error) item.task = tasks.get(normalized[item.index]!) ?? null;
      return { items };
    },
  }),
}));
