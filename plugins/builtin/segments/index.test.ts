import { describe, expect, it } from 'vitest';
import { configIssues, runNode } from '../testing.ts';
import { inSegmentCondition } from './index.ts';

describe('in segment condition', () => {
  it('members take yes and the rest no, from one membership query for the batch', async () => {
    const { results, ctx } = await runNode(inSegmentCondition, { segmentId: 'seg-vip' }, [{ id: 'a' }, { id: 'b' }, { id: 'c' }], {
      segments: { 'seg-vip': ['a', 'c'], 'seg-other': ['b'] },
    });
    expect(results.map((r) => r.kind === 'next' && r.port)).toEqual(['yes', 'no', 'yes']);
    expect(ctx.callCount('query.inSegment')).toBe(1);
    expect(ctx.calls[0]!.args).toEqual(['seg-vip', ['a', 'b', 'c']]);
  });

  it('a missing segment is rejected on segmentId', () => {
    expect(configIssues(inSegmentCondition, {}).map((i) => i.path)).toEqual(['segmentId']);
  });
});
