import { createHash } from 'node:crypto';
import type { Db } from '@courtyard/db';
import type { BatchItem, Json, NodeContext, PluginManifest, PluginScope, StepResult } from '@courtyard/plugin-sdk';
import type { InstalledPlugin } from '../installed.ts';
import { RemoteCallError } from '../remote/errors.ts';
import type { RemoteInstallation, RemoteNodeCaller } from '../remote/caller.ts';

interface InstallationRow {
  id: string;
  status: 'active' | 'uninstalled';
  signingSecret: string;
  previousSigningSecret: string | null;
  grantedScopes: string[];
  versionId: string;
  pluginId: string;
  version: string;
  manifest: PluginManifest;
}

const SELECT = `SELECT i.id, i.status::text AS status, i."signingSecret",
    CASE WHEN i."previousSecretUntil" > now() THEN i."previousSigningSecret" END AS "previousSigningSecret", i."grantedScopes", i."versionId", l."pluginId", v.version, v.manifest
  FROM "Installation" i JOIN "PluginListing" l ON l.id = i."listingId" JOIN "PluginVersion" v ON v.id = i."versionId"`;

/**
 * A workspace's installations, one per plugin (the active one, else the latest uninstalled one):
 * a journey that uses an uninstalled plugin's node still resolves it, and its customers fail
 * there with a reason instead of the node going missing.
 */
export async function installedPluginsOf(db: Pick<Db, 'query'>, workspaceId: string): Promise<InstalledPlugin[]> {
  const rows = await db.query<InstallationRow>(`${SELECT} WHERE i."workspaceId" = $1 ORDER BY (i.status = 'active') DESC, i."updatedAt" DESC`, [workspaceId]);
  const seen = new Set<string>();
  const plugins: InstalledPlugin[] = [];
  for (const row of rows) {
    if (seen.has(row.pluginId)) continue;
    seen.add(row.pluginId);
    plugins.push({ installationId: row.id, pluginId: row.pluginId, versionId: row.versionId, nodes: row.manifest.nodes });
  }
  return plugins;
}

/**
 * Partner nodes in the engine: which installations a workspace's journeys resolve their nodes to,
 * and running a batch of them through the remote caller. The installation is read afresh for
 * every batch, so an uninstall or an upgrade takes effect on the next batch.
 */
export class RemoteNodes {
  constructor(
    private readonly db: Pick<Db, 'query'>,
    readonly caller: RemoteNodeCaller,
  ) {}

  /** The workspace's installations (installedPluginsOf). */
  installedPlugins(workspaceId: string): Promise<InstalledPlugin[]> {
    return installedPluginsOf(this.db, workspaceId);
  }

  /** The `run` of an installed node: one signed batch to the partner; each customer takes the port it answered. */
  runner(installationId: string, nodeType: string) {
    return async ({ items, config, ctx }: { items: BatchItem[]; config: unknown; ctx: NodeContext }): Promise<StepResult[]> => {
      const [row] = await this.db.query<InstallationRow>(`${SELECT} WHERE i.id = $1 AND i."workspaceId" = $2`, [installationId, ctx.workspace.id]);
      if (!row || row.status !== 'active') {
        const error = `the plugin of ${nodeType} was uninstalled from this workspace: install it again or change the journey`;
        return items.map(() => ({ kind: 'fail', error }));
      }
      const installation: RemoteInstallation = {
        id: row.id,
        workspace: { id: ctx.workspace.id, timeZone: ctx.workspace.timeZone },
        plugin: { id: row.pluginId, version: row.version },
        endpoints: row.manifest.endpoints ?? { baseUrl: '' },
        signingSecret: row.signingSecret,
        previousSigningSecret: row.previousSigningSecret,
        grantedScopes: row.grantedScopes as PluginScope[],
        nodes: row.manifest.nodes,
      };
      // Stable while the same customers retry the same attempt; a new attempt is a new batch.
      const idempotencyKey = `${nodeType}:${createHash('sha256').update(items.map((i) => `${i.idempotencyKey}#${i.attempt}`).join('\n')).digest('base64url').slice(0, 32)}`;
      try {
        const answer = await this.caller.callNode(installation, { nodeId: nodeType, journey: ctx.journey, config: (config ?? {}) as Json, idempotencyKey, items, now: ctx.now() });
        return answer.results.map((r): StepResult => {
          if ('port' in r) return r.outputs ? { kind: 'next', port: r.port, output: r.outputs } : { kind: 'next', port: r.port };
          return r.retryable ? { kind: 'retry', error: `${nodeType}: ${r.error}` } : { kind: 'fail', error: `${nodeType}: ${r.error}` };
        });
      } catch (error) {
        const message = `${nodeType}: ${(error as Error).message}`;
        const retryable = error instanceof RemoteCallError ? error.retryable : true;
        return items.map(() => (retryable ? { kind: 'retry', error: message } : { kind: 'fail', error: message }));
      }
    };
  }
}
