// What a plugin scope a brand grants lets an installation token do in the GraphQL API: the one
// table behind installation-token auth (no GraphQL types here, so auth can load it alone).
import type { Scope } from '@courtyard/db';
import type { PluginScope } from '@courtyard/plugin-sdk';

export interface ApiGrant {
  /** API scopes the token holds: reads need the `:read` one, writes the `:write` one. */
  scopes: readonly Scope[];
  /**
   * The only mutations the token may call under this grant. An API write scope covers more than a
   * plugin scope promises the brand (`tags:write` also deletes tag groups), so writes are listed.
   */
  mutations: readonly string[];
}

/**
 * Plugin scope → what the installation token may do through GraphQL. Scopes with no API part
 * (`messages:send`, `http:outbound`) are exercised by the runtime on the plugin's behalf only.
 *
 * | plugin scope      | API scopes       | mutations                                       |
 * | ----------------- | ---------------- | ----------------------------------------------- |
 * | customers:read    | customers:read   | –                                               |
 * | customers:write   | customers:write  | updateCustomer, upsertCustomer, upsertCustomers |
 * | tags:read         | tags:read        | –                                               |
 * | tags:write        | tags:write       | tagCustomers, untagCustomers                    |
 * | events:read       | events:read      | –                                               |
 * | events:write      | events:write     | ingestEvents                                    |
 * | orders:read       | orders:read      | –                                               |
 * | segments:read     | segments:read    | –                                               |
 * | staff:read        | workspace:read   | –                                               |
 * | journeys:write    | journeys:write   | enrollCustomers                                 |
 * | messages:send     | –                | –                                               |
 * | http:outbound     | –                | –                                               |
 */
export const PLUGIN_SCOPE_GRANTS: Record<PluginScope, ApiGrant> = {
  'customers:read': { scopes: ['customers:read'], mutations: [] },
  'customers:write': { scopes: ['customers:write'], mutations: ['updateCustomer', 'upsertCustomer', 'upsertCustomers'] },
  'tags:read': { scopes: ['tags:read'], mutations: [] },
  'tags:write': { scopes: ['tags:write'], mutations: ['tagCustomers', 'untagCustomers'] },
  'events:read': { scopes: ['events:read'], mutations: [] },
  'events:write': { scopes: ['events:write'], mutations: ['ingestEvents'] },
  'orders:read': { scopes: ['orders:read'], mutations: [] },
  'segments:read': { scopes: ['segments:read'], mutations: [] },
  'staff:read': { scopes: ['workspace:read'], mutations: [] },
  'journeys:write': { scopes: ['journeys:write'], mutations: ['enrollCustomers'] },
  'messages:send': { scopes: [], mutations: [] },
  'http:outbound': { scopes: [], mutations: [] },
};

/** The API scopes and mutations a set of granted plugin scopes allows. Unknown names allow nothing. */
export function apiGrantOf(pluginScopes: readonly string[]): { scopes: Set<Scope>; mutations: Set<string> } {
  const scopes = new Set<Scope>();
  const mutations = new Set<string>();
  for (const name of pluginScopes) {
    const grant = Object.hasOwn(PLUGIN_SCOPE_GRANTS, name) ? PLUGIN_SCOPE_GRANTS[name as PluginScope] : undefined;
    grant?.scopes.forEach((s) => scopes.add(s));
    grant?.mutations.forEach((m) => mutations.add(m));
  }
  return { scopes, mutations };
}
