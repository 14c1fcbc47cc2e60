import semver from 'semver';
import { z } from 'zod';
import type { BatchItem, NodeContext } from './context.ts';
import type { StepResult } from './outcome.ts';
import type { PluginScope } from './scopes.ts';
import type { JsonObject, LocalizedText } from './text.ts';

export type NodeKind = 'trigger' | 'condition' | 'action';

/** A way out of a node, drawn as a handle on the canvas. */
export interface PortDeclaration<P extends string = string> {
  id: P;
  title: LocalizedText;
}

/**
 * Ports that come from the config, one per list entry: a split has one port per branch. The admin
 * reads `field` (a list in the config), takes each entry's `id` property as the port id and its
 * `title` property as the label.
 */
export interface PortsFromConfig {
  field: string;
  id: string;
  title: string;
}

/** Where a trigger's enrollments come from. The runtime implements each kind set-based. */
export type TriggerSource =
  | { kind: 'event'; eventType: string; properties?: JsonObject }
  | { kind: 'segment'; segmentId: string; change: 'entered' | 'exited' }
  /** Everyone in `segmentId` (everyone when null) at `at` once, or on every `cron` tick. */
  | { kind: 'schedule'; segmentId: string | null; at?: string; cron?: string; timeZone?: string }
  /** Customers whose date (`birthday` repeats yearly) plus `offsetDays` is today, at `time` (HH:mm). */
  | { kind: 'date'; field: 'birthday' | 'createdAt' | 'firstOrderAt' | 'lastOrderAt'; offsetDays: number; time: string; segmentId: string | null }
  | { kind: 'api' };

interface NodeCommon<C extends z.ZodType> {
  /** Unique across every plugin: `<plugin id>.<node name>`, lower case, e.g. `courtyard.add-tags`. */
  id: string;
  /** Semantic version of this node; a journey pins the version it was built with. */
  version: string;
  title: LocalizedText;
  description: LocalizedText;
  /** An icon name of the admin's icon set (e.g. `tag`, `clock`, `message`), or an https/data URL. */
  icon: string;
  /** The config form and its validation. Give every field a `.describe()`: the admin shows it. */
  config: C;
  /** What `run` needs from the brand. Default: nothing. */
  scopes?: readonly PluginScope[];
}

export interface RunInput<Config> {
  items: BatchItem[];
  config: Config;
  ctx: NodeContext;
}

interface Runnable<C extends z.ZodType, P extends string> {
  /**
   * Receives every customer that reached the node together, with the config already parsed by
   * `config`. Returns one result per item, in the same order (a bare port id means `next` through it).
   */
  run(input: RunInput<z.output<C>>): Promise<Array<StepResult<P> | P>>;
  /** Most customers in one `run`. Default 500. */
  batchSize?: number;
  /** A `run` taking longer fails the batch (retried). Default 30,000 ms. */
  timeoutMs?: number;
  /** Retries of a failing batch or item before it takes the `failed` port or dead-letters. Default 3, doubling from 1,000 ms. */
  retry?: { attempts: number; backoffMs: number };
  /**
   * The node can hold a customer for a while (a delay, a time window, an awaited event). A loop in
   * a journey must pass through such a node, or a customer would spin through it without end.
   */
  waits?: boolean;
}

export interface TriggerNode<C extends z.ZodType = z.ZodType> extends NodeCommon<C> {
  kind: 'trigger';
  ports: readonly PortDeclaration<'next'>[];
  /** Turns the config into the source the runtime listens to. */
  source(config: z.output<C>): TriggerSource;
}

export interface ConditionNode<C extends z.ZodType = z.ZodType, P extends string = string> extends NodeCommon<C>, Runnable<C, P> {
  kind: 'condition';
  ports: readonly PortDeclaration<P>[] | PortsFromConfig;
}

export interface ActionNode<C extends z.ZodType = z.ZodType, P extends string = string> extends NodeCommon<C>, Runnable<C, P> {
  kind: 'action';
  ports: readonly PortDeclaration<P>[] | PortsFromConfig;
}

export type JourneyNode = TriggerNode<any> | ConditionNode<any, any> | ActionNode<any, any>;

