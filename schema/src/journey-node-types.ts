// The node catalog the journey editor draws its palette and config forms from, and the checks of a
// journey graph: the issues type, the validateJourney query and the error a failed publish returns.
import { describeNode, type NodeDescription } from '@courtyard/plugin-sdk';
import { type JourneyIssue, type JourneyIssueCode, referenceIssues, validateJourney } from '@courtyard/runtime/journey';
import { builder } from './builder.ts';
import type { Context } from './context.ts';
import { installedNodeTypes, journeyRegistry } from './marketplace-install.ts';
import { CourtyardError } from './errors.ts';
import { ErrorInterface } from './error-types.ts';
import { zJSONObject } from './scalars.ts';
import { parse } from './validation.ts';

export const LocalizedTextRef = builder.objectRef<{ 'zh-CN': string; en: string }>('LocalizedText').implement({
  description: 'A text in both languages of the admin.',
  fields: (t) => ({
    zhCN: t.string({ description: 'Simplified Chinese (the admin\'s default).', resolve: (l) => l['zh-CN'] }),
    en: t.exposeString('en', { description: 'English.' }),
  }),
});

const NodeKindEnum = builder.enumType('JourneyNodeKind', {
  description: 'What a node does in a journey.',
  values: {
    trigger: { value: 'trigger', description: 'Starts the journey: an event, a segment change, a schedule, a date or the API.' },
    condition: { value: 'condition', description: 'Sends each customer on through one of its ports (yes / no, branches).' },
    action: { value: 'action', description: 'Does something (tags, waits, messages, webhooks) and moves the customer on.' },
  } as const,
});

const PortRef = builder.objectRef<{ id: string; title: { 'zh-CN': string; en: string } }>('JourneyNodePort').implement({
  description: 'A way out of a node, connected to the next node by an edge.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'The port id edges name in `port`, e.g. next, yes, no, failed.' }),
    title: t.field({ type: LocalizedTextRef, description: 'The port\'s label on the canvas.', resolve: (p) => p.title }),
  }),
});

const PortsFromConfigRef = builder.objectRef<{ field: string; id: string; title: string }>('JourneyNodeConfigPorts').implement({
  description: 'Ports taken from a list in the node\'s config: one per entry (e.g. one per branch of a split), plus any fixed ones.',
  fields: (t) => ({
    field: t.exposeString('field', { description: 'The config field holding the list.' }),
    id: t.exposeString('id', { description: 'The property of each entry that is the port id.' }),
    title: t.exposeString('title', { description: 'The property of each entry that is the port label.' }),
  }),
});

export const NodeTypeRef = builder.objectRef<NodeDescription>('JourneyNodeType').implement({
  description: 'A kind of node journeys can use: a built-in or an installed plugin\'s, at its newest version.',
  fields: (t) => ({
    id: t.exposeString('id', { description: 'Node type id, as nodes name it in `type`, e.g. courtyard.add-tags.' }),
    version: t.exposeString('version', { description: 'Semantic version, as nodes name it in `version`.' }),
    kind: t.field({ type: NodeKindEnum, description: 'Trigger, condition or action.', resolve: (n) => n.kind }),
    title: t.field({ type: LocalizedTextRef, description: 'Name in the palette.', resolve: (n) => n.title }),
    description: t.field({ type: LocalizedTextRef, description: 'One sentence on what it does.', resolve: (n) => n.description }),
    icon: t.exposeString('icon', { description: 'Icon name (lucide icon set).' }),
    configSchema: t.field({ type: 'JSONObject', description: 'JSON Schema of the node\'s config; field help in `description` (zh-CN) and `x-description-en`.', resolve: (n) => n.configSchema }),
    ports: t.field({ type: [PortRef], description: 'The fixed ports; empty when they come from the config (see portsFromConfig).', resolve: (n) => (Array.isArray(n.ports) ? n.ports : []) }),
    portsFromConfig: t.field({ type: PortsFromConfigRef, nullable: true, description: 'Where the ports come from when the config lists them; null for fixed ports.', resolve: (n) => (Array.isArray(n.ports) ? null : n.ports) }),
    scopes: t.exposeStringList('scopes', { description: 'What the node may read and change of the workspace, e.g. tags:write, messages:send.' }),
  }),
});

