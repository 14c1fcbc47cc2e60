// Channels: the workspace's configured ways to reach customers (webhook, SMTP email, WeCom, log),
// which send-message nodes name by id. Secrets are written, never read back.
import type { Prisma } from '@courtyard/db';
import { CHANNEL_TYPES, ChannelConfigError, channelDrivers, parseChannelConfig } from '@courtyard/runtime/channels';
import { z } from 'zod';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { ConflictError, InputError, isUniqueViolation, NotFoundError } from './errors.ts';
import { DeletedRef, resultUnion } from './error-types.ts';
import { LocalizedTextRef } from './journey-node-types.ts';
import { zJSONObject } from './scalars.ts';
import { decodeId, parse, zText } from './validation.ts';

/** What a secret config field reads as. Sending it back in an update keeps the stored value. */
export const MASKED = '********';
const SECRET_FIELD = /secret|pass|token/i;

/** The config with every secret-looking field (secret, pass, password, token …) masked. */
export function maskSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, v]) => [key, SECRET_FIELD.test(key) && typeof v === 'string' && v !== '' ? MASKED : maskSecrets(v)]),
  );
}

const ChannelTypeEnum = builder.enumType('ChannelType', {
  description: 'A kind of channel.',
  values: {
    log: { value: 'log', description: 'Dry run: messages are recorded, nobody is messaged.' },
    webhook: { value: 'webhook', description: 'Each batch is POSTed, signed (Standard Webhooks), to the brand\'s own URL.' },
    email: { value: 'email', description: 'Email through the brand\'s SMTP server.' },
    wecom: { value: 'wecom', description: 'WeCom customer-contact mass-send tasks, confirmed by the customer\'s owner staff.' },
  } satisfies Record<(typeof CHANNEL_TYPES)[number], { value: string; description: string }>,
});
type ChannelType = (typeof CHANNEL_TYPES)[number];

