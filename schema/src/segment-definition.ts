// A segment definition checked against its workspace: shape and meaning (validateSegmentDefinition),
// then that every tag and segment it names exists here, and that segment references make no cycle.
import { decodeRef, validateSegmentDefinition, type SegmentDefinition } from '@courtyard/db/segments';
import type { Context } from './context.ts';
import { InputError, type FieldIssue } from './errors.ts';

/**
 * Validates a definition for this workspace: its shape, that named tags and segments exist here,
 * and (for a saved segment) that it does not reach itself through segment references.
 */
export async function checkDefinition(ctx: Context, workspaceId: string, raw: unknown, path: string[], selfId?: string): Promise<SegmentDefinition> {
  const result = validateSegmentDefinition(raw);
  if (!result.ok) throw new InputError(result.issues.map((i) => ({ path: [...path, ...i.path], message: i.message, code: 'invalid_definition' })));
  const definition = result.definition;
  const issues: FieldIssue[] = [];
  const tagRefs: { id: string; path: string[] }[] = [];
  const segmentRefs: { id: string; path: string[] }[] = [];
  collectRefs(definition.root, [...path, 'root'], tagRefs, segmentRefs);
  const tagIds = tagRefs.map((r) => decodeRef('Tag', r.id));
  const segmentIds = segmentRefs.map((r) => decodeRef('Segment', r.id));
  const knownTags = new Set((await ctx.prisma.tag.findMany({ where: { workspaceId, id: { in: tagIds.filter((x): x is string => !!x) } }, select: { id: true } })).map((t) => t.id));
  const segments = await ctx.prisma.segment.findMany({ where: { workspaceId }, select: { id: true, dependsOn: true } });
  const knownSegments = new Map(segments.map((s) => [s.id, s.dependsOn]));
  tagRefs.forEach((r, i) => {
    if (!tagIds[i] || !knownTags.has(tagIds[i])) issues.push({ path: r.path, message: `no tag ${r.id} in this workspace`, code: 'not_found' });
  });
  segmentRefs.forEach((r, i) => {
    const id = segmentIds[i];
    if (!id || !knownSegments.has(id)) issues.push({ path: r.path, message: `no segment ${r.id} in this workspace`, code: 'not_found' });
    else if (selfId && reaches(id, selfId, knownSegments)) issues.push({ path: r.path, message: 'this reference makes a cycle: that segment depends on this one', code: 'cycle' });
  });
  if (issues.length) throw new InputError(issues);
  return definition;
}

function reaches(from: string, target: string, graph: Map<string, string[]>, seen = new Set<string>()): boolean {
  if (from === target) return true;
  if (seen.has(from)) return false;
  seen.add(from);
  return (graph.get(from) ?? []).some((d) => d.startsWith('segment:') && reaches(d.slice('segment:'.length), target, graph, seen));
}

function collectRefs(node: SegmentDefinition['root'], path: string[], tags: { id: string; path: string[] }[], segments: { id: string; path: string[] }[]) {
  if ('op' in node) {
    if (node.op === 'not') collectRefs(node.condition, [...path, 'condition'], tags, segments);
    else node.conditions.forEach((c, i) => collectRefs(c, [...path, 'conditions', String(i)], tags, segments));
    return;
  }
  if (node.kind === 'tags') node.tagIds.forEach((id, i) => tags.push({ id, path: [...path, 'tagIds', String(i)] }));
  if (node.kind === 'segment') segments.push({ id: node.segmentId, path: [...path, 'segmentId'] });
}

