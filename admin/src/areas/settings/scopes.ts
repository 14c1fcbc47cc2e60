// API scopes as the API spells them (CUSTOMERS_READ …), grouped by what they give access to, so a
// key's scopes read as a table of resources with read / write, and presets fill it in one click.
import type { Scope } from '@/gql/graphql';

export const RESOURCES = ['workspace', 'members', 'apikeys', 'customers', 'tags', 'events', 'orders', 'segments', 'journeys', 'campaigns'] as const;
export type Resource = (typeof RESOURCES)[number];

export interface ScopeRow {
  resource: Resource;
  read: Scope;
  write: Scope;
}

export const SCOPE_ROWS: ScopeRow[] = RESOURCES.map((resource) => ({
  resource,
  read: `${resource.toUpperCase()}_READ` as Scope,
  write: `${resource.toUpperCase()}_WRITE` as Scope,
}));

export const ALL_SCOPES: Scope[] = SCOPE_ROWS.flatMap((r) => [r.read, r.write]);

export type ScopePreset = 'readOnly' | 'ingest' | 'all';

/** Ready-made sets: every read scope; what an order/event sync needs; everything. */
export function presetScopes(preset: ScopePreset): Scope[] {
  if (preset === 'all') return [...ALL_SCOPES];
  if (preset === 'readOnly') return SCOPE_ROWS.filter((r) => r.resource !== 'apikeys').map((r) => r.read);
  return ['CUSTOMERS_READ', 'CUSTOMERS_WRITE', 'EVENTS_WRITE', 'ORDERS_WRITE'];
}

/** A key's scopes summarised per resource, in table order: "read", "write" or "read+write". */
export type Access = 'read' | 'write' | 'readWrite';

export function summarizeScopes(scopes: readonly Scope[]): Array<{ resource: Resource; access: Access }> {
  const held = new Set(scopes);
  return SCOPE_ROWS.flatMap((r): Array<{ resource: Resource; access: Access }> => {
    const read = held.has(r.read);
    const write = held.has(r.write);
    if (read && write) return [{ resource: r.resource, access: 'readWrite' }];
    if (read) return [{ resource: r.resource, access: 'read' }];
    if (write) return [{ resource: r.resource, access: 'write' }];
    return [];
  });
}

/** Scopes a caller may put on a new key: only those it holds itself (the API refuses more). */
export function grantable(wanted: readonly Scope[], held: ReadonlySet<Scope>): Scope[] {
  return wanted.filter((s) => held.has(s));
}
