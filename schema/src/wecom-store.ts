// A workspace's WeCom connection as the server uses it: credentials opened, one API client and
// one callback crypto per connection version, shared token cache and rate budgets per process.
import { defaultDataDir, type Db, type WeComConnection } from '@courtyard/db';
import { WeComClient, createCallbackCrypto, processRateLimiter, processTokens, type CallbackCrypto } from '@courtyard/wecom';
import { emptyResealReport, openSecret, sealedUnderCurrent, openCredentials, sealSecret as seal, secretKeys, type ResealReport, type SecretKeys } from '@courtyard/wecom/secrets';

const sealSecret = (plain: string, workspaceId: string, field: string) => seal(plain, workspaceId, field, secretKeys(defaultDataDir()));

export interface OpenedConnection {
  workspaceId: string;
  corpId: string;
  agentSecret: string;
  callbackToken: string;
  encodingAesKey: string;
  baseUrl: string | null;
}

export function weComClient(conn: Pick<OpenedConnection, 'corpId' | 'agentSecret' | 'baseUrl'>): WeComClient {
  return new WeComClient({ corpId: conn.corpId, secret: conn.agentSecret, ...(conn.baseUrl ? { baseUrl: conn.baseUrl } : {}), tokens: processTokens, rateLimiter: processRateLimiter });
}

export function openConnection(row: WeComConnection): OpenedConnection {
  return {
    workspaceId: row.workspaceId,
    corpId: row.corpId,
    ...openCredentials(row, secretKeys(defaultDataDir())),
    baseUrl: row.baseUrl,
  };
}

interface Live {
  version: number;
  connection: OpenedConnection;
  client: WeComClient;
  crypto: CallbackCrypto;
}
const live = new Map<string, Live>();

/** The workspace's connection with its client and callback crypto; null when WeCom is not connected. */
export async function liveConnection(db: Db, workspaceId: string): Promise<Live | null> {
  const row = await db.prisma.weComConnection.findUnique({ where: { workspaceId } });
  if (!row) {
    live.delete(workspaceId);
    return null;
  }
  const version = row.updatedAt.getTime();
  const cached = live.get(workspaceId);
  if (cached?.version === version) return cached;
  const connection = openConnection(row);
  const entry: Live = {
    version,
    connection,
    client: weComClient(connection),
    crypto: createCallbackCrypto({ token: connection.callbackToken, encodingAesKey: connection.encodingAesKey, receiveId: connection.corpId }),
  };
  live.set(workspaceId, entry);
  return entry;
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** The calendar day (YYYY-MM-DD) of `at` in a time zone. */
export function dayIn(timeZone: string, at: Date): string {
  // Building a DateTimeFormat costs far more than using one: one per time zone, kept.
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    if (dayFormats.size > 1000) dayFormats.clear();
    dayFormats.set(timeZone, format);
  }
  return format.format(at);
}

/** ISO weekday (1 Monday … 7 Sunday) and minutes since midnight of `at` in a time zone. */
export function weekTimeIn(timeZone: string, at: Date): { weekday: number; minutes: number } {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1;
  return { weekday, minutes: Number(get('hour')) * 60 + Number(get('minute')) };
}

/** Stores credentials (sealed) without asking WeCom: for a stand-in the server started itself. */
export async function storeWeComConnection(db: Db, conn: OpenedConnection): Promise<void> {
  const data = {
    corpId: conn.corpId,
    agentSecretSealed: sealSecret(conn.agentSecret, conn.workspaceId, 'agentSecret'),
    callbackTokenSealed: sealSecret(conn.callbackToken, conn.workspaceId, 'callbackToken'),
    encodingAesKeySealed: sealSecret(conn.encodingAesKey, conn.workspaceId, 'encodingAesKey'),
    secretHint: conn.agentSecret.slice(-4),
    baseUrl: conn.baseUrl,
    status: 'connected' as const,
    lastError: null,
    lastCheckedAt: new Date(),
  };
  await db.prisma.weComConnection.upsert({ where: { workspaceId: conn.workspaceId }, create: { workspaceId: conn.workspaceId, ...data }, update: data });
}

const SEALED_FIELDS = [
  ['agentSecret', 'agentSecretSealed'],
  ['callbackToken', 'callbackTokenSealed'],
  ['encodingAesKey', 'encodingAesKeySealed'],
] as const;

/**
 * Every WeCom connection's credentials sealed under the current key (`pnpm secrets:reseal`, after
 * a key rotation): each value is opened with the key that sealed it and sealed again; a connection
 * changed meanwhile is left for the next run, and one whose values no key opens is named and left
 * as it is. `workspaceIds` limits it to those workspaces; default every one.
 */
export async function resealWeComConnections(db: Db, options: { keys?: SecretKeys; workspaceIds?: string[] } = {}): Promise<ResealReport> {
  const keys = options.keys ?? secretKeys(defaultDataDir());
  const report = emptyResealReport();
  const rows = await db.prisma.weComConnection.findMany({ where: options.workspaceIds ? { workspaceId: { in: options.workspaceIds } } : {}, orderBy: { createdAt: 'asc' } });
  for (const row of rows) {
    const stale = SEALED_FIELDS.filter(([, column]) => !sealedUnderCurrent(row[column], keys));
    report.current += SEALED_FIELDS.length - stale.length;
    if (!stale.length) continue;
    const data: Partial<Record<(typeof SEALED_FIELDS)[number][1], string>> = {};
    try {
      for (const [field, column] of stale) data[column] = seal(openSecret(row[column], row.workspaceId, field, keys), row.workspaceId, field, keys);
    } catch (error) {
      report.unopened.push(`WeCom connection of workspace ${row.workspaceId}: ${(error as Error).message}`);
      continue;
    }
    // Only if nobody stored new credentials meanwhile (theirs are sealed under the current key already).
    const { count } = await db.prisma.weComConnection.updateMany({
      where: { id: row.id, agentSecretSealed: row.agentSecretSealed, callbackTokenSealed: row.callbackTokenSealed, encodingAesKeySealed: row.encodingAesKeySealed },
      data,
    });
    if (count) report.resealed += stale.length;
  }
  return report;
}
