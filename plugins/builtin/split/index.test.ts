import { describe, expect, it } from 'vitest';
import { portsOf } from '@courtyard/plugin-sdk';
import { configIssues, runNode } from '../testing.ts';
import { pickBranch, randomSplitCondition, splitPoint } from './index.ts';

const config = {
  branches: [
    { id: 'a', title: 'A 组', weight: 70 },
    { id: 'b', title: 'B 组', weight: 20 },
    { id: 'control', title: '对照组', weight: 10 },
  ],
};

async function split(customerIds: string[], nodeId = 'split-1'): Promise<string[]> {
  const { results } = await runNode(randomSplitCondition, config, customerIds.map((id) => ({ id })), { nodeId });
  expect(results.every((r) => r.kind === 'next')).toBe(true);
  return results.map((r) => (r as { port: string }).port);
}

describe('random split', () => {
  it('has one port per branch', () => {
    expect(portsOf(randomSplitCondition, config)).toEqual(['a', 'b', 'control']);
  });

  it('distributes 10,000 enrollments close to the weights', async () => {
    const ids = Array.from({ length: 10_000 }, (_, i) => `enrollment-${i}`);
    const picks = await split(ids);
    const share = (id: string) => picks.filter((p) => p === id).length / ids.length;
    expect(share('a')).toBeCloseTo(0.7, 1);
    expect(Math.abs(share('a') - 0.7)).toBeLessThan(0.02);
    expect(Math.abs(share('b') - 0.2)).toBeLessThan(0.02);
    expect(Math.abs(share('control') - 0.1)).toBeLessThan(0.02);
  });

  it('picks the same branch for an enrollment on every run, such as a retry', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `e-${i}`);
    expect(await split(ids)).toEqual(await split(ids));
    expect(await split(ids.slice(50, 60))).toEqual((await split(ids)).slice(50, 60));
  });

  it('two split nodes split one enrollment independently', async () => {
    const ids = Array.from({ length: 1000 }, (_, i) => `e-${i}`);
    const first = await split(ids, 'split-1');
    const second = await split(ids, 'split-2');
    const agree = first.filter((p, i) => p === second[i]).length / ids.length;
    // Independent 70/20/10 picks agree about 0.49 + 0.04 + 0.01 of the time.
    expect(agree).toBeGreaterThan(0.45);
    expect(agree).toBeLessThan(0.63);
  });

  it('maps the hash onto branches by cumulative weight', () => {
    expect(pickBranch(config.branches, 0)).toBe('a');
    expect(pickBranch(config.branches, 0.6999)).toBe('a');
    expect(pickBranch(config.branches, 0.7001)).toBe('b');
    expect(pickBranch(config.branches, 0.9999999)).toBe('control');
    expect(splitPoint('e-1', 'n')).toBeGreaterThanOrEqual(0);
    expect(splitPoint('e-1', 'n')).toBeLessThan(1);
  });

  it('a weight of 0 is rejected on that branch’s weight', () => {
    const bad = { branches: [config.branches[0], { ...config.branches[1], weight: 0 }] };
    expect(configIssues(randomSplitCondition, bad).map((i) => i.path)).toEqual(['branches.1.weight']);
  });

  it('a repeated branch id is rejected on the second one', () => {
    const bad = { branches: [config.branches[0], config.branches[1], { ...config.branches[2], id: 'a' }] };
    expect(configIssues(randomSplitCondition, bad).map((i) => i.path)).toEqual(['branches.2.id']);
  });

  it('a single branch is rejected on branches', () => {
    expect(configIssues(randomSplitCondition, { branches: [config.branches[0]] }).map((i) => i.path)).toEqual(['branches']);
  });
});
