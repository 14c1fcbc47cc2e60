// Staff binding and transfer (在职继承 / 离职继承). The staff member who added a customer owns it
// (set by the add callback); transferCustomers hands customers to another staff member through
// WeCom: WeCom's limits are checked first, one transfer per customer is recorded, WeCom is asked
// (transfer_customer with transfer_success_msg in service, resigned/transfer_customer otherwise),
// and the runtime settles each transfer later from transfer_result or the transfer_fail callback,
// moving the owner only when WeCom says the takeover is done.
import type { WeComTransfer } from '@courtyard/db';
import { encodeGlobalID } from '@pothos/plugin-relay';
import { WeComError } from '@courtyard/wecom';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { InputError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { decodeId, parse } from './validation.ts';
import { rejectedBy, WeComRejectedError } from './wecom-errors.ts';
import { WeComLimitError } from './wecom-limits.ts';
import { liveConnection } from './wecom-store.ts';

/** external_userid per transfer_customer call (notes §9). */
export const TRANSFER_BATCH = 100;
/** An in-service transfer per customer: at most 2 in 90 days (notes §9). */
export const TRANSFERS_PER_90_DAYS = 2;
/** transfer_success_msg (notes §9). */
const MESSAGE_MAX = 200;
/** WeCom completes a takeover 24 h after it starts (notes §9): the first read of transfer_result. */
const TAKEOVER_MS = 24 * 3_600_000;

const ModeEnum = builder.enumType('WeComTransferMode', {
  description: 'Which WeCom transfer: 在职继承 or 离职继承.',
  values: {
    in_service: { value: 'in_service', description: 'From an active staff member (transfer_customer): the customer gets the message and may refuse within 24 h; at most twice per customer in 90 days.' },
    resigned: { value: 'resigned', description: 'From a staff member who has left (resigned/transfer_customer); the from staff account must be deactivated.' },
  } as const,
});

const StatusEnum = builder.enumType('WeComTransferStatus', {
  description: 'Where a customer\'s transfer stands.',
  values: {
    waiting: { value: 'waiting', description: 'WeCom accepted it; the takeover completes 24 h later unless the customer refuses.' },
    succeeded: { value: 'succeeded', description: 'WeCom completed it; the customer\'s owner is now the new staff member.' },
    failed: { value: 'failed', description: 'Refused by the customer, the new staff member is full, or WeCom refused it; `failReason` says which. The owner did not change.' },
  } as const,
});

const TransferRef = builder.prismaObject('WeComTransfer', {
  description: 'One customer\'s transfer between two staff members through WeCom.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'The transfer\'s id.' }),
    customer: t.relation('customer', { description: 'The customer.' }),
    mode: t.field({ type: ModeEnum, description: 'In service or resigned.', resolve: (r) => r.mode }),
    fromStaff: t.relation('fromStaff', { description: 'The staff member handing the customer over.' }),
    toStaff: t.relation('toStaff', { description: 'The staff member taking the customer over.' }),
    status: t.field({ type: StatusEnum, description: 'Where it stands.', resolve: (r) => r.status }),
    failReason: t.exposeString('failReason', {
      nullable: true,
      description: 'Why it failed: customer_refused, customer_limit_exceed (the new staff member has too many customers), no_record (WeCom has no such transfer), or errcode_<n> when WeCom refused it when asked.',
    }),
    message: t.exposeString('message', { nullable: true, description: 'The message WeCom showed the customer (in service only).' }),
    takeoverAt: t.expose('takeoverAt', { type: 'DateTime', nullable: true, description: 'When WeCom completes (or completed) the takeover.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was started.' }),
    settledAt: t.expose('settledAt', { type: 'DateTime', nullable: true, description: 'When it succeeded or failed.' }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'The last problem reading it back from WeCom.' }),
  }),
});

const TransferInput = builder.inputType('TransferCustomersInput', {
  description: 'Customers to hand to another staff member: either `customerIds` (at most 100, WeCom\'s batch) or every customer of `fromStaffId`.',
  fields: (t) => ({
    customerIds: t.idList({ description: 'The customers; each is transferred from its current owner.' }),
    fromStaffId: t.id({ description: 'Every WeCom customer this staff member owns (sent to WeCom 100 at a time).' }),
    toStaffId: t.id({ required: true, description: 'The staff member taking the customers over (active, with a WeCom userid).' }),
    mode: t.field({ type: ModeEnum, required: true, description: 'in_service or resigned.' }),
    message: t.string({ description: 'In service only: the message WeCom shows the customer (transfer_success_msg, ≤ 200 characters); default WeCom\'s own.' }),
  }),
});