const ID = /^[a-z0-9]+(?:[-_][a-z0-9]+)*(?:\.[a-z0-9]+(?:[-_][a-z0-9]+)*)+$/;

function checkCommon(node: NodeCommon<z.ZodType>) {
  if (!ID.test(node.id)) throw new Error(`node id "${node.id}" must look like "<plugin>.<name>" in lower case, e.g. "acme.send-coupon"`);
  if (!semver.valid(node.version)) throw new Error(`node ${node.id}: version "${node.version}" is not a semantic version such as 1.0.0`);
  if (!(node.config instanceof z.ZodType)) throw new Error(`node ${node.id}: config must be a zod schema`);
}

function checkPorts(id: string, ports: readonly PortDeclaration[] | PortsFromConfig) {
  if (!Array.isArray(ports)) return;
  const seen = new Set<string>();
  for (const p of ports as readonly PortDeclaration[]) {
    if (seen.has(p.id)) throw new Error(`node ${id}: port "${p.id}" is declared twice`);
    seen.add(p.id);
  }
}

export const YES_NO = [
  { id: 'yes', title: { 'zh-CN': '是', en: 'Yes' } },
  { id: 'no', title: { 'zh-CN': '否', en: 'No' } },
] as const satisfies readonly PortDeclaration[];

export const NEXT = [{ id: 'next', title: { 'zh-CN': '下一步', en: 'Next' } }] as const satisfies readonly PortDeclaration[];

export const FAILED = { id: 'failed', title: { 'zh-CN': '失败', en: 'Failed' } } as const satisfies PortDeclaration;

/** Declares a trigger. Its only port is `next`. */
export function defineTrigger<C extends z.ZodType>(spec: Omit<TriggerNode<C>, 'kind' | 'ports'>): TriggerNode<C> {
  checkCommon(spec);
  return { ...spec, kind: 'trigger', ports: NEXT };
}

/** Declares a condition. Ports default to `yes` / `no`; a split declares one per branch. */
export function defineCondition<C extends z.ZodType, P extends string = 'yes' | 'no'>(
  spec: Omit<ConditionNode<C, P>, 'kind' | 'ports'> & { ports?: readonly PortDeclaration<P>[] | PortsFromConfig },
): ConditionNode<C, P> {
  checkCommon(spec);
  const ports = spec.ports ?? (YES_NO as unknown as readonly PortDeclaration<P>[]);
  checkPorts(spec.id, ports);
  return { ...spec, kind: 'condition', ports };
}

/** Declares an action. Ports default to `next`; add `FAILED` to let a journey route failures. */
export function defineAction<C extends z.ZodType, P extends string = 'next'>(
  spec: Omit<ActionNode<C, P>, 'kind' | 'ports'> & { ports?: readonly PortDeclaration<P>[] | PortsFromConfig },
): ActionNode<C, P> {
  checkCommon(spec);
  const ports = spec.ports ?? (NEXT as unknown as readonly PortDeclaration<P>[]);
  checkPorts(spec.id, ports);
  return { ...spec, kind: 'action', ports };
}

/** The port ids a node has for a given (parsed) config. */
export function portsOf(node: JourneyNode, config: unknown): string[] {
  const ports = node.ports as readonly PortDeclaration[] | PortsFromConfig;
  if (Array.isArray(ports)) return (ports as readonly PortDeclaration[]).map((p) => p.id);
  const from = ports as PortsFromConfig;
  const list = (config as Record<string, unknown> | null)?.[from.field];
  if (!Array.isArray(list)) return [];
  return list.map((entry) => String((entry as Record<string, unknown>)[from.id]));
}

export interface ConfigIssue {
  /** Path inside the config, e.g. `tagIds.0`. */
  path: string;
  message: string;
}

/** Parses a raw config with the node's schema; issues name the field. */
export function parseConfig(node: JourneyNode, raw: unknown): { ok: true; config: unknown } | { ok: false; issues: ConfigIssue[] } {
  const result = (node.config as z.ZodType).safeParse(raw ?? {});
  if (result.success) return { ok: true, config: result.data };
  return { ok: false, issues: result.error.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })) };
}
