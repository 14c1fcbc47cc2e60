// The shapes the builder works with. A journey's meaning is its definition (nodes and edges by id
// and port, plain JSON as the API stores it); canvas positions are the layout, kept apart.
import type { Edge, Node } from '@vue-flow/core';
import type { JourneyNodeTypesQuery, SimulateJourneyQuery } from '@/gql/graphql';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/** A node of a definition: which node type (id + version) and its config. */
export interface DefinitionNode {
  id: string;
  type: string;
  version: string;
  config: JsonObject;
  label?: string;
}

/** Customers leaving `from` through `port` go to `to`. */
export interface DefinitionEdge {
  from: string;
  port: string;
  to: string;
}

export interface JourneyDefinition {
  nodes: DefinitionNode[];
  edges: DefinitionEdge[];
}

export interface XY {
  x: number;
  y: number;
}

/** Canvas positions by node id. */
export type JourneyLayout = Record<string, XY>;

/** What a canvas node carries: only the node's JSON, never derived view state. */
export interface NodeData {
  type: string;
  version: string;
  config: JsonObject;
  label?: string;
}

export type CanvasNode = Node<NodeData> & { position: XY; data: NodeData; selected?: boolean };
export type CanvasEdge = Edge & { sourceHandle: string; selected?: boolean };

/** The builder's editable state: what undo/redo snapshots. */
export interface BuilderDoc {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
}

export type NodeType = JourneyNodeTypesQuery['journeyNodeTypes'][number];
export type NodeKind = NodeType['kind'];

export interface Port {
  id: string;
  title: string;
}

/** Counts of one node, as journeyProgress and Journey.stats give them. */
export interface NodeCounts {
  entered: number;
  waiting: number;
  completed: number;
  failed: number;
  exited: number;
}

export const NO_COUNTS: NodeCounts = Object.freeze({ entered: 0, waiting: 0, completed: 0, failed: 0, exited: 0 });

export interface NodeIssue {
  code: string;
  severity: 'error' | 'warning';
  nodeId?: string | null;
  field?: string | null;
  message: string;
}

/** A node on the simulated path: its order and when the customer was there. */
export interface SimulatedVisit {
  order: number;
  at: string;
  leftAt: string;
  outcome: string;
  port: string | null;
}

/** The drag-and-drop payload type of a palette item: the node type id. */
export const PALETTE_MIME = 'application/x-courtyard-node-type';

/** A finished simulation as the API returns it. */
export type Simulation = Extract<NonNullable<SimulateJourneyQuery['simulateJourney']>, { __typename: 'JourneySimulation' }>;
