// Staff sub-accounts: the brand's people customers are added to (WeCom users), who own customers
// and send campaign messages within their per-minute and per-day limits.
import type { Prisma } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import { ConflictError, InputError, isUniqueViolation, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { decodeId, parse, zText } from './validation.ts';

builder.prismaNode('Staff', {
  id: { field: 'id' },
  nullable: true,
  description: 'A staff sub-account: owns customers and sends campaign messages as itself, within its limits.',
  authScopes: { 'workspace:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    staffId: t.exposeString('id', { description: 'The database id campaign definitions (`senderStaffIds`) and the assign-owner node take.' }),
    name: t.exposeString('name', { description: 'Display name.' }),
    wecomUserId: t.exposeString('wecomUserId', { nullable: true, description: 'The WeCom user id (userid) of the account; unique in the workspace.' }),
    active: t.exposeBoolean('active', { description: 'Whether the account sends and receives customers; a deactivated sender is refused by campaigns.' }),
    perMinuteLimit: t.exposeInt('perMinuteLimit', { description: 'Campaign messages it may send in any minute.' }),
    perDayLimit: t.exposeInt('perDayLimit', { description: 'Campaign messages it may send per day (workspace time zone).' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the account was added.' }),
  }),
});

builder.queryFields((t) => ({
  staff: t.prismaField({
    type: ['Staff'],
    description: 'The workspace\'s staff sub-accounts, by name.',
    authScopes: { 'workspace:read': true },
    args: { active: t.arg.boolean({ description: 'Only active (true) or deactivated (false) accounts; default all.' }) },
    resolve: (query, _root, args, ctx) =>
      ctx.prisma.staff.findMany({
        ...query,
        where: { workspaceId: ctx.workspaceId(), ...(args.active != null ? { active: args.active } : {}) },
        orderBy: [{ name: 'asc' }, { id: 'asc' }],
      }),
  }),
}));

const limit = (what: string) => z.number().int({ message: 'must be a whole number' }).min(1, { message: `must be at least 1 ${what}` }).max(100_000, { message: 'must be at most 100,000' });
const zWecomUserId = z.string().trim().min(1).max(64).regex(/^[A-Za-z0-9_.@-]+$/, { message: 'use the WeCom userid: letters, digits, _ . @ -' });

const StaffInput = builder.inputType('StaffInput', {
  description: 'A new staff sub-account.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Display name (at most 100 characters).' }),
    wecomUserId: t.string({ description: 'The WeCom userid, unique in the workspace.' }),
    perMinuteLimit: t.int({ description: 'Campaign messages per minute (1–100,000). Default 20.' }),
    perDayLimit: t.int({ description: 'Campaign messages per day (1–100,000). Default 200.' }),
  }),
});

const StaffPatch = builder.inputType('StaffPatch', {
  description: 'Changes to a staff sub-account; omitted fields stay.',
  fields: (t) => ({
    name: t.string({ description: 'New display name.' }),
    wecomUserId: t.string({ description: 'New WeCom userid.' }),
    active: t.boolean({ description: 'Activate or deactivate the account.' }),
    perMinuteLimit: t.int({ description: 'Campaign messages per minute (1–100,000).' }),
    perDayLimit: t.int({ description: 'Campaign messages per day (1–100,000).' }),
  }),
});

function conflict(error: unknown, wecomUserId: string | null | undefined): never {
  if (isUniqueViolation(error)) throw new ConflictError(`A staff account with WeCom userid "${wecomUserId}" exists.`, 'input.wecomUserId');
  throw error;
}

builder.mutationFields((t) => ({
  createStaff: t.prismaField({
    type: 'Staff',
    description: 'Adds a staff sub-account.',
    authScopes: { 'workspace:write': true },
    args: { input: t.arg({ type: StaffInput, required: true, description: 'The account.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('adding a staff account') },
    resolve: async (query, _root, args, ctx) => {
      const data: Prisma.StaffUncheckedCreateInput = { workspaceId: ctx.workspaceId(), name: parse(zText(100), args.input.name, ['input', 'name']) };
      if (args.input.wecomUserId != null) data.wecomUserId = parse(zWecomUserId, args.input.wecomUserId, ['input', 'wecomUserId']);
      if (args.input.perMinuteLimit != null) data.perMinuteLimit = parse(limit('a minute'), args.input.perMinuteLimit, ['input', 'perMinuteLimit']);
      if (args.input.perDayLimit != null) data.perDayLimit = parse(limit('a day'), args.input.perDayLimit, ['input', 'perDayLimit']);
      try {
        return await ctx.prisma.staff.create({ ...query, data });
      } catch (error) {
        return conflict(error, data.wecomUserId);
      }
    },
  }),
  updateStaff: t.prismaField({
    type: 'Staff',
    description: 'Renames a staff account, changes its WeCom userid or limits, or (de)activates it.',
    authScopes: { 'workspace:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The account.' }),
      input: t.arg({ type: StaffPatch, required: true, description: 'The changes.' }),
    },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('updating a staff account') },
    resolve: async (query, _root, args, ctx) => {
      const id = decodeId(String(args.id), 'Staff', ['id']);
      const data: Prisma.StaffUpdateInput = {};
      if (args.input.name != null) data.name = parse(zText(100), args.input.name, ['input', 'name']);
      if (args.input.wecomUserId != null) data.wecomUserId = parse(zWecomUserId, args.input.wecomUserId, ['input', 'wecomUserId']);
      if (args.input.active != null) data.active = args.input.active;
      if (args.input.perMinuteLimit != null) data.perMinuteLimit = parse(limit('a minute'), args.input.perMinuteLimit, ['input', 'perMinuteLimit']);
      if (args.input.perDayLimit != null) data.perDayLimit = parse(limit('a day'), args.input.perDayLimit, ['input', 'perDayLimit']);
      const found = await ctx.prisma.staff.findFirst({ where: { id, workspaceId: ctx.workspaceId() }, select: { id: true } });
      if (!found) throw new NotFoundError('staff account', 'id', String(args.id));
      try {
        return await ctx.prisma.staff.update({ ...query, where: { id }, data });
      } catch (error) {
        return conflict(error, args.input.wecomUserId);
      }
    },
  }),
}));
