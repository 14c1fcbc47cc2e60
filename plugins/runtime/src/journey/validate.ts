import { type JourneyNode, parseConfig, SECRET_PLACEHOLDER } from '@courtyard/plugin-sdk';
import type { NodeRegistry } from '../registry.ts';
import { JourneyDefinition } from './definition.ts';
import { normalizeRefs } from './refs.ts';
import { isSealed, openConfigSecrets, type SecretScope } from './secrets.ts';

export type JourneyIssueCode =
  | 'INVALID_SHAPE'
  | 'DUPLICATE_NODE_ID'
  | 'UNKNOWN_NODE_TYPE'
  | 'INVALID_CONFIG'
  | 'MISSING_TRIGGER'
  | 'MULTIPLE_TRIGGERS'
  | 'TRIGGER_NOT_CONNECTED'
  | 'DANGLING_EDGE'
  | 'UNKNOWN_PORT'
  | 'PORT_CONNECTED_TWICE'
  | 'EDGE_INTO_TRIGGER'
  | 'UNREACHABLE_NODE'
  | 'CYCLE_WITHOUT_WAIT'
  | 'UNCONNECTED_PORT'
  | 'UNKNOWN_REFERENCE';

/** One problem of a journey, naming the node and (for configs) the field. */
export interface JourneyIssue {
  code: JourneyIssueCode;
  /** `error` blocks publishing; `warning` is shown but allowed. */
  severity: 'error' | 'warning';
  nodeId: string | null;
  /** The config field (`tagIds.0`) or definition path (`edges.3.to`) at fault. */
  field: string | null;
  message: string;
}

export interface ValidatedJourney {
  definition: JourneyDefinition;
  issues: JourneyIssue[];
  /** Parsed configs and declarations by node id, for the nodes that resolved. */
  nodes: Map<string, { node: JourneyNode; config: unknown }>;
  triggerId: string | null;
}

/**
 * Checks a journey graph: shape, node types, configs against their schemas, one trigger, edges
 * between existing nodes and ports, every node reachable, and no loop without a waiting node.
 * With `secrets` (a stored definition), sealed secret fields are opened and checked as plain values,
 * and the configs returned carry them opened; without it a sealed value counts as set.
 */
