import { describe, expect, it } from 'vitest';
import { configIssues, runNode } from '../testing.ts';
import { enterJourneyAction, exitAction } from './index.ts';

describe('enter another journey action', () => {
  it('enrolls the whole batch in one call with the data and goes on here', async () => {
    const { results, ctx } = await runNode(enterJourneyAction, { journeyId: 'journey-vip', data: { from: 'welcome' } }, [{ id: 'a' }, { id: 'b' }]);
    expect(ctx.callCount('journeys.enroll')).toBe(1);
    expect(ctx.enrollments).toEqual([
      { journeyId: 'journey-vip', customerId: 'a', data: { from: 'welcome' } },
      { journeyId: 'journey-vip', customerId: 'b', data: { from: 'welcome' } },
    ]);
    expect(results).toEqual([{ kind: 'next', port: 'next' }, { kind: 'next', port: 'next' }]);
  });

  it('a missing journey is rejected on journeyId', () => {
    expect(configIssues(enterJourneyAction, {}).map((i) => i.path)).toEqual(['journeyId']);
  });
});

describe('exit action', () => {
  it('takes every customer out of the journey with the reason', async () => {
    const { results, ctx } = await runNode(exitAction, { reason: '已下单' }, [{ id: 'a' }, { id: 'b' }]);
    expect(results).toEqual([{ kind: 'exit', reason: '已下单' }, { kind: 'exit', reason: '已下单' }]);
    expect(ctx.calls).toEqual([]);
  });

  it('has no way out', () => {
    expect(exitAction.ports).toEqual([]);
  });
});
