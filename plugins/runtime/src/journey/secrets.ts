// Secret config fields of journey nodes at rest: sealed with AES-256-GCM under the server key
// (the same seal as WeCom credentials), bound to the workspace and to journey + node + field, so a
// sealed value copied into another journey, node or workspace does not open. Stored inside the
// definition JSON as `sealed:<v1…>`; published versions copy the sealed form.
import { defaultDataDir, type Db } from '@courtyard/db';
import { type JourneyNode, SECRET_PLACEHOLDER, secretFields } from '@courtyard/plugin-sdk';
import { emptyResealReport, openSecret, sealedUnderCurrent, sealSecret, secretKeys, type ResealReport, type SecretKeys } from '@courtyard/wecom/secrets';
import { installedPluginsOf } from '../engine/remote-nodes.ts';
import { workspaceRegistry } from '../installed.ts';
import { builtinRegistry, type NodeRegistry } from '../registry.ts';

const SEALED = 'sealed:';

/** Whose secrets: the seal is bound to both. `key` defaults to the server's keys. */
export interface SecretScope {
  workspaceId: string;
  journeyId: string;
  key?: Buffer | SecretKeys;
}

export function isSealed(value: unknown): value is string {
  return typeof value === 'string' && value.startsWith(SEALED);
}

const field = (journeyId: string, nodeId: string, name: string) => `journey/${journeyId}/${nodeId}/${name}`;
const keyOf = (scope: SecretScope) => scope.key ?? secretKeys(defaultDataDir());

type NodeLike = { id?: unknown; type?: unknown; version?: unknown; config?: unknown };
const nodesOf = (definition: unknown): NodeLike[] => {
  const nodes = (definition as { nodes?: unknown } | null)?.nodes;
  return Array.isArray(nodes) ? (nodes as NodeLike[]) : [];
};
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The definition to store: each secret field sealed. The placeholder keeps the value stored for the
 * same node (`previous`), an empty value clears it, anything else is a new value and is sealed (even
 * text that looks sealed: a client never holds a sealed value).
 */
export function sealDefinitionSecrets<T>(definition: T, previous: unknown, registry: NodeRegistry, scope: SecretScope): T {
  const before = new Map(nodesOf(previous).map((n) => [n.id, n]));
  const nodes = nodesOf(definition).map((ref) => {
    if (!isObject(ref.config) || typeof ref.id !== 'string') return ref;
    const node = typeof ref.type === 'string' ? registry.get(ref.type, String(ref.version)) : undefined;
    const secret = new Set(node ? secretFields(node) : []);
    const config = { ...ref.config };
    const old = before.get(ref.id);
    const oldConfig = isObject(old?.config) && old.type === ref.type ? old.config : {};
    const seal = (plain: string, name: string) => SEALED + sealSecret(plain, scope.workspaceId, field(scope.journeyId, ref.id as string, name), keyOf(scope));
    for (const [name, value] of Object.entries(config)) {
      // A sealed value read back keeps even when the registry no longer marks the field (e.g. an
      // uninstalled partner node); elsewhere the placeholder is ordinary text.
      if (value === SECRET_PLACEHOLDER && (secret.has(name) || isSealed(oldConfig[name]))) {
        const kept = oldConfig[name];
        if (isSealed(kept)) config[name] = kept;
        // Plain text saved before sealing existed: sealed now that it is kept.
        else if (secret.has(name) && typeof kept === 'string' && kept !== '') config[name] = seal(kept, name);
        else delete config[name];
      } else if (secret.has(name)) {
        if (value === '' || value == null) delete config[name];
        else if (typeof value === 'string') config[name] = seal(value, name);
      }
    }
    return { ...ref, config };
  });
  return isObject(definition) ? ({ ...definition, nodes } as T) : definition;
}

/**
 * The definition as the API shows it: every sealed value replaced by the placeholder, and so is a
 * secret field of a node `registry` knows that still holds plain text (saved before sealing).
 */
export function maskDefinitionSecrets<T>(definition: T, registry?: NodeRegistry): T {
  if (!isObject(definition) || !Array.isArray(definition.nodes)) return definition;
  const nodes = nodesOf(definition).map((ref) => {
    if (!isObject(ref.config)) return ref;
    const node = registry && typeof ref.type === 'string' ? registry.get(ref.type, String(ref.version)) : undefined;
    const secret = new Set(node ? secretFields(node) : []);
    const hidden = (k: string, v: unknown) => isSealed(v) || (secret.has(k) && v != null && v !== '');
    if (!Object.entries(ref.config).some(([k, v]) => hidden(k, v))) return ref;
    return { ...ref, config: Object.fromEntries(Object.entries(ref.config).map(([k, v]) => [k, hidden(k, v) ? SECRET_PLACEHOLDER : v])) };
  });
  return { ...definition, nodes } as T;
}

/**
 * A node's config with its sealed secret fields opened, for validation and `run`; fields that do
 * not open (sealed elsewhere or under another key) are listed in `unopened` and left out.
 */