builder.prismaNode('Channel', {
  id: { field: 'id' },
  nullable: true,
  description: 'A configured way to reach customers. Send-message nodes name it by its database id (`channelId`).',
  authScopes: { 'workspace:read': true },
  findUnique: (id, ctx) => ({ id, workspaceId: ctx.workspaceId() }),
  fields: (t) => ({
    channelId: t.exposeString('id', { description: 'The id a send-message node\'s `channel` config takes.' }),
    type: t.field({ type: ChannelTypeEnum, description: 'What kind of channel it is.', resolve: (c) => c.type as ChannelType }),
    name: t.exposeString('name', { description: 'Name, unique in the workspace.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Whether messages go out through it; a disabled channel skips them with a reason.' }),
    config: t.field({ type: 'JSONObject', description: `The settings, with secrets (secret, pass, token fields) shown as "${MASKED}".`, resolve: (c) => maskSecrets(c.config) }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the channel was created.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the channel last changed.' }),
  }),
});

const ChannelTypeInfoRef = builder.objectRef<ChannelType>('ChannelTypeInfo').implement({
  description: 'A kind of channel with the form of its settings.',
  fields: (t) => ({
    type: t.field({ type: ChannelTypeEnum, description: 'The kind.', resolve: (type) => type }),
    title: t.field({ type: LocalizedTextRef, description: 'Its name in the admin.', resolve: (type) => channelDrivers[type].title }),
    configSchema: t.field({
      type: 'JSONObject',
      description: 'JSON Schema of its settings.',
      resolve: (type) => z.toJSONSchema(channelDrivers[type].config as z.ZodType, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>,
    }),
  }),
});

builder.queryFields((t) => ({
  channels: t.prismaField({
    type: ['Channel'],
    description: 'The workspace\'s channels, by name.',
    authScopes: { 'workspace:read': true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.channel.findMany({ ...query, where: { workspaceId: ctx.workspaceId() }, orderBy: [{ name: 'asc' }, { id: 'asc' }] }),
  }),
  channelTypes: t.field({
    type: [ChannelTypeInfoRef],
    description: 'Every kind of channel, with the JSON Schema of its settings.',
    authScopes: { 'workspace:read': true },
    resolve: () => CHANNEL_TYPES,
  }),
}));

const ChannelInput = builder.inputType('ChannelInput', {
  description: 'A new channel.',
  fields: (t) => ({
    type: t.field({ type: ChannelTypeEnum, required: true, description: 'What kind of channel.' }),
    name: t.string({ required: true, description: 'Name, unique in the workspace (at most 100 characters).' }),
    config: t.field({ type: 'JSONObject', description: 'Settings, as `channelTypes.configSchema` describes for the type; default {}.' }),
    enabled: t.boolean({ description: 'Whether messages go out through it. Default true.' }),
  }),
});

const ChannelPatch = builder.inputType('ChannelPatch', {
  description: 'Changes to a channel; omitted fields stay.',
  fields: (t) => ({
    name: t.string({ description: 'New name.' }),
    config: t.field({
      type: 'JSONObject',
      description: `Settings to change, merged into the stored ones: a field left out, or sent as "${MASKED}", keeps its value (so secrets need not be sent again); a field set to null is removed.`,
    }),
    enabled: t.boolean({ description: 'Turn the channel on or off.' }),
  }),
});

/** The config checked by the channel type's schema; its errors name `input.config.<field>`. */
function checkConfig(type: string, config: unknown): Prisma.InputJsonValue {
  try {
    return parseChannelConfig(type, config) as Prisma.InputJsonValue;
  } catch (error) {
    if (!(error instanceof ChannelConfigError)) throw error;
    throw new InputError(error.issues.map((i) => ({ path: i.path[0] === 'type' && i.path.length === 1 ? ['input', 'type'] : ['input', 'config', ...i.path], message: i.message, code: 'invalid' })));
  }
}

function mergeConfig(stored: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const merged = { ...stored };
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete merged[key];
    else if (value !== MASKED) merged[key] = value;
  }
  return merged;
}

async function findChannel(ctx: Context, globalId: string) {
  const channel = await ctx.prisma.channel.findFirst({ where: { id: decodeId(globalId, 'Channel', ['id']), workspaceId: ctx.workspaceId() } });
  if (!channel) throw new NotFoundError('channel', 'id', globalId);
  return channel;
}

builder.mutationFields((t) => ({
  createChannel: t.prismaField({
    type: 'Channel',
    description: 'Adds a channel; its settings are checked against the type\'s schema.',
    authScopes: { 'workspace:write': true },
    args: { input: t.arg({ type: ChannelInput, required: true, description: 'The channel.' }) },
    errors: { types: [InputError, ConflictError], union: resultUnion('creating a channel') },
    resolve: async (query, _root, args, ctx) => {
      const name = parse(zText(100), args.input.name, ['input', 'name']);
      const config = checkConfig(args.input.type, args.input.config == null ? {} : parse(zJSONObject(), args.input.config, ['input', 'config']));
      try {
        return await ctx.prisma.channel.create({ ...query, data: { workspaceId: ctx.workspaceId(), type: args.input.type, name, config, enabled: args.input.enabled ?? true } });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError(`A channel named "${name}" exists.`, 'input.name');
        throw error;
      }
    },
  }),
  updateChannel: t.prismaField({
    type: 'Channel',
    description: 'Renames a channel, changes its settings or turns it on or off.',
    authScopes: { 'workspace:write': true },
    args: {
      id: t.arg.id({ required: true, description: 'The channel.' }),
      input: t.arg({ type: ChannelPatch, required: true, description: 'The changes.' }),
    },
    errors: { types: [InputError, NotFoundError, ConflictError], union: resultUnion('updating a channel') },
    resolve: async (query, _root, args, ctx) => {
      const channel = await findChannel(ctx, String(args.id));
      const data: Prisma.ChannelUpdateInput = {};
      if (args.input.name != null) data.name = parse(zText(100), args.input.name, ['input', 'name']);
      if (args.input.enabled != null) data.enabled = args.input.enabled;
      if (args.input.config != null) {
        const patch = parse(zJSONObject(), args.input.config, ['input', 'config']);
        data.config = checkConfig(channel.type, mergeConfig(channel.config as Record<string, unknown>, patch));
      }
      try {
        return await ctx.prisma.channel.update({ ...query, where: { id: channel.id }, data });
      } catch (error) {
        if (isUniqueViolation(error)) throw new ConflictError('A channel with this name exists.', 'input.name');
        throw error;
      }
    },
  }),
  deleteChannel: t.field({
    type: DeletedRef,
    description: 'Deletes a channel. Messages still queued for it, and send-message nodes naming it, are skipped with a reason from then on.',
    authScopes: { 'workspace:write': true },
    args: { id: t.arg.id({ required: true, description: 'The channel.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('deleting a channel') },
    resolve: async (_root, args, ctx) => {
      const channel = await findChannel(ctx, String(args.id));
      await ctx.prisma.channel.delete({ where: { id: channel.id } });
      return { id: String(args.id) };
    },
  }),
}));
