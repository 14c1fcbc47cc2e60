// Partner accounts: sign-up, login and keys. A partner is an organisation apart from every brand
// workspace; its people are Members (one person may also belong to brand workspaces) and it acts
// through partner keys, which no workspace field accepts.
import { displayPrefix, hashPassword, hashSecret, isUuid, verifyPassword, type PrismaClient } from '@courtyard/db';
import { z } from 'zod';
import { builder } from './builder.ts';
import { ConflictError, InputError, InvalidCredentialsError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { generatePartnerKey, requirePartner, requirePartnerOwner } from './marketplace-auth.ts';
import { parse, zEmail, zText } from './validation.ts';

/** Keys made by `loginPartner` last this long; keys made by `createPartnerKey` until revoked. */
const LOGIN_KEY_DAYS = 30;

const PartnerRoleEnum = builder.enumType('PartnerRole', {
  description: 'What a person may do for a partner.',
  values: {
    owner: { value: 'owner', description: 'Everything: members, keys, the callback secret, publishing, deprecating. Whoever signed the partner up.' },
    developer: { value: 'developer', description: 'Publishes versions and follows their review.' },
  } as const,
});

export const PartnerRef = builder.prismaObject('Partner', {
  description: 'A partner service provider (服务商): publishes plugins that brands install. Seen in full only by the partner itself.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ID of the partner.' }),
    name: t.exposeString('name', { description: 'The organisation\'s name, unique in the marketplace.' }),
    contactEmail: t.exposeString('contactEmail', { description: 'Where the platform\'s operators write about reviews.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When the partner signed up.' }),
    members: t.relation('members', { description: 'The partner\'s people.', query: { orderBy: { createdAt: 'asc' } } }),
    viewerRole: t.field({
      type: PartnerRoleEnum,
      nullable: true,
      description: 'The calling person\'s role for this partner (owners manage members, keys and secrets); null for a key whose maker left.',
      resolve: async (p, _a, ctx) =>
        ctx.partner?.memberId
          ? ((await ctx.prisma.partnerMember.findUnique({ where: { partnerId_memberId: { partnerId: p.id, memberId: ctx.partner.memberId } }, select: { role: true } }))?.role ?? null)
          : null,
    }),
    keys: t.relation('keys', { description: 'The partner\'s keys, newest first, including revoked and expired ones. Secrets are never shown again.', query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] } }),
    plugins: t.relation('plugins', { description: 'The plugins the partner publishes, listed or not, newest first.', query: { orderBy: [{ createdAt: 'desc' }, { id: 'desc' }] } }),
  }),
});

builder.prismaObject('PartnerMember', {
  description: 'A person working for a partner.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ID of the partner membership.' }),
    role: t.expose('role', { type: PartnerRoleEnum, description: 'What they may do.' }),
    member: t.relation('member', { description: 'The person.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When they joined.' }),
  }),
});

builder.prismaObject('PartnerKey', {
  description: 'A key the partner\'s people and build pipelines send as `Authorization: Bearer`. Only a hash is stored.',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'ID of the key, used to revoke it.' }),
    name: t.exposeString('name', { description: 'What the key is for.' }),
    prefix: t.exposeString('prefix', { description: 'The first characters of the secret, to recognise the key.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When it stops working; null: when revoked.' }),
    createdAt: t.expose('createdAt', { type: 'DateTime', description: 'When it was made.' }),
    lastUsedAt: t.expose('lastUsedAt', { type: 'DateTime', nullable: true, description: 'When it last authenticated a request (to the minute); null if never.' }),
    revokedAt: t.expose('revokedAt', { type: 'DateTime', nullable: true, description: 'When it was revoked; null while it works.' }),
  }),
});

interface PartnerCredentialShape {
  secret: string;
  keyId: string;
  partnerId: string;
  expiresAt: Date | null;
}

const PartnerCredential = builder.objectRef<PartnerCredentialShape>('PartnerCredential').implement({
  description: 'A new partner key. Send it as `Authorization: Bearer <key>`; it acts for the partner only, never in a brand workspace.',
  fields: (t) => ({
    key: t.exposeString('secret', { description: 'The partner key (`cyp_…`); shown only this once.' }),
    expiresAt: t.expose('expiresAt', { type: 'DateTime', nullable: true, description: 'When it stops working; null: when revoked.' }),
    partner: t.prismaField({
      type: 'Partner',
      description: 'The partner it acts for.',
      resolve: (query, c, _a, ctx) => ctx.prisma.partner.findUniqueOrThrow({ ...query, where: { id: c.partnerId } }),
    }),
    partnerKey: t.prismaField({
      type: 'PartnerKey',
      description: 'The stored key.',
      resolve: (query, c, _a, ctx) => ctx.prisma.partnerKey.findUniqueOrThrow({ ...query, where: { id: c.keyId } }),
    }),
  }),
});

