// The auto-repurchase audience: "bought X between M and N days ago and not since", built as an
// ordinary dynamic segment (so it is refreshed as orders come in and as days pass).
import type { SegmentDefinition } from '@courtyard/db/segments';
import { z } from 'zod';
import { builder } from './builder.ts';
import { ConflictError, InputError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { insertSegment } from './segment.ts';
import { checkDefinition } from './segment-definition.ts';
import { parse, zText } from './validation.ts';

const RepurchaseByEnum = builder.enumType('RepurchaseBy', {
  description: 'What a repurchase segment matches purchases by.',
  values: {
    sku: { value: 'sku', description: 'Order items with one of these SKUs.' },
    category: { value: 'category', description: 'Order items in one of these categories.' },
  } as const,
});

const RepurchaseSegmentInput = builder.inputType('RepurchaseSegmentInput', {
  description: 'Customers who bought one of `values` between `toDays` and `fromDays` days ago and have not bought any of them since, e.g. fromDays 30, toDays 60: bought 30–60 days ago, nothing in the last 30 days.',
  fields: (t) => ({
    name: t.string({ required: true, description: 'Name of the new segment, unique in the workspace.' }),
    description: t.string({ description: 'What the segment is for; default a sentence describing the rule.' }),
    by: t.field({ type: RepurchaseByEnum, required: true, description: 'Match by SKU or by category.' }),
    values: t.stringList({ required: true, description: 'The SKUs or categories (1 – 1,000).' }),
    fromDays: t.int({ required: true, description: 'The newest purchase must be at least this many days old (1 – 3,649).' }),
    toDays: t.int({ required: true, description: 'And at most this many days old; greater than fromDays (at most 3,650).' }),
  }),
});

const zRepurchase = z
  .object({
    values: z.array(z.string().trim().min(1, { message: 'must not be empty' }).max(128)).min(1, { message: 'name at least one value' }).max(1000),
    fromDays: z.number().int().min(1, { message: 'must be at least 1 day' }).max(3649),
    toDays: z.number().int().max(3650, { message: 'must be at most 3650 days' }),
  })
  .refine((r) => r.toDays > r.fromDays, { message: 'must be greater than fromDays', path: ['toDays'] });

builder.mutationFields((t) => ({
  createRepurchaseSegment: t.prismaField({
    type: 'Segment',
    description: 'Creates the dynamic segment of an auto-repurchase campaign: bought a product or category between `toDays` and `fromDays` days ago, and not since. Kept up to date like any dynamic segment.',
    authScopes: { 'segments:write': true },
    args: { input: t.arg({ type: RepurchaseSegmentInput, required: true, description: 'The rule.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('creating a repurchase segment') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const { input } = args;
      const name = parse(zText(100), input.name, ['input', 'name']);
      const rule = parse(zRepurchase, { values: input.values, fromDays: input.fromDays, toDays: input.toDays }, ['input']);
      const description =
        input.description == null
          ? `Bought ${input.by === 'sku' ? 'SKU' : 'category'} ${rule.values.join(', ')} ${rule.fromDays}–${rule.toDays} days ago and not since`.slice(0, 500)
          : parse(zText(500), input.description, ['input', 'description']);
      const purchased = (lastDays: number) => ({ kind: 'purchased' as const, by: input.by, values: rule.values, window: { lastDays } });
      // Bought within the last toDays days, but not within the last fromDays: the purchase lies between them, and none since.
      const raw: SegmentDefinition = { version: 1, root: { op: 'and', conditions: [purchased(rule.toDays), { op: 'not', condition: purchased(rule.fromDays) }] } };
      const definition = await checkDefinition(ctx, workspaceId, raw, ['input']);
      const segment = await insertSegment(ctx, { workspaceId, name, description, type: 'dynamic', definition });
      return ctx.prisma.segment.findUniqueOrThrow({ ...query, where: { id: segment.id } });
    },
  }),
}));