export function validateJourney(raw: unknown, registry: NodeRegistry, secrets?: SecretScope): ValidatedJourney {
  const issues: JourneyIssue[] = [];
  const nodes = new Map<string, { node: JourneyNode; config: unknown }>();
  const shape = JourneyDefinition.safeParse(raw);
  if (!shape.success) {
    for (const i of shape.error.issues) {
      issues.push({ code: 'INVALID_SHAPE', severity: 'error', nodeId: null, field: i.path.map(String).join('.'), message: i.message });
    }
    return { definition: { nodes: [], edges: [] }, issues, nodes, triggerId: null };
  }
  const definition = shape.data;
  const error = (code: JourneyIssueCode, nodeId: string | null, field: string | null, message: string) =>
    issues.push({ code, severity: 'error', nodeId, field, message });

  const seen = new Set<string>();
  const triggers: string[] = [];
  definition.nodes.forEach((ref, index) => {
    if (seen.has(ref.id)) error('DUPLICATE_NODE_ID', ref.id, `nodes.${index}.id`, `node id "${ref.id}" is used twice; give each node its own id`);
    seen.add(ref.id);
    const node = registry.get(ref.type, ref.version);
    if (!node) {
      error('UNKNOWN_NODE_TYPE', ref.id, `nodes.${index}.type`, `node type ${ref.type}@${ref.version} is not available in this workspace; pick one from journeyNodeTypes`);
      return;
    }
    let config: unknown = ref.config;
    // Fields whose schema issues are not reported: a sealed value that did not open (one issue
    // says so), or, without the key, a sealed value (it was checked when it was entered).
    let skip = sealedFieldsOf(config);
    if (secrets) {
      const opened = openConfigSecrets(node, ref.id, config, secrets);
      config = opened.config;
      skip = opened.unopened;
      for (const name of skip) error('INVALID_CONFIG', ref.id, name, `${name}: the stored secret was sealed for another journey or workspace; enter it again`);
    }
    const parsed = parseConfig(node, config);
    if (!parsed.ok) {
      for (const i of parsed.issues.filter((i) => !skip.includes(i.path.split('.')[0]!))) error('INVALID_CONFIG', ref.id, i.path || null, `${i.path ? `${i.path}: ` : ''}${i.message}`);
      nodes.set(ref.id, { node, config });
    } else {
      nodes.set(ref.id, { node, config: normalizeRefs(parsed.config) });
    }
    if (node.kind === 'trigger') triggers.push(ref.id);
  });

  if (triggers.length === 0) error('MISSING_TRIGGER', null, 'nodes', 'a journey needs one trigger node: add a trigger from the palette');
  if (triggers.length > 1) {
    for (const id of triggers.slice(1)) error('MULTIPLE_TRIGGERS', id, null, 'a journey has exactly one trigger; remove this one or make it another journey');
  }
  const triggerId = triggers[0] ?? null;

  const out = new Map<string, Map<string, string>>();
  definition.edges.forEach((edge, index) => {
    const from = definition.nodes.find((n) => n.id === edge.from);
    if (!from) return error('DANGLING_EDGE', null, `edges.${index}.from`, `edge ${index} starts at node "${edge.from}", which does not exist`);
    if (!definition.nodes.some((n) => n.id === edge.to)) {
      return error('DANGLING_EDGE', edge.from, `edges.${index}.to`, `edge ${index} from "${edge.from}" goes to node "${edge.to}", which does not exist`);
    }
    const resolved = nodes.get(edge.from);
    if (resolved) {
      const ports = registry.ports(resolved.node, resolved.config);
      if (!ports.includes(edge.port)) {
        return error('UNKNOWN_PORT', edge.from, `edges.${index}.port`, `node "${edge.from}" has no port "${edge.port}" (its ports: ${ports.join(', ') || 'none'})`);
      }
    }
    if (nodes.get(edge.to)?.node.kind === 'trigger') return error('EDGE_INTO_TRIGGER', edge.to, `edges.${index}.to`, 'nothing may lead into the trigger');
    const ports = out.get(edge.from) ?? new Map<string, string>();
    if (ports.has(edge.port)) return error('PORT_CONNECTED_TWICE', edge.from, `edges.${index}.port`, `port "${edge.port}" of node "${edge.from}" is connected twice; a port leads to one node`);
    ports.set(edge.port, edge.to);
    out.set(edge.from, ports);
  });

  if (triggerId && !out.get(triggerId)?.size) error('TRIGGER_NOT_CONNECTED', triggerId, null, 'connect the trigger to the first step');

  // Reachability from the trigger.
  const reached = new Set<string>();
  const stack = triggerId ? [triggerId] : [];
  while (stack.length) {
    const id = stack.pop()!;
    if (reached.has(id)) continue;
    reached.add(id);
    for (const to of out.get(id)?.values() ?? []) stack.push(to);
  }
  if (triggerId) {
    for (const ref of definition.nodes) {
      if (!reached.has(ref.id)) error('UNREACHABLE_NODE', ref.id, null, `node "${ref.id}" cannot be reached from the trigger; connect it or remove it`);
    }
  }

  // A loop must pass through a node that waits, or a customer would cycle without end.
  const waits = (id: string) => nodes.get(id)?.node.kind === 'action' && (nodes.get(id)!.node as { waits?: boolean }).waits === true;
  const state = new Map<string, 1 | 2>();
  const path: string[] = [];
  const reported = new Set<string>();
  const visit = (id: string) => {
    state.set(id, 1);
    path.push(id);
    for (const to of out.get(id)?.values() ?? []) {
      if (waits(to)) continue;
      if (state.get(to) === 1) {
        const cycle = path.slice(path.indexOf(to));
        const key = [...cycle].sort().join(',');
        if (!reported.has(key)) {
          reported.add(key);
          error('CYCLE_WITHOUT_WAIT', to, null, `the loop ${[...cycle, to].join(' → ')} has no wait; add a wait step inside it`);
        }
      } else if (!state.has(to)) visit(to);
    }
    path.pop();
    state.set(id, 2);
  };
  for (const ref of definition.nodes) if (!waits(ref.id) && !state.has(ref.id)) visit(ref.id);

  // Unconnected ports are allowed (customers leaving there complete the journey) but worth a look.
  for (const [id, { node, config }] of nodes) {
    if (node.kind === 'trigger') continue;
    for (const port of registry.ports(node, config)) {
      if (port === 'failed') continue;
      if (!out.get(id)?.has(port)) {
        issues.push({ code: 'UNCONNECTED_PORT', severity: 'warning', nodeId: id, field: null, message: `port "${port}" of node "${id}" leads nowhere: customers leaving there complete the journey` });
      }
    }
  }
  return { definition, issues, nodes, triggerId };
}

/** The node a port leads to, or null when it leads nowhere (the journey completes). */
export function nextNode(definition: JourneyDefinition, from: string, port: string): string | null {
  return definition.edges.find((e) => e.from === from && e.port === port)?.to ?? null;
}

/** Top-level fields holding a sealed value or the placeholder, which validation without the key takes as set. */
function sealedFieldsOf(config: unknown): string[] {
  return config && typeof config === 'object' ? Object.entries(config).filter(([, v]) => isSealed(v) || v === SECRET_PLACEHOLDER).map(([k]) => k) : [];
}
