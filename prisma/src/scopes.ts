// Every permission an API key, session or plugin installation can hold. The GraphQL `Scope` enum
// and the role grants are generated from this one list.

export const SCOPES = {
  'workspace:read': 'Read the workspace, its settings and its staff sub-accounts.',
  'workspace:write': 'Change the workspace settings and its staff sub-accounts.',
  'members:read': 'List the members of the workspace.',
  'members:write': 'Invite members and change their roles.',
  'apikeys:read': 'List API keys (never their secrets).',
  'apikeys:write': 'Create and revoke API keys.',
  'customers:read': 'Read customers and their profiles.',
  'customers:write': 'Create, update and delete customers.',
  'tags:read': 'Read tag groups, tags and which customers carry them.',
  'tags:write': 'Create, change and delete tag groups and tags; tag and untag customers.',
  'events:read': 'Read customer events.',
  'events:write': 'Ingest customer events.',
  'orders:read': 'Read orders and their items.',
  'orders:write': 'Import orders.',
  'segments:read': 'Read segments, their members and statistics.',
  'segments:write': 'Create, change, refresh and delete segments; import segment CSVs.',
  'journeys:read': 'Read journeys, their versions, enrollments and progress.',
  'journeys:write': 'Create, edit, publish, pause, resume, archive and delete journeys; enroll customers through the API.',
  'campaigns:read': 'Read campaigns, their runs, deliveries, results and progress; estimate audiences and preview messages.',
  'campaigns:write': 'Create, edit, schedule, start, pause, resume and cancel campaigns.',
  'plugins:read': 'Browse the plugin marketplace and read the workspace\'s installations.',
  'plugins:write': 'Install, upgrade and uninstall plugins, granting partners the scopes they ask for.',
  'wecom:read': 'Read the WeCom connection (never its secrets), live QR codes and their statistics.',
  'wecom:write': 'Connect WeCom and change its credentials; create, change and delete live QR codes.',
} as const;

export type Scope = keyof typeof SCOPES;
export const ALL_SCOPES = Object.keys(SCOPES) as Scope[];

export function isScope(value: string): value is Scope {
  return Object.hasOwn(SCOPES, value);
}

export type RoleName = 'owner' | 'admin' | 'marketer' | 'analyst';

/** What each member role may do. Owners and admins hold everything; marketers neither members, keys, settings nor installs; analysts only read. */
export const ROLE_SCOPES: Record<RoleName, readonly Scope[]> = {
  owner: ALL_SCOPES,
  admin: ALL_SCOPES,
  // Installing a plugin hands a partner access to the workspace's data: an admin's decision.
  marketer: ALL_SCOPES.filter((s) => !s.startsWith('members:write') && !s.startsWith('apikeys:') && s !== 'workspace:write' && s !== 'plugins:write'),
  analyst: ALL_SCOPES.filter((s) => s.endsWith(':read') && !s.startsWith('apikeys:')),
};
