import type { Db } from '@courtyard/db';
import type { JourneyNode } from '@courtyard/plugin-sdk';
import { JourneySettings, type JourneyDefinition } from '../journey/definition.ts';
import { validateJourney } from '../journey/validate.ts';
import { workspaceRegistry } from '../installed.ts';
import type { NodeRegistry } from '../registry.ts';
import type { RemoteNodes } from './remote-nodes.ts';

/** A published version, parsed once: versions never change, so it is cached for good. */
export interface LoadedVersion {
  id: string;
  workspaceId: string;
  journeyId: string;
  version: number;
  definition: JourneyDefinition;
  settings: JourneySettings;
  nodes: Map<string, { node: JourneyNode; config: unknown }>;
  /** `${from}\u0000${port}` → to */
  edges: Map<string, string>;
  triggerId: string | null;
}

export interface WorkspaceSettings {
  id: string;
  timeZone: string;
  frequencyCapPerDay: number | null;
  frequencyCapMode: 'delay' | 'skip';
  quietHours: { start: string; end: string } | null;
}

/** A workspace's time zone, frequency cap and quiet hours: what every send is checked against. */
export async function loadWorkspaceSettings(db: Pick<Db, 'query'>, id: string): Promise<WorkspaceSettings> {
  const [row] = await db.query<{ id: string; timeZone: string; frequencyCapPerDay: number | null; frequencyCapMode: 'delay' | 'skip'; quietHoursStart: string | null; quietHoursEnd: string | null }>(
    `SELECT id, "timeZone", "frequencyCapPerDay", "frequencyCapMode"::text AS "frequencyCapMode", "quietHoursStart", "quietHoursEnd" FROM "Workspace" WHERE id = $1`,
    [id],
  );
  if (!row) throw new Error(`workspace ${id} not found`);
  return {
    id: row.id,
    timeZone: row.timeZone,
    frequencyCapPerDay: row.frequencyCapPerDay,
    frequencyCapMode: row.frequencyCapMode,
    quietHours: row.quietHoursStart && row.quietHoursEnd ? { start: row.quietHoursStart, end: row.quietHoursEnd } : null,
  };
}

export class VersionCache {
  private readonly versions = new Map<string, Promise<LoadedVersion>>();
  private readonly workspaces = new Map<string, { at: number; value: Promise<WorkspaceSettings> }>();

  constructor(
    private readonly db: Db,
    private readonly registry: NodeRegistry,
    /** Partner nodes: a version using node types the registry lacks resolves them to the workspace's installations. */
    private readonly remote?: RemoteNodes,
  ) {}

  version(id: string): Promise<LoadedVersion> {
    let hit = this.versions.get(id);
    if (!hit) {
      hit = this.loadVersion(id);
      hit.catch(() => this.versions.delete(id));
      if (this.versions.size > 5000) this.versions.clear();
      this.versions.set(id, hit);
    }
    return hit;
  }

  /** Workspace settings change rarely; a 5-second cache keeps them off the hot path. */
  workspace(id: string): Promise<WorkspaceSettings> {
    const hit = this.workspaces.get(id);
    if (hit && Date.now() - hit.at < 5000) return hit.value;
    const value = loadWorkspaceSettings(this.db, id);
    this.workspaces.set(id, { at: Date.now(), value });
    return value;
  }

  forgetWorkspace(id: string) {
    this.workspaces.delete(id);
  }

  /** Drops the workspace's loaded versions (their definitions were rewritten, e.g. by a tag merge). */
  async forgetVersions(workspaceId: string) {
    for (const [id, loading] of this.versions) {
      const loaded = await loading.catch(() => null);
      if (!loaded || loaded.workspaceId === workspaceId) this.versions.delete(id);
    }
  }

  private async loadVersion(id: string): Promise<LoadedVersion> {
    const [row] = await this.db.query<{ id: string; workspaceId: string; journeyId: string; version: number; definition: unknown; settings: unknown }>(
      `SELECT id, "workspaceId", "journeyId", version, definition, settings FROM "JourneyVersion" WHERE id = $1`,
      [id],
    );
    if (!row) throw new Error(`journey version ${id} not found`);
    const refs = (row.definition as { nodes?: { type?: unknown; version?: unknown }[] } | null)?.nodes;
    const partner = this.remote && Array.isArray(refs) && refs.some((n) => typeof n?.type === 'string' && !this.registry.get(n.type, String(n.version)));
    const registry = partner ? workspaceRegistry(await this.remote!.installedPlugins(row.workspaceId), this.registry, (id, type) => this.remote!.runner(id, type)) : this.registry;
    // Secrets are opened here, into the configs handed to `run` (and to partner nodes' signed batches).
    const validated = validateJourney(row.definition, registry, { workspaceId: row.workspaceId, journeyId: row.journeyId });
    const edges = new Map<string, string>();
    for (const e of validated.definition.edges) edges.set(`${e.from}\u0000${e.port}`, e.to);
    return {
      id: row.id,
      workspaceId: row.workspaceId,
      journeyId: row.journeyId,
      version: row.version,
      definition: validated.definition,
      settings: JourneySettings.parse(row.settings ?? {}),
      nodes: validated.nodes,
      edges,
      triggerId: validated.triggerId,
    };
  }
}

export function target(version: LoadedVersion, from: string, port: string): string | null {
  return version.edges.get(`${from}\u0000${port}`) ?? null;
}
