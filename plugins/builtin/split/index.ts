import { createHash } from 'node:crypto';
import { defineCondition, z } from '@courtyard/plugin-sdk';
import { doc } from '../fields.ts';

export const SplitBranch = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'use lower case letters, digits, "-" and "_", e.g. group-a')
    .meta(doc('分支标识（连线用，发布后不要修改）', 'Branch id (edges refer to it; keep it once published)')),
  title: z.string().min(1, 'name the branch').meta(doc('分支名称，如“A 组”', 'Branch name, e.g. "Group A"')),
  weight: z.number().positive('use a weight above 0').max(1_000_000).meta(doc('权重，按比例分配，如 50 / 50', 'Weight; customers are split in proportion, e.g. 50 / 50')),
});
export type SplitBranch = z.infer<typeof SplitBranch>;

export const RandomSplitConfig = z.object({
  branches: z
    .array(SplitBranch)
    .min(2, 'add at least two branches')
    .max(20)
    .superRefine((branches, ctx) => {
      const seen = new Set<string>();
      branches.forEach((branch, i) => {
        if (seen.has(branch.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `branch id ${branch.id} is used twice` });
        seen.add(branch.id);
      });
    })
    .meta(doc('分支及其权重', 'Branches and their weights')),
});
export type RandomSplitConfig = z.infer<typeof RandomSplitConfig>;

/**
 * A number in [0, 1) fixed by the enrollment and node, so a retried or replayed step picks the
 * same branch and one customer's branches at two split nodes are independent.
 */
export function splitPoint(enrollmentId: string, nodeId: string): number {
  const digest = createHash('sha256').update(`${enrollmentId}:${nodeId}`).digest();
  return digest.readUInt32BE(0) / 2 ** 32;
}

export function pickBranch(branches: readonly SplitBranch[], point: number): string {
  const total = branches.reduce((sum, b) => sum + b.weight, 0);
  let edge = 0;
  for (const branch of branches) {
    edge += branch.weight / total;
    if (point < edge) return branch.id;
  }
  // Rounding can leave the sum of fractions a hair under 1.
  return branches[branches.length - 1]!.id;
}

export const randomSplitCondition = defineCondition<typeof RandomSplitConfig, string>({
  id: 'courtyard.random-split',
  version: '1.0.0',
  title: { 'zh-CN': '随机分流（A/B 测试）', en: 'Random split (A/B test)' },
  description: { 'zh-CN': '按权重把客户随机分到不同分支，同一客户重试时仍进入同一分支', en: 'Splits customers across branches by weight; a retried customer keeps their branch' },
  icon: 'split',
  config: RandomSplitConfig,
  ports: { field: 'branches', id: 'id', title: 'title' },
  async run({ items, config, ctx }) {
    return items.map((item) => pickBranch(config.branches, splitPoint(item.enrollmentId, ctx.journey.nodeId)));
  },
});

export const splitNodes = [randomSplitCondition];