export function openConfigSecrets(node: JourneyNode, nodeId: string, config: unknown, scope: SecretScope): { config: unknown; unopened: string[] } {
  if (!isObject(config)) return { config, unopened: [] };
  const unopened: string[] = [];
  let opened: Record<string, unknown> | null = null;
  for (const name of secretFields(node)) {
    const value = config[name];
    if (!isSealed(value)) continue;
    opened ??= { ...config };
    try {
      opened[name] = openSecret(value.slice(SEALED.length), scope.workspaceId, field(scope.journeyId, nodeId, name), keyOf(scope));
    } catch {
      delete opened[name];
      unopened.push(name);
    }
  }
  return { config: opened ?? config, unopened };
}

/**
 * The definition with each sealed value sealed again under the current key, and each secret field
 * (as `registry` marks them) still in plain text sealed; null when there was nothing to change.
 * Values no key opens stay as they are and are named in the report.
 */
function resealDefinition(definition: unknown, scope: { workspaceId: string; journeyId: string }, keys: SecretKeys, registry: NodeRegistry, where: string, report: ResealReport): unknown {
  let changed = false;
  const nodes = nodesOf(definition).map((ref) => {
    if (!isObject(ref.config) || typeof ref.id !== 'string') return ref;
    const nodeId = ref.id;
    const node = typeof ref.type === 'string' ? registry.get(ref.type, String(ref.version)) : undefined;
    const secret = new Set(node ? secretFields(node) : []);
    const config = { ...ref.config };
    const seal = (plain: string, name: string) => SEALED + sealSecret(plain, scope.workspaceId, field(scope.journeyId, nodeId, name), keys);
    for (const [name, value] of Object.entries(config)) {
      if (!isSealed(value)) {
        // Saved before sealing existed (a version published then keeps it): sealed now.
        if (secret.has(name) && typeof value === 'string' && value !== '' && value !== SECRET_PLACEHOLDER) {
          config[name] = seal(value, name);
          report.plain++;
          changed = true;
        }
        continue;
      }
      const sealed = value.slice(SEALED.length);
      if (sealedUnderCurrent(sealed, keys)) {
        report.current++;
        continue;
      }
      try {
        config[name] = seal(openSecret(sealed, scope.workspaceId, field(scope.journeyId, nodeId, name), keys), name);
        report.resealed++;
        changed = true;
      } catch (error) {
        report.unopened.push(`${where}, node ${nodeId}, field ${name}: ${(error as Error).message}`);
      }
    }
    return { ...ref, config };
  });
  return changed && isObject(definition) ? { ...definition, nodes } : null;
}

/**
 * Every journey's node secrets (drafts and published versions) sealed under the current key
 * (`pnpm secrets:reseal`, after a key rotation), and secret fields found in plain text sealed
 * (the workspace's node types, built-in and installed, say which fields are secret). A version's
 * meaning does not change: only the form its secrets are stored in. A row changed meanwhile is left
 * for the next run. `workspaceIds` limits it to those workspaces; default every one.
 */
export async function resealJourneySecrets(db: Db, options: { keys?: SecretKeys; workspaceIds?: string[]; registry?: NodeRegistry } = {}): Promise<ResealReport> {
  const keys = options.keys ?? secretKeys(defaultDataDir());
  const scope = options.workspaceIds ?? null;
  const registries = new Map<string, Promise<NodeRegistry>>();
  const registryOf = (workspaceId: string) => {
    let registry = registries.get(workspaceId);
    if (!registry) registries.set(workspaceId, (registry = installedPluginsOf(db, workspaceId).then((plugins) => workspaceRegistry(plugins, options.registry ?? builtinRegistry))));
    return registry;
  };
  const report = emptyResealReport();
  // Drafts, then published versions: each row with the journey its seals are bound to and how the report names it.
  const sources = [
    { table: 'Journey', column: 'draft', rows: `SELECT id, "workspaceId", id AS "journeyId", 'journey ' || id || ' (' || name || ') draft' AS label, draft AS definition FROM "Journey"`, order: '"createdAt", id' },
    { table: 'JourneyVersion', column: 'definition', rows: `SELECT id, "workspaceId", "journeyId", 'journey ' || "journeyId" || ' version ' || version AS label, definition FROM "JourneyVersion"`, order: '"journeyId", version' },
  ];
  for (const source of sources) {
    const rows = await db.query<{ id: string; workspaceId: string; journeyId: string; label: string; definition: unknown }>(
      `${source.rows} WHERE ($1::uuid[] IS NULL OR "workspaceId" = ANY($1::uuid[])) ORDER BY ${source.order}`,
      [scope],
    );
    for (const row of rows) {
      const next = resealDefinition(row.definition, row, keys, await registryOf(row.workspaceId), row.label, report);
      if (next) await db.query(`UPDATE "${source.table}" SET ${source.column} = $2::jsonb WHERE id = $1 AND ${source.column} = $3::jsonb`, [row.id, JSON.stringify(next), JSON.stringify(row.definition)]);
    }
  }
  return report;
}
