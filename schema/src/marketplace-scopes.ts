// Plugin scopes as the brand sees them on the consent dialog: plain words in both languages and
// what each lets the installation token do (marketplace-grants.ts).
import { ALL_PLUGIN_SCOPES, PLUGIN_SCOPES, type PluginScope } from '@courtyard/plugin-sdk';
import { builder } from './builder.ts';
import { LocalizedTextRef } from './journey-node-types.ts';
import { PLUGIN_SCOPE_GRANTS } from './marketplace-grants.ts';
import { ScopeEnum } from './workspace.ts';

export const PluginScopeEnum = builder.enumType('PluginScope', {
  description: 'What a plugin may ask a brand to grant (see `PluginScopeInfo` for the words shown to the brand).',
  values: Object.fromEntries(
    ALL_PLUGIN_SCOPES.map((s) => [s.replace(':', '_').toUpperCase(), { value: s, description: PLUGIN_SCOPES[s].en }]),
  ) as Record<string, { value: PluginScope; description: string }>,
});

/** The GraphQL enum name of a plugin scope, e.g. TAGS_WRITE, for error messages. */
export const pluginScopeEnumName = (scope: string) => scope.replace(':', '_').toUpperCase();

export const PluginScopeInfoRef = builder.objectRef<PluginScope>('PluginScopeInfo').implement({
  description: 'A scope a plugin asks for, in the words shown on the consent dialog, and what it lets the installation token do in the API.',
  fields: (t) => ({
    scope: t.field({ type: PluginScopeEnum, description: 'The scope.', resolve: (s) => s }),
    name: t.string({ description: 'The scope as manifests write it, e.g. tags:write.', resolve: (s) => s }),
    description: t.field({ type: LocalizedTextRef, description: 'What granting it allows, in plain words (zh-CN and en).', resolve: (s) => PLUGIN_SCOPES[s] }),
    apiScopes: t.field({ type: [ScopeEnum], description: 'The API scopes the installation token holds for it; empty when only the runtime uses it.', resolve: (s) => [...PLUGIN_SCOPE_GRANTS[s].scopes] }),
    apiMutations: t.stringList({ description: 'The only mutations the installation token may call for it.', resolve: (s) => [...PLUGIN_SCOPE_GRANTS[s].mutations] }),
  }),
});
