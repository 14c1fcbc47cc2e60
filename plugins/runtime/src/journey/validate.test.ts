import { describe, expect, it } from 'vitest';
import { builtinRegistry } from '../registry.ts';
import { edge, node } from '../testing.ts';
import { validateJourney } from './validate.ts';

const codes = (raw: unknown) => validateJourney(raw, builtinRegistry).issues.filter((i) => i.severity === 'error').map((i) => [i.code, i.nodeId, i.field]);

describe('validateJourney', () => {
  it('accepts a trigger → condition → action journey, warning only about the unconnected "no" port', () => {
    const result = validateJourney(
      { nodes: [node('t', 'api'), node('c', 'has-tags', { tagIds: ['a'] }), node('x', 'exit', { reason: 'done' })], edges: [edge('t', 'c'), edge('c', 'x', 'yes')] },
      builtinRegistry,
    );
    expect(result.issues.map((i) => [i.severity, i.code, i.nodeId])).toEqual([['warning', 'UNCONNECTED_PORT', 'c']]);
  });

  it('publishing without a trigger fails with MISSING_TRIGGER', () => {
    expect(codes({ nodes: [node('x', 'exit', { reason: 'r' })], edges: [] })).toContainEqual(['MISSING_TRIGGER', null, 'nodes']);
  });

  it('an unknown node type names the node and the field', () => {
    expect(codes({ nodes: [node('t', 'api'), node('n', 'nope')], edges: [edge('t', 'n')] })).toContainEqual(['UNKNOWN_NODE_TYPE', 'n', 'nodes.1.type']);
  });

  it('a config that does not match the node schema names the node and the config field', () => {
    expect(codes({ nodes: [node('t', 'api'), node('tag', 'add-tags', { tagIds: [] })], edges: [edge('t', 'tag')] })).toContainEqual(['INVALID_CONFIG', 'tag', 'tagIds']);
  });

  it('dangling edges, unknown ports and a port connected twice are errors naming the edge', () => {
    const result = codes({
      nodes: [node('t', 'api'), node('c', 'has-tags', { tagIds: ['a'] }), node('x', 'exit', { reason: 'r' }), node('y', 'exit', { reason: 'r' })],
      edges: [edge('t', 'c'), edge('c', 'x', 'yes'), edge('c', 'y', 'yes'), edge('c', 'x', 'maybe'), edge('c', 'ghost', 'no')],
    });
    expect(result).toContainEqual(['PORT_CONNECTED_TWICE', 'c', 'edges.2.port']);
    expect(result).toContainEqual(['UNKNOWN_PORT', 'c', 'edges.3.port']);
    expect(result).toContainEqual(['DANGLING_EDGE', 'c', 'edges.4.to']);
  });

  it('an unreachable node is reported with its id', () => {
    expect(codes({ nodes: [node('t', 'api'), node('x', 'exit', { reason: 'r' }), node('lost', 'exit', { reason: 'r' })], edges: [edge('t', 'x')] })).toContainEqual(['UNREACHABLE_NODE', 'lost', null]);
  });

  it('a loop without a wait is refused, a loop through a wait is allowed', () => {
    const loop = (middle: ReturnType<typeof node>) => ({
      nodes: [node('t', 'api'), node('a', 'has-tags', { tagIds: ['x'] }), middle],
      edges: [edge('t', 'a'), edge('a', 'm', 'yes'), edge('m', 'a')],
    });
    expect(codes(loop(node('m', 'add-tags', { tagIds: ['x'] }))).map((c) => c[0])).toContain('CYCLE_WITHOUT_WAIT');
    expect(codes(loop(node('m', 'wait', { duration: { amount: 1, unit: 'days' } })))).toEqual([]);
  });

  it('two triggers and an edge into the trigger are refused', () => {
    const result = codes({ nodes: [node('t', 'api'), node('u', 'api'), node('x', 'add-tags', { tagIds: ['a'] })], edges: [edge('t', 'x'), edge('x', 'u')] });
    expect(result).toContainEqual(['MULTIPLE_TRIGGERS', 'u', null]);
    expect(result.map((c) => c[0])).toContain('EDGE_INTO_TRIGGER');
  });
});