const PayloadRef = builder.objectRef<{ transfers: WeComTransfer[]; waiting: number; failed: number }>('TransferCustomersPayload').implement({
  description: 'The transfers started: `waiting` ones complete in 24 h unless refused; those WeCom refused at once are `failed` with the reason.',
  fields: (t) => ({
    transfers: t.field({ type: [TransferRef], description: 'One per customer.', resolve: (p) => p.transfers }),
    waiting: t.exposeInt('waiting', { description: 'Transfers WeCom accepted.' }),
    failed: t.exposeInt('failed', { description: 'Transfers WeCom refused at once.' }),
  }),
});

const zInput = z.object({
  customerIds: z.array(z.string()).min(1).nullish(),
  fromStaffId: z.string().nullish(),
  toStaffId: z.string(),
  mode: z.enum(['in_service', 'resigned']),
  message: z.string().trim().min(1).max(MESSAGE_MAX).nullish(),
});

interface Candidate {
  id: string;
  wecomExternalId: string;
  ownerStaffId: string;
  index: number | null;
}

type Raw = typeof TransferInput.$inferInput;

async function resolveRequest(ctx: Context, workspaceId: string, raw: Raw) {
  const input = parse(zInput, raw, ['input']);
  if ((input.customerIds ? 1 : 0) + (input.fromStaffId ? 1 : 0) !== 1) {
    throw new InputError({ path: ['input', 'customerIds'], message: 'give either customerIds or fromStaffId', code: 'required' });
  }
  if (input.customerIds && input.customerIds.length > TRANSFER_BATCH) {
    throw new WeComLimitError(`WeCom transfers at most ${TRANSFER_BATCH} customers a call; pass ${input.customerIds.length} in batches of ${TRANSFER_BATCH}, or use fromStaffId.`, 'input.customerIds', 'transfer_batch', TRANSFER_BATCH);
  }
  if (input.mode === 'resigned' && input.message) {
    throw new InputError({ path: ['input', 'message'], message: 'WeCom shows no message for a resigned transfer (resigned/transfer_customer has no transfer_success_msg)', code: 'not_allowed' });
  }
  const toStaffId = decodeId(input.toStaffId, 'Staff', ['input', 'toStaffId']);
  const toStaff = await ctx.prisma.staff.findFirst({ where: { id: toStaffId, workspaceId } });
  if (!toStaff) throw new NotFoundError('staff', 'input.toStaffId', input.toStaffId);
  if (!toStaff.active || !toStaff.wecomUserId) throw new InputError({ path: ['input', 'toStaffId'], message: `${toStaff.name} ${toStaff.active ? 'has no WeCom userid' : 'is deactivated'} and cannot take customers over`, code: 'cannot_take_over' });

  let candidates: Candidate[];
  if (input.fromStaffId) {
    const fromStaffId = decodeId(input.fromStaffId, 'Staff', ['input', 'fromStaffId']);
    const from = await ctx.prisma.staff.findFirst({ where: { id: fromStaffId, workspaceId }, select: { id: true } });
    if (!from) throw new NotFoundError('staff', 'input.fromStaffId', input.fromStaffId);
    const rows = await ctx.prisma.customer.findMany({ where: { workspaceId, ownerStaffId: fromStaffId, wecomExternalId: { not: null } }, select: { id: true, wecomExternalId: true, ownerStaffId: true }, orderBy: { id: 'asc' } });
    candidates = rows.map((r) => ({ id: r.id, wecomExternalId: r.wecomExternalId!, ownerStaffId: r.ownerStaffId!, index: null }));
    if (!candidates.length) throw new InputError({ path: ['input', 'fromStaffId'], message: 'this staff member owns no WeCom customers', code: 'nothing_to_transfer' });
  } else {
    const ids = input.customerIds!.map((id, i) => decodeId(id, 'Customer', ['input', 'customerIds', String(i)]));
    const rows = new Map((await ctx.prisma.customer.findMany({ where: { workspaceId, id: { in: ids } }, select: { id: true, wecomExternalId: true, ownerStaffId: true } })).map((r) => [r.id, r]));
    const missing = ids.findIndex((id) => !rows.has(id));
    if (missing >= 0) throw new NotFoundError('customer', `input.customerIds.${missing}`, input.customerIds![missing]!);
    const issues = ids.flatMap((id, i) => {
      const c = rows.get(id)!;
      if (!c.wecomExternalId) return [{ path: ['input', 'customerIds', String(i)], message: 'the customer is not a WeCom contact', code: 'not_on_wecom' }];
      if (!c.ownerStaffId) return [{ path: ['input', 'customerIds', String(i)], message: 'the customer has no owner to transfer from', code: 'no_owner' }];
      if (c.ownerStaffId === toStaffId) return [{ path: ['input', 'customerIds', String(i)], message: 'the customer already belongs to the new staff member', code: 'already_owned' }];
      return [];
    });
    if (issues.length) throw new InputError(issues);
    candidates = [...new Set(ids)].map((id) => ({ ...(rows.get(id) as { id: string; wecomExternalId: string; ownerStaffId: string }), index: ids.indexOf(id) }));
  }
  const field = (c: Candidate) => (c.index === null ? 'input.fromStaffId' : `input.customerIds.${c.index}`);

  const owners = new Map((await ctx.prisma.staff.findMany({ where: { workspaceId, id: { in: [...new Set(candidates.map((c) => c.ownerStaffId))] } } })).map((s) => [s.id, s]));
  const ownerIssues = candidates.flatMap((c) => {
    const owner = owners.get(c.ownerStaffId)!;
    const path = field(c).split('.');
    if (!owner.wecomUserId) return [{ path, message: `${owner.name} has no WeCom userid`, code: 'not_on_wecom' }];
    if (input.mode === 'resigned' && owner.active) return [{ path, message: `${owner.name} is still active: deactivate the account for a resigned transfer, or use in_service`, code: 'still_active' }];
    if (input.mode === 'in_service' && !owner.active) return [{ path, message: `${owner.name} is deactivated: use mode resigned`, code: 'resigned' }];
    return [];
  });
  // With fromStaffId every customer names the same field: say it once.
  const unique = [...new Map(ownerIssues.map((i) => [`${i.path.join('.')}|${i.code}`, i])).values()];
  if (unique.length) throw new InputError(unique.slice(0, 100));

  const ids = candidates.map((c) => c.id);
  const pending = await ctx.prisma.weComTransfer.findMany({ where: { workspaceId, customerId: { in: ids }, status: 'waiting' }, select: { customerId: true } });
  if (pending.length) {
    const busy = new Set(pending.map((p) => p.customerId));
    throw new InputError(candidates.filter((c) => busy.has(c.id)).slice(0, 100).map((c) => ({ path: field(c).split('.'), message: 'a transfer of this customer is already waiting', code: 'transfer_waiting' })));
  }
  if (input.mode === 'in_service') {
    const since = new Date(Date.now() - 90 * 86_400_000);
    const recent = await ctx.prisma.weComTransfer.groupBy({ by: ['customerId'], where: { workspaceId, customerId: { in: ids }, mode: 'in_service', status: { in: ['waiting', 'succeeded'] }, createdAt: { gte: since } }, _count: true });
    const over = recent.filter((r) => r._count >= TRANSFERS_PER_90_DAYS).map((r) => r.customerId);
    if (over.length) {
      const first = candidates.find((c) => over.includes(c.id))!;
      throw new WeComLimitError(
        `WeCom transfers a customer in service at most ${TRANSFERS_PER_90_DAYS} times in 90 days; ${over.length} of these customers already were. Leave them out.`,
        first.index === null ? 'input.fromStaffId' : 'input.customerIds',
        'transfer_twice_in_90_days',
        TRANSFERS_PER_90_DAYS,
        over.slice(0, 100).map((id) => encodeGlobalID('Customer', id)),
      );
    }
  }
  return { input, toStaff: { id: toStaff.id, userId: toStaff.wecomUserId }, candidates, owners };
}

