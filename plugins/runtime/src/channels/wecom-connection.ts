// The WeCom client the runtime uses for a workspace: the workspace's WeCom connection (credentials
// sealed by @courtyard/wecom/secrets), or a wecom channel that still carries its own credentials.
// One client per connection version; tokens and rate budgets are the process's (shared with the API).
import { defaultDataDir, type Db } from '@courtyard/db';
import { processRateLimiter, processTokens, WeComClient, type WeComClientOptions } from '@courtyard/wecom';
import { openCredentials, secretKeys } from '@courtyard/wecom/secrets';

export interface ExplicitWeComConfig {
  corpId: string;
  secret: string;
  baseUrl?: string | undefined;
}

const clients = new Map<string, { version: string; client: WeComClient }>();

function build(corpId: string, secret: string, baseUrl: string | null | undefined, overrides: Partial<WeComClientOptions> = {}): WeComClient {
  return new WeComClient({ corpId, secret, ...(baseUrl ? { baseUrl } : {}), tokens: processTokens, rateLimiter: processRateLimiter, ...overrides });
}

export function explicitWeComClient(config: ExplicitWeComConfig, overrides?: Partial<WeComClientOptions>): WeComClient {
  const key = `explicit|${config.baseUrl ?? ''}|${config.corpId}|${config.secret}`;
  const cached = clients.get(key);
  if (cached) return cached.client;
  const client = build(config.corpId, config.secret, config.baseUrl, overrides);
  clients.set(key, { version: '', client });
  return client;
}

/**
 * The workspace's WeCom client: its connection when WeCom is connected, else the credentials of a
 * wecom channel that was configured with its own (channels from before connections); null when
 * neither exists.
 */
export async function workspaceWeComClient(db: Db, workspaceId: string, overrides?: Partial<WeComClientOptions>): Promise<WeComClient | null> {
  const [row] = await db.query<{ corpId: string; agentSecretSealed: string; callbackTokenSealed: string; encodingAesKeySealed: string; baseUrl: string | null; updatedAt: Date }>(
    `SELECT "corpId", "agentSecretSealed", "callbackTokenSealed", "encodingAesKeySealed", "baseUrl", "updatedAt" FROM "WeComConnection" WHERE "workspaceId" = $1`,
    [workspaceId],
  );
  if (row) {
    const version = `${new Date(row.updatedAt).getTime()}`;
    const cached = clients.get(workspaceId);
    if (cached?.version === version) return cached.client;
    const { agentSecret } = openCredentials({ workspaceId, ...row }, secretKeys(defaultDataDir()));
    const client = build(row.corpId, agentSecret, row.baseUrl, overrides);
    clients.set(workspaceId, { version, client });
    return client;
  }
  const [channel] = await db.query<{ config: { corpId?: string; secret?: string; baseUrl?: string } }>(
    `SELECT config FROM "Channel" WHERE "workspaceId" = $1 AND type = 'wecom' AND config ? 'secret' AND config ? 'corpId' ORDER BY "createdAt" LIMIT 1`,
    [workspaceId],
  );
  const config = channel?.config;
  return config?.corpId && config.secret ? explicitWeComClient({ corpId: config.corpId, secret: config.secret, baseUrl: config.baseUrl }, overrides) : null;
}