async function issueKey(prisma: PrismaClient, partnerId: string, memberId: string | null, name: string, expiresAt: Date | null): Promise<PartnerCredentialShape> {
  const secret = generatePartnerKey();
  const key = await prisma.partnerKey.create({
    data: { partnerId, memberId, name, prefix: displayPrefix(secret), secretHash: hashSecret(secret), expiresAt },
    select: { id: true },
  });
  return { secret, keyId: key.id, partnerId, expiresAt };
}

const SignUpPartnerInput = builder.inputType('SignUpPartnerInput', {
  description: 'A new partner and its first owner.',
  fields: (t) => ({
    partnerName: t.string({ required: true, description: 'The organisation\'s name, unique in the marketplace.' }),
    contactEmail: t.string({ description: 'Where operators write about reviews; default the owner\'s email.' }),
    name: t.string({ required: true, description: 'The owner\'s display name (ignored when the email already signs in to Courtyard).' }),
    email: t.string({ required: true, description: 'The owner\'s sign-in email. A person who already signs in to a brand workspace uses that email and password.' }),
    password: t.string({ required: true, description: 'At least 10 characters; for an existing member, their password.' }),
  }),
});

const zSignUpPartner = z.object({
  partnerName: zText(100),
  contactEmail: zEmail().nullish(),
  name: zText(100),
  email: zEmail(),
  password: z.string().min(10, { message: 'must be at least 10 characters' }).max(200, { message: 'must be at most 200 characters' }),
});

const LoginPartnerInput = builder.inputType('LoginPartnerInput', {
  description: 'A partner member\'s credentials.',
  fields: (t) => ({
    email: t.string({ required: true, description: 'Sign-in email.' }),
    password: t.string({ required: true, description: 'Password.' }),
    partnerId: t.id({ description: 'Which of the person\'s partners to act for; default the first one joined.' }),
  }),
});

builder.queryFields((t) => ({
  partner: t.prismaField({
    type: 'Partner',
    description: 'The calling partner: its members, keys and plugins. Needs a partner key.',
    resolve: (query, _root, _args, ctx) => ctx.prisma.partner.findUniqueOrThrow({ ...query, where: { id: requirePartner(ctx).partnerId } }),
  }),
}));

