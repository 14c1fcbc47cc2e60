// Who is calling, for which workspace, with which scopes. Built once per HTTP request or
// WebSocket connection by the API process, from the `Authorization: Bearer …` credential.
import {
  ROLE_SCOPES,
  SESSION_TOKEN_PREFIX,
  hashSecret,
  isScope,
  type Db,
  type PrismaClient,
  type Role,
  type Scope,
} from '@courtyard/db';
import type { JourneyRuntime } from '@courtyard/runtime';
import { GraphQLError } from 'graphql';
import type { AuthScopes } from './builder.ts';
import { INSTALLATION_TOKEN_PREFIX, authenticateInstallation, type PartnerAuth } from './marketplace-auth.ts';
import type { CourtyardPubSub } from './pubsub.ts';

export type Actor =
  | { kind: 'apiKey'; apiKeyId: string }
  | { kind: 'member'; memberId: string; sessionId: string; role: Role }
  /** A partner's plugin calling back with its installation token: `mutations` are all it may call. */
  | { kind: 'installation'; installationId: string; pluginId: string; mutations: ReadonlySet<string> };

export interface AuthInfo {
  workspaceId: string;
  scopes: ReadonlySet<Scope>;
  actor: Actor;
}

export interface Context {
  db: Db;
  prisma: PrismaClient;
  pubsub: CourtyardPubSub;
  /** The journey engine of this process: enrolls, takes events, and is told when journeys change. */
  runtime: JourneyRuntime;
  auth: AuthInfo | null;
  /** A partner calling with a partner key (then `auth` is null: a partner never acts in a workspace). */
  partner: PartnerAuth | null;
  /** The caller's workspace; throws UNAUTHENTICATED when there is no caller. */
  workspaceId(): string;
  authScopes(): AuthScopes;
}

/** Only write `lastUsedAt` once a minute per key, so a busy key does not turn every read into a write. */
const LAST_USED_RESOLUTION_MS = 60_000;
const lastUsedWritten = new Map<string, number>();

/**
 * Verified API keys are remembered briefly so a busy integration does not cost a lookup per
 * request. One cache per API app; a revocation is broadcast so every node forgets the key at once.
 */
export const API_KEY_CACHE_MS = 10_000;
const MAX_CACHED_KEYS = 10_000;

export class ApiKeyCache {
  private readonly entries = new Map<string, { expires: number; id: string; workspaceId: string; scopes: string[] }>();

  get(secretHash: string, now: number) {
    const entry = this.entries.get(secretHash);
    return entry && entry.expires >= now ? entry : undefined;
  }

  set(secretHash: string, entry: { expires: number; id: string; workspaceId: string; scopes: string[] }) {
    if (this.entries.size >= MAX_CACHED_KEYS) this.entries.clear();
    this.entries.set(secretHash, entry);
  }

  forget(apiKeyId: string) {
    for (const [hash, entry] of this.entries) if (entry.id === apiKeyId) this.entries.delete(hash);
  }
}

export async function authenticate(prisma: PrismaClient, authorization: string | null | undefined, keyCache = new ApiKeyCache()): Promise<AuthInfo | null> {
  if (!authorization) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
  if (!match?.[1]) throw unauthenticated('The Authorization header must be `Bearer <API key or session token>`.');
  const secret = match[1];
  const secretHash = hashSecret(secret);
  if (secret.startsWith(INSTALLATION_TOKEN_PREFIX)) return authenticateInstallation(prisma, secret);
  if (secret.startsWith(SESSION_TOKEN_PREFIX)) {
    const session = await prisma.session.findUnique({
      where: { tokenHash: secretHash },
      select: { id: true, workspaceId: true, memberId: true, expiresAt: true, revokedAt: true },
    });
    if (!session || session.revokedAt || session.expiresAt < new Date()) {
      throw unauthenticated('The session token is unknown, expired or signed out: log in again.');
    }
    const membership = await prisma.membership.findUnique({
      where: { workspaceId_memberId: { workspaceId: session.workspaceId, memberId: session.memberId } },
      select: { role: true },
    });
    if (!membership) throw unauthenticated('The member no longer belongs to this workspace.');
    return {
      workspaceId: session.workspaceId,
      scopes: new Set(ROLE_SCOPES[membership.role]),
      actor: { kind: 'member', memberId: session.memberId, sessionId: session.id, role: membership.role },
    };
  }
  {
    // Anything else is looked up as an API key (generated keys start with cy_; a demo key set by
    // COURTYARD_DEMO_API_KEY may be any string).
    const now = Date.now();
    let key = keyCache.get(secretHash, now);
    if (!key) {
      const found = await prisma.apiKey.findUnique({
        where: { secretHash },
        select: { id: true, workspaceId: true, scopes: true, revokedAt: true },
      });
      if (!found || found.revokedAt) throw unauthenticated('The API key is unknown or revoked.');
      key = { expires: now + API_KEY_CACHE_MS, id: found.id, workspaceId: found.workspaceId, scopes: found.scopes };
      keyCache.set(secretHash, key);
    }
    if ((lastUsedWritten.get(key.id) ?? 0) < now - LAST_USED_RESOLUTION_MS) {
      lastUsedWritten.set(key.id, now);
      void prisma.apiKey.update({ where: { id: key.id }, data: { lastUsedAt: new Date(now) } }).catch(() => undefined);
    }
    return { workspaceId: key.workspaceId, scopes: new Set(key.scopes.filter(isScope)), actor: { kind: 'apiKey', apiKeyId: key.id } };
  }
}

function unauthenticated(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'UNAUTHENTICATED', http: { status: 401 } } });
}

export function createContext(base: { db: Db; pubsub: CourtyardPubSub; runtime: JourneyRuntime; auth: AuthInfo | null; partner?: PartnerAuth | null }): Context {
  const { auth } = base;
  return {
    ...base,
    partner: base.partner ?? null,
    prisma: base.db.prisma,
    workspaceId() {
      if (!auth) throw new GraphQLError('Authentication required.', { extensions: { code: 'UNAUTHENTICATED' } });
      return auth.workspaceId;
    },
    authScopes() {
      const scopes = Object.fromEntries([...(auth?.scopes ?? [])].map((s) => [s, true])) as Partial<AuthScopes>;
      return new Proxy(scopes, {
        get: (target, key: string) => {
          if (key === 'authenticated') return !!auth;
          if (key === 'member') return auth?.actor.kind === 'member';
          return target[key as Scope] ?? false;
        },
      }) as AuthScopes;
    },
  };
}