builder.queryFields((t) => ({
  wecomTransfers: t.prismaConnection({
    type: 'WeComTransfer',
    cursor: 'id',
    description: 'Customer transfers between staff members, newest first, with their states.',
    authScopes: { 'wecom:read': true },
    args: {
      status: t.arg({ type: StatusEnum, description: 'Only transfers in this state.' }),
      staffId: t.arg.id({ description: 'Only transfers from or to this staff member.' }),
      customerId: t.arg.id({ description: 'Only this customer\'s transfers.' }),
    },
    resolve: (query, _root, args, ctx) => {
      const staffId = args.staffId ? decodeId(String(args.staffId), 'Staff', ['staffId']) : null;
      return ctx.prisma.weComTransfer.findMany({
        ...query,
        where: {
          workspaceId: ctx.workspaceId(),
          ...(args.status ? { status: args.status } : {}),
          ...(staffId ? { OR: [{ fromStaffId: staffId }, { toStaffId: staffId }] } : {}),
          ...(args.customerId ? { customerId: decodeId(String(args.customerId), 'Customer', ['customerId']) } : {}),
        },
        orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
      });
    },
  }),
}));

builder.mutationFields((t) => ({
  transferCustomers: t.field({
    type: PayloadRef,
    description:
      'Hands customers to another staff member through WeCom (在职继承 transfer_customer / 离职继承 resigned/transfer_customer). WeCom\'s limits are checked first (100 customers a call, twice in 90 days in service); each customer gets a transfer, `waiting` until WeCom completes it 24 h later (then the owner moves) or the customer refuses (`failed` with the reason; the owner stays).',
    authScopes: { 'wecom:write': true },
    args: { input: t.arg({ type: TransferInput, required: true, description: 'Who, to whom, and how.' }) },
    errors: { types: [InputError, NotFoundError, WeComLimitError, WeComRejectedError], union: resultUnion('transferring customers') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const { input, toStaff, candidates, owners } = await resolveRequest(ctx, workspaceId, args.input);
      const conn = await liveConnection(ctx.db, workspaceId);
      if (!conn) throw new WeComRejectedError('WeCom is not connected: call connectWeCom first.', 'input', null);

      // Recorded before WeCom is asked, so an answer lost on the way back leaves a row the poller settles.
      const created = await ctx.prisma.weComTransfer.createManyAndReturn({
        data: candidates.map((c) => ({
          workspaceId,
          customerId: c.id,
          externalUserId: c.wecomExternalId,
          mode: input.mode,
          fromStaffId: c.ownerStaffId,
          toStaffId: toStaff.id,
          handoverUserId: owners.get(c.ownerStaffId)!.wecomUserId!,
          takeoverUserId: toStaff.userId,
          message: input.message ?? null,
          nextPollAt: new Date(Date.now() + TAKEOVER_MS),
        })),
        select: { id: true, externalUserId: true, handoverUserId: true },
      });
      const batches: (typeof created)[] = [];
      for (const handover of new Set(created.map((c) => c.handoverUserId))) {
        const rows = created.filter((c) => c.handoverUserId === handover);
        for (let i = 0; i < rows.length; i += TRANSFER_BATCH) batches.push(rows.slice(i, i + TRANSFER_BATCH));
      }
      let accepted = 0;
      for (const [n, batch] of batches.entries()) {
        const request = { handover_userid: batch[0]!.handoverUserId, takeover_userid: toStaff.userId, external_userid: batch.map((b) => b.externalUserId) };
        try {
          const answer =
            input.mode === 'resigned'
              ? await conn.client.call('externalcontact/resigned/transfer_customer', request)
              : await conn.client.call('externalcontact/transfer_customer', { ...request, ...(input.message ? { transfer_success_msg: input.message } : {}) });
          const codes = new Map(answer.customer.map((c) => [c.external_userid, c.errcode]));
          for (const row of batch) {
            const code = codes.get(row.externalUserId);
            if (code === 0) accepted++;
            // errcode 0 only starts the takeover (notes §9); anything else ends this customer's transfer now.
            else await ctx.prisma.weComTransfer.update({ where: { id: row.id }, data: { status: 'failed', failReason: `errcode_${code ?? 'missing'}`, settledAt: new Date(), nextPollAt: null } });
          }
        } catch (error) {
          if (error instanceof WeComError && n === 0 && accepted === 0 && batches.length === 1) {
            // WeCom refused the only call: nothing happened there, so nothing is kept here.
            await ctx.prisma.weComTransfer.deleteMany({ where: { id: { in: created.map((c) => c.id) } } });
            rejectedBy(error, input.fromStaffId ? 'input.fromStaffId' : 'input.customerIds', { 60111: 'input.toStaffId' });
          }
          // A later batch: WeCom answered for the earlier ones, so this one is recorded as failed with the code.
          // No answer at all may still have reached WeCom: those stay waiting for the poller.
          if (error instanceof WeComError) {
            await ctx.prisma.weComTransfer.updateMany({ where: { id: { in: batch.map((b) => b.id) } }, data: { status: 'failed', failReason: `errcode_${error.code}`, settledAt: new Date(), nextPollAt: null } });
          }
        }
      }
      const transfers = await ctx.prisma.weComTransfer.findMany({ where: { id: { in: created.map((c) => c.id) } }, orderBy: { createdAt: 'asc' } });
      return { transfers, waiting: transfers.filter((t) => t.status === 'waiting').length, failed: transfers.filter((t) => t.status === 'failed').length };
    },
  }),
}));