const ISSUE_CODES: Record<JourneyIssueCode, string> = {
  INVALID_SHAPE: 'The graph is not `{ nodes, edges }` as documented; `field` is the path.',
  DUPLICATE_NODE_ID: 'Two nodes have the same id.',
  UNKNOWN_NODE_TYPE: 'The node type (or that version of it) is not available; pick one from journeyNodeTypes.',
  INVALID_CONFIG: 'The node\'s config does not fit its schema; `field` is the config field.',
  MISSING_TRIGGER: 'There is no trigger node.',
  MULTIPLE_TRIGGERS: 'There is more than one trigger node.',
  TRIGGER_NOT_CONNECTED: 'The trigger leads nowhere.',
  DANGLING_EDGE: 'An edge starts or ends at a node that does not exist.',
  UNKNOWN_PORT: 'An edge leaves a node through a port it does not have.',
  PORT_CONNECTED_TWICE: 'A port leads to two nodes.',
  EDGE_INTO_TRIGGER: 'An edge leads into the trigger.',
  UNREACHABLE_NODE: 'The node cannot be reached from the trigger.',
  CYCLE_WITHOUT_WAIT: 'A loop has no waiting node, so a customer would go round without end.',
  UNCONNECTED_PORT: 'A port leads nowhere: customers leaving there complete the journey (a warning).',
  UNKNOWN_REFERENCE: 'A tag, segment, channel or journey the config names is not in this workspace (deleted, or never here); `field` is the config field.',
};

const IssueCodeEnum = builder.enumType('JourneyIssueCode', {
  description: 'What is wrong with a journey graph.',
  values: Object.fromEntries(Object.entries(ISSUE_CODES).map(([code, description]) => [code, { value: code, description }])) as Record<JourneyIssueCode, { value: JourneyIssueCode; description: string }>,
});

const IssueSeverityEnum = builder.enumType('JourneyIssueSeverity', {
  description: 'Whether an issue blocks publishing.',
  values: {
    error: { value: 'error', description: 'Blocks publishing until fixed.' },
    warning: { value: 'warning', description: 'Worth a look; publishing is allowed.' },
  } as const,
});

export const JourneyIssueRef = builder.objectRef<JourneyIssue>('JourneyIssue').implement({
  description: 'One problem of a journey graph, naming the node and the field at fault.',
  fields: (t) => ({
    code: t.field({ type: IssueCodeEnum, description: 'What is wrong.', resolve: (i) => i.code }),
    severity: t.field({ type: IssueSeverityEnum, description: 'Error (blocks publishing) or warning.', resolve: (i) => i.severity }),
    nodeId: t.exposeString('nodeId', { nullable: true, description: 'The node at fault; null for the graph as a whole.' }),
    field: t.exposeString('field', { nullable: true, description: 'The config field (`tagIds.0`) or graph path (`edges.3.to`) at fault.' }),
    message: t.exposeString('message', { description: 'What is wrong and what to do, in English.' }),
  }),
});

/** Publishing was refused: the draft has errors. Nothing was published. */
export class JourneyValidationError extends CourtyardError {
  constructor(readonly issues: JourneyIssue[]) {
    super(`The journey has ${issues.length} error(s): ${issues.map((i) => `${i.nodeId ? `node ${i.nodeId}` : 'journey'}${i.field ? ` (${i.field})` : ''}: ${i.message}`).join('; ')}`, 'JOURNEY_INVALID');
  }
}

builder.objectType(JourneyValidationError, {
  name: 'JourneyValidationError',
  description: 'The journey cannot be published as it is: `issues` lists each error by node and field. Nothing was published.',
  interfaces: [ErrorInterface],
  isTypeOf: (value) => value instanceof JourneyValidationError,
  fields: (t) => ({
    issues: t.field({ type: [JourneyIssueRef], description: 'The errors to fix.', resolve: (e) => e.issues }),
  }),
});

/** The issues of a journey's draft against the node types of its workspace (built-ins and installed plugins). */
export async function draftIssues(ctx: Pick<Context, 'runtime' | 'prisma' | 'db'>, journey: { id: string; draft: unknown; workspaceId: string }): Promise<JourneyIssue[]> {
  const validated = validateJourney(journey.draft, await journeyRegistry(ctx, journey.workspaceId), { workspaceId: journey.workspaceId, journeyId: journey.id });
  return [...validated.issues, ...(await referenceIssues(ctx.db, journey.workspaceId, validated))];
}

builder.queryFields((t) => ({
  journeyNodeTypes: t.field({
    type: [NodeTypeRef],
    description: 'Every node type journeys of this workspace can use: the built-ins at their newest version, then the installed plugins\' nodes at their installed version.',
    authScopes: { 'journeys:read': true },
    resolve: async (_root, _args, ctx) => [...ctx.runtime.registry.latest().map(describeNode), ...(await installedNodeTypes(ctx, ctx.workspaceId()))],
  }),
  validateJourney: t.field({
    type: [JourneyIssueRef],
    description: 'Checks a journey graph without saving it: shape, node types (built-ins and the workspace\'s installed plugins\' nodes), configs, the tags, segments, channels and journeys they name, one trigger, edges, reachability and loops.',
    authScopes: { 'journeys:read': true },
    args: { definition: t.arg({ type: 'JSONObject', required: true, description: 'The graph, `{ nodes, edges }`.' }) },
    resolve: async (_root, args, ctx) => {
      const validated = validateJourney(parse(zJSONObject(), args.definition, ['definition']), await journeyRegistry(ctx, ctx.workspaceId()));
      return [...validated.issues, ...(await referenceIssues(ctx.db, ctx.workspaceId(), validated))];
    },
  }),
}));