builder.mutationFields((t) => ({
  signUpPartner: t.field({
    type: PartnerCredential,
    description: 'Creates a partner with its owner and returns a partner key that lasts 30 days. Needs no credentials.',
    args: { input: t.arg({ type: SignUpPartnerInput, required: true, description: 'The partner and its owner.' }) },
    errors: { types: [InputError, ConflictError, InvalidCredentialsError], union: resultUnion('signing a partner up') },
    resolve: async (_root, args, ctx) => {
      const input = parse(zSignUpPartner, args.input, ['input']);
      if (await ctx.prisma.partner.findUnique({ where: { name: input.partnerName }, select: { id: true } })) {
        throw new ConflictError('A partner with this name exists: pick another name, or ask its owner to add you.', 'input.partnerName');
      }
      const existing = await ctx.prisma.member.findUnique({ where: { email: input.email }, select: { id: true, passwordHash: true } });
      if (existing && !(await verifyPassword(existing.passwordHash, input.password))) throw new InvalidCredentialsError();
      const passwordHash = existing ? null : await hashPassword(input.password);
      const { partnerId, memberId } = await ctx.prisma.$transaction(async (tx) => {
        const memberId = existing?.id ?? (await tx.member.create({ data: { email: input.email, name: input.name, passwordHash: passwordHash! }, select: { id: true } })).id;
        const partner = await tx.partner.create({
          data: { name: input.partnerName, contactEmail: input.contactEmail ?? input.email, members: { create: { memberId, role: 'owner' } } },
          select: { id: true },
        });
        return { partnerId: partner.id, memberId };
      });
      return issueKey(ctx.prisma, partnerId, memberId, 'sign-up', new Date(Date.now() + LOGIN_KEY_DAYS * 86_400_000));
    },
  }),
  loginPartner: t.field({
    type: PartnerCredential,
    description: 'Signs a partner member in: returns a partner key that lasts 30 days. Needs no credentials.',
    args: { input: t.arg({ type: LoginPartnerInput, required: true, description: 'Email, password and optionally the partner.' }) },
    errors: { types: [InvalidCredentialsError, InputError], union: resultUnion('logging in as a partner') },
    resolve: async (_root, args, ctx) => {
      const email = args.input.email.trim().toLowerCase();
      const partnerId = args.input.partnerId == null ? null : String(args.input.partnerId);
      if (partnerId !== null && !isUuid(partnerId)) throw new InputError({ path: ['input', 'partnerId'], message: 'is not a partner ID', code: 'invalid_id' });
      const member = await ctx.prisma.member.findUnique({
        where: { email },
        select: { id: true, passwordHash: true, partners: { select: { partnerId: true }, orderBy: { createdAt: 'asc' } } },
      });
      if (!member || !(await verifyPassword(member.passwordHash, args.input.password))) throw new InvalidCredentialsError();
      const chosen = partnerId ? member.partners.find((p) => p.partnerId === partnerId) : member.partners[0];
      if (!chosen) {
        throw new InputError({ path: partnerId ? ['input', 'partnerId'] : ['input', 'email'], message: partnerId ? 'you do not work for this partner' : 'this person works for no partner: sign up with signUpPartner', code: 'not_member' });
      }
      return issueKey(ctx.prisma, chosen.partnerId, member.id, 'login', new Date(Date.now() + LOGIN_KEY_DAYS * 86_400_000));
    },
  }),
  createPartnerKey: t.field({
    type: PartnerCredential,
    description: 'Creates a partner key that works until revoked, e.g. for a build pipeline that publishes versions. Needs an owner\'s partner key.',
    args: { name: t.arg.string({ required: true, description: 'What the key is for.' }) },
    errors: { types: [InputError], union: resultUnion('creating a partner key') },
    resolve: async (_root, args, ctx) => {
      const partner = await requirePartnerOwner(ctx, 'create keys');
      return issueKey(ctx.prisma, partner.partnerId, partner.memberId, parse(zText(100), args.name, ['name']), null);
    },
  }),
  revokePartnerKey: t.prismaField({
    type: 'PartnerKey',
    description: 'Revokes one of the partner\'s keys at once (the calling one too). Owners revoke any; a developer only the keys they made.',
    args: { id: t.arg.id({ required: true, description: 'ID of the key.' }) },
    errors: { types: [NotFoundError], union: resultUnion('revoking a partner key') },
    resolve: async (query, _root, args, ctx) => {
      const partner = requirePartner(ctx);
      const id = String(args.id);
      const key = isUuid(id) ? await ctx.prisma.partnerKey.findFirst({ where: { id, partnerId: partner.partnerId }, select: { revokedAt: true, memberId: true } }) : null;
      if (!key) throw new NotFoundError('partner key', 'id', id);
      if (!partner.memberId || key.memberId !== partner.memberId) await requirePartnerOwner(ctx, 'revoke other people\'s keys');
      return ctx.prisma.partnerKey.update({ ...query, where: { id }, data: { revokedAt: key.revokedAt ?? new Date() } });
    },
  }),
  setPartnerMember: t.prismaField({
    type: 'PartnerMember',
    description: 'Adds a person to the partner, or changes their role. They must have a Courtyard login already (signUp or signUpPartner). The last owner cannot become a developer. Needs an owner\'s partner key.',
    args: {
      email: t.arg.string({ required: true, description: 'Their login email.' }),
      role: t.arg({ type: PartnerRoleEnum, required: true, description: 'Owner or developer.' }),
    },
    errors: { types: [InputError, NotFoundError], union: resultUnion('setting a partner member') },
    resolve: async (query, _root, args, ctx) => {
      const partner = await requirePartnerOwner(ctx, 'manage members');
      const email = parse(zEmail(), args.email, ['email']);
      const member = await ctx.prisma.member.findUnique({ where: { email }, select: { id: true } });
      if (!member) throw new NotFoundError('person with a Courtyard login', 'email', `${email} (ask them to sign up first)`);
      return ctx.prisma.$transaction(async (tx) => {
        const row = await tx.partnerMember.upsert({
          ...query,
          where: { partnerId_memberId: { partnerId: partner.partnerId, memberId: member.id } },
          create: { partnerId: partner.partnerId, memberId: member.id, role: args.role },
          update: { role: args.role },
        });
        if ((await tx.partnerMember.count({ where: { partnerId: partner.partnerId, role: 'owner' } })) === 0) {
          throw new InputError({ path: ['role'], message: 'the partner would have no owner left: make someone else an owner first', code: 'last_owner' });
        }
        return row;
      });
    },
  }),
  removePartnerMember: t.prismaField({
    type: 'Partner',
    description: 'Removes a person from the partner and revokes the keys they made; returns the partner. The last owner cannot be removed. Needs an owner\'s partner key.',
    args: { email: t.arg.string({ required: true, description: 'Their login email.' }) },
    errors: { types: [InputError, NotFoundError], union: resultUnion('removing a partner member') },
    resolve: async (query, _root, args, ctx) => {
      const partner = await requirePartnerOwner(ctx, 'manage members');
      const email = parse(zEmail(), args.email, ['email']);
      const row = await ctx.prisma.partnerMember.findFirst({ where: { partnerId: partner.partnerId, member: { email } }, select: { id: true, memberId: true } });
      if (!row) throw new NotFoundError('partner member', 'email', email);
      await ctx.prisma.$transaction(async (tx) => {
        await tx.partnerMember.delete({ where: { id: row.id } });
        if ((await tx.partnerMember.count({ where: { partnerId: partner.partnerId, role: 'owner' } })) === 0) {
          throw new InputError({ path: ['email'], message: 'this is the last owner: make someone else an owner first', code: 'last_owner' });
        }
        await tx.partnerKey.updateMany({ where: { partnerId: partner.partnerId, memberId: row.memberId, revokedAt: null }, data: { revokedAt: new Date() } });
      });
      return ctx.prisma.partner.findUniqueOrThrow({ ...query, where: { id: partner.partnerId } });
    },
  }),
}));
