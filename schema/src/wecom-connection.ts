// The workspace's WeCom connection: connect (or change credentials), checked against WeCom before
// anything is stored; read back with its secrets masked.
import type { WeComClient } from '@courtyard/wecom';
import { decodeAesKey, WECOM_BASE_URL } from '@courtyard/wecom';
import { z } from 'zod';
import { builder } from './builder.ts';
import { InputError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { parse } from './validation.ts';
import { rejectedBy, WeComRejectedError } from './wecom-errors.ts';
import { liveConnection, openConnection, storeWeComConnection, weComClient } from './wecom-store.ts';

export const CALLBACK_PATH_PREFIX = '/wecom/callback/';

const ConnectionStatusEnum = builder.enumType('WeComConnectionStatus', {
  description: 'Whether WeCom accepted the connection\'s credentials when they were last used.',
  values: {
    connected: { value: 'connected', description: 'The last token fetch succeeded.' },
    failing: { value: 'failing', description: 'WeCom refused the credentials when they were last used; see lastError.' },
  } as const,
});

builder.prismaObject('WeComConnection', {
  description: 'The workspace\'s WeCom app. Secrets are stored encrypted and never returned: only a hint of the agent secret.',
  fields: (t) => ({
    corpId: t.exposeString('corpId', { description: 'The corp id (企业ID).' }),
    agentSecretHint: t.string({ description: 'The agent secret masked but for its last 4 characters, e.g. "••••••a1b2".', resolve: (c) => `••••••${c.secretHint}` }),
    baseUrl: t.string({ description: `WeCom's API host; ${WECOM_BASE_URL} unless set (a stand-in in tests and the demo).`, resolve: (c) => c.baseUrl ?? WECOM_BASE_URL }),
    callbackPath: t.string({ description: 'The path to give WeCom as the callback URL (after this server\'s public origin).', resolve: (c) => `${CALLBACK_PATH_PREFIX}${c.workspaceId}` }),
    status: t.field({ type: ConnectionStatusEnum, description: 'Whether WeCom accepted the credentials when they were last used.', resolve: (c) => c.status }),
    lastError: t.exposeString('lastError', { nullable: true, description: 'What WeCom answered when the credentials last failed.' }),
    lastCheckedAt: t.expose('lastCheckedAt', { type: 'DateTime', nullable: true, description: 'When the credentials were last checked against WeCom.' }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime', description: 'When the connection last changed.' }),
  }),
});

const ConnectInput = builder.inputType('ConnectWeComInput', {
  description: 'The WeCom app\'s credentials. When the workspace is already connected, a secret left out keeps its stored value.',
  fields: (t) => ({
    corpId: t.string({ required: true, description: 'The corp id (企业ID), e.g. ww1234567890abcdef.' }),
    agentSecret: t.string({ description: 'The secret of a self-built app listed under 客户联系 → 可调用接口的应用. Required on first connect.' }),
    callbackToken: t.string({ description: 'The callback Token (letters and digits, at most 32). Required on first connect.' }),
    encodingAesKey: t.string({ description: 'The callback EncodingAESKey (43 letters and digits). Required on first connect.' }),
    baseUrl: t.string({ description: `WeCom's API host; default ${WECOM_BASE_URL}. Set a stand-in's URL for tests or the demo; null resets it.` }),
  }),
});

const zInput = z.object({
  corpId: z.string().trim().regex(/^[A-Za-z0-9]{1,64}$/, { message: 'use the corp id from 我的企业 → 企业信息: letters and digits' }),
  agentSecret: z.string().trim().min(1).max(256).nullish(),
  callbackToken: z.string().regex(/^[A-Za-z0-9]{1,32}$/, { message: 'must be 1–32 letters or digits (WeCom\'s rule)' }).nullish(),
  encodingAesKey: z
    .string()
    .regex(/^[A-Za-z0-9]{43}$/, { message: 'must be exactly 43 letters or digits (WeCom\'s rule)' })
    .refine((k) => {
      try {
        return decodeAesKey(k).length === 32;
      } catch {
        return false;
      }
    }, { message: 'does not decode to a 32-byte AES key' })
    .nullish(),
  baseUrl: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).nullish(),
});

builder.queryFields((t) => ({
  wecomConnection: t.prismaField({
    type: 'WeComConnection',
    nullable: true,
    description: 'The workspace\'s WeCom connection; null when WeCom is not connected.',
    authScopes: { 'wecom:read': true },
    resolve: (query, _root, _args, ctx) => ctx.prisma.weComConnection.findUnique({ ...query, where: { workspaceId: ctx.workspaceId() } }),
  }),
}));

builder.mutationFields((t) => ({
  connectWeCom: t.prismaField({
    type: 'WeComConnection',
    description:
      'Connects the workspace to its WeCom app, or changes the credentials. WeCom is asked for an access token and for the contact ways with them first: nothing is stored when it refuses (e.g. 40001 → field input.agentSecret, 40013 → input.corpId, 48002 → the app lacks customer-contact permission).',
    authScopes: { 'wecom:write': true },
    args: { input: t.arg({ type: ConnectInput, required: true, description: 'The credentials.' }) },
    errors: { types: [InputError, WeComRejectedError], union: resultUnion('connecting WeCom') },
    resolve: async (query, _root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const input = parse(zInput, args.input, ['input']);
      const existing = await ctx.prisma.weComConnection.findUnique({ where: { workspaceId } });
      const previous = existing ? openConnection(existing) : null;
      const missing = (['agentSecret', 'callbackToken', 'encodingAesKey'] as const).filter((f) => !input[f] && !previous);
      if (missing.length) throw new InputError(missing.map((f) => ({ path: ['input', f], message: 'is required to connect WeCom', code: 'required' })));
      const agentSecret = input.agentSecret ?? previous!.agentSecret;
      const callbackToken = input.callbackToken ?? previous!.callbackToken;
      const encodingAesKey = input.encodingAesKey ?? previous!.encodingAesKey;
      const baseUrl = args.input.baseUrl === null ? null : (input.baseUrl ?? existing?.baseUrl ?? null);
      const client: WeComClient = weComClient({ corpId: input.corpId, agentSecret, baseUrl });
      try {
        await client.getAccessToken();
        // A token alone does not prove the app may use customer contact (48002 comes on use).
        await client.call('externalcontact/list_contact_way', { limit: 1 });
      } catch (error) {
        rejectedBy(error, 'input.agentSecret', { 40013: 'input.corpId', 0: 'input.baseUrl' });
      }
      await storeWeComConnection(ctx.db, { workspaceId, corpId: input.corpId, agentSecret, callbackToken, encodingAesKey, baseUrl });
      const row = await ctx.prisma.weComConnection.findUniqueOrThrow({ ...query, where: { workspaceId } });
      await liveConnection(ctx.db, workspaceId);
      return row;
    },
  }),
}));
