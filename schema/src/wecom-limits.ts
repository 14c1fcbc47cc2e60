// WeCom's limits on staff tasks as one typed error, checked before WeCom is called, and the
// workspace settings for the limits Courtyard applies itself (outreach per staff per day, moments
// per customer per day).
import type { Db } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import { CourtyardError, InputError } from './errors.ts';
import { ErrorInterface, resultUnion } from './error-types.ts';
import { parse } from './validation.ts';

/** Which rule a request would break. */
export type WeComLimitRule = 'transfer_batch' | 'transfer_twice_in_90_days' | 'moments_per_customer_day';

/** The request would break one of WeCom's limits (or the brand's, from the domain seed). Nothing was sent to WeCom. */
export class WeComLimitError extends CourtyardError {
  constructor(
    message: string,
    /** The input field to change, e.g. `input.customerIds`. */
    readonly field: string,
    readonly rule: WeComLimitRule,
    readonly limit: number,
    /** Global ids of the items over the limit (customers), at most 100. */
    readonly over: string[] = [],
  ) {
    super(message, 'WECOM_LIMIT');
  }
}

builder.objectType(WeComLimitError, {
  name: 'WeComLimitError',
  description: 'The request would break a WeCom limit; `field` names the input to change and `over` the items over it. Checked before WeCom is called: nothing was sent or stored.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof WeComLimitError,
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The input field to change, e.g. "input.customerIds".' }),
    rule: t.exposeString('rule', { description: 'transfer_batch (100 customers a call), transfer_twice_in_90_days (a customer may be transferred in service at most twice in 90 days), moments_per_customer_day (brand moments one customer may see a day).' }),
    limit: t.exposeInt('limit', { description: 'The limit.' }),
    over: t.exposeStringList('over', { description: 'IDs of the items over the limit (customers), at most 100.' }),
  }),
});

export interface StaffTaskSettings {
  outreachPerStaffDay: number;
  outreachExpiryDays: number;
  momentsPerCustomerDay: number;
  /** Hours staff have to act on a moment or group send (shared with customer mass sends). */
  confirmHours: number;
}

export async function staffTaskSettings(db: Db, workspaceId: string): Promise<StaffTaskSettings & { timeZone: string }> {
  const ws = await db.prisma.workspace.findUniqueOrThrow({
    where: { id: workspaceId },
    select: { wecomOutreachPerStaffDay: true, wecomOutreachExpiryDays: true, wecomMomentsPerCustomerDay: true, wecomMassSendHours: true, timeZone: true },
  });
  return {
    outreachPerStaffDay: ws.wecomOutreachPerStaffDay,
    outreachExpiryDays: ws.wecomOutreachExpiryDays,
    momentsPerCustomerDay: ws.wecomMomentsPerCustomerDay,
    confirmHours: ws.wecomMassSendHours,
    timeZone: ws.timeZone,
  };
}

const SettingsRef = builder.objectRef<StaffTaskSettings>('WeComStaffTaskSettings').implement({
  description: 'Limits Courtyard applies to WeCom staff tasks.',
  fields: (t) => ({
    outreachPerStaffDay: t.exposeInt('outreachPerStaffDay', { description: 'Phone-number add-friend tasks handed to one staff member a day; default 20 (WeCom publishes no figure: a conservative default so accounts are not flagged).' }),
    outreachExpiryDays: t.exposeInt('outreachExpiryDays', { description: 'Days an add-friend task stays pending before it expires; default 7.' }),
    momentsPerCustomerDay: t.exposeInt('momentsPerCustomerDay', { description: 'Brand moments one customer may see a day; default 3 (domain seed 000: "同一客户一天内可收到3条企业的朋友圈内容"; not in WeCom\'s API docs).' }),
    confirmHours: t.exposeInt('confirmHours', { description: 'Hours staff have to publish a moment or confirm a group send before it counts as not published / not sent (the mass-send setting).' }),
  }),
});

const zSettings = z.object({
  outreachPerStaffDay: z.number().int().min(1).max(500).nullish(),
  outreachExpiryDays: z.number().int().min(1).max(90).nullish(),
  momentsPerCustomerDay: z.number().int().min(1).max(20).nullish(),
});

const SettingsInput = builder.inputType('WeComStaffTaskSettingsInput', {
  description: 'Changes to the staff-task limits; a field left out keeps its value.',
  fields: (t) => ({
    outreachPerStaffDay: t.int({ description: 'Add-friend tasks per staff member per day (1–500).' }),
    outreachExpiryDays: t.int({ description: 'Days before a pending add-friend task expires (1–90).' }),
    momentsPerCustomerDay: t.int({ description: 'Brand moments per customer per day (1–20).' }),
  }),
});

builder.queryFields((t) => ({
  wecomStaffTaskSettings: t.field({
    type: SettingsRef,
    description: 'The limits Courtyard applies to WeCom staff tasks (phone-number outreach, moments).',
    authScopes: { 'wecom:read': true },
    resolve: (_r, _a, ctx) => staffTaskSettings(ctx.db, ctx.workspaceId()),
  }),
}));

builder.mutationFields((t) => ({
  updateWeComStaffTaskSettings: t.field({
    type: SettingsRef,
    description: 'Changes the limits Courtyard applies to WeCom staff tasks.',
    authScopes: { 'wecom:write': true },
    args: { input: t.arg({ type: SettingsInput, required: true, description: 'What to change.' }) },
    errors: { types: [InputError], union: resultUnion('updating the WeCom staff-task settings') },
    resolve: async (_r, args, ctx) => {
      const input = parse(zSettings, args.input, ['input']);
      await ctx.prisma.workspace.update({
        where: { id: ctx.workspaceId() },
        data: {
          ...(input.outreachPerStaffDay ? { wecomOutreachPerStaffDay: input.outreachPerStaffDay } : {}),
          ...(input.outreachExpiryDays ? { wecomOutreachExpiryDays: input.outreachExpiryDays } : {}),
          ...(input.momentsPerCustomerDay ? { wecomMomentsPerCustomerDay: input.momentsPerCustomerDay } : {}),
        },
      });
      return staffTaskSettings(ctx.db, ctx.workspaceId());
    },
  }),
}));
