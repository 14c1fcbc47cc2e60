import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineAction, defineCondition, FAILED, NEXT, parseConfig, portsOf } from './node.ts';

const base = { version: '1.0.0', title: { 'zh-CN': '节点', en: 'Node' }, description: { 'zh-CN': '节点', en: 'Node' }, icon: 'x' };

const SplitConfig = z.object({ branches: z.array(z.object({ key: z.string(), label: z.string(), share: z.number().positive() })).min(2) });

const split = defineCondition<typeof SplitConfig, string>({
  ...base,
  id: 'acme.split',
  config: SplitConfig,
  ports: { field: 'branches', id: 'key', title: 'label' },
  run: async ({ items }) => items.map(() => 'x'),
});

describe('ports', () => {
  it('ports from the config take each list entry’s id field', () => {
    const config = { branches: [{ key: 'a', label: 'A', share: 1 }, { key: 'b', label: 'B', share: 1 }] };
    expect(portsOf(split, config)).toEqual(['a', 'b']);
  });

  it('a config without the list has no ports', () => {
    expect(portsOf(split, {})).toEqual([]);
    expect(portsOf(split, null)).toEqual([]);
  });

  it('fixed ports are listed as declared; conditions default to yes and no', () => {
    const yesNo = defineCondition({ ...base, id: 'acme.check', config: z.object({}), run: async ({ items }) => items.map(() => 'yes' as const) });
    const withFailure = defineAction({ ...base, id: 'acme.call', config: z.object({}), ports: [...NEXT, FAILED], run: async () => [] });
    expect(portsOf(yesNo, {})).toEqual(['yes', 'no']);
    expect(portsOf(withFailure, {})).toEqual(['next', 'failed']);
  });
});

describe('parseConfig', () => {
  it('returns the parsed config with defaults applied', () => {
    const node = defineAction({ ...base, id: 'acme.wait', config: z.object({ minutes: z.number().default(5) }), run: async () => [] });
    expect(parseConfig(node, undefined)).toEqual({ ok: true, config: { minutes: 5 } });
  });

  it('names the path of each problem, list positions included', () => {
    const result = parseConfig(split, { branches: [{ key: 'a', label: 'A', share: 1 }, { key: 'b', label: 'B', share: 0 }] });
    expect(result.ok).toBe(false);
    expect(!result.ok && result.issues.map((i) => i.path)).toEqual(['branches.1.share']);
  });
});
