import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createManifest, describeNode, PluginManifest } from './manifest.ts';
import { defineAction, defineCondition, defineTrigger } from './node.ts';
import { step } from './outcome.ts';

const sendCoupon = defineAction({
  id: 'acme-coupons.send-coupon',
  version: '1.2.0',
  title: { 'zh-CN': '发优惠券', en: 'Send a coupon' },
  description: { 'zh-CN': '给客户发一张优惠券', en: 'Gives the customer a coupon' },
  icon: 'ticket',
  config: z.object({ batchCode: z.string().min(1).describe('Coupon batch'), amountYuan: z.number().positive().default(10).describe('Face value') }),
  scopes: ['customers:read', 'http:outbound'],
  async run({ items }) {
    return items.map(() => step.next('next'));
  },
});

const spec = {
  id: 'acme-coupons',
  version: '1.0.0',
  name: { 'zh-CN': '优惠券', en: 'Coupons' },
  description: { 'zh-CN': '发券', en: 'Coupons' },
  publisher: { name: 'Acme' },
  icon: 'ticket',
  nodes: [sendCoupon],
};

describe('plugin manifest', () => {
  it('describes a node with its config as JSON Schema of what the author writes', () => {
    const described = describeNode(sendCoupon);
    expect(described).toMatchObject({ id: 'acme-coupons.send-coupon', kind: 'action', ports: [{ id: 'next' }], scopes: ['customers:read', 'http:outbound'] });
    expect(described.configSchema).toMatchObject({
      type: 'object',
      properties: { batchCode: { type: 'string', description: 'Coupon batch' }, amountYuan: { type: 'number', default: 10, description: 'Face value' } },
      required: ['batchCode'],
    });
  });

  it('requests the union of its nodes’ scopes', () => {
    const manifest = createManifest(spec);
    expect(manifest.scopes).toEqual(['customers:read', 'http:outbound']);
    expect(PluginManifest.safeParse(manifest).success).toBe(true);
  });

  it('a node outside the plugin’s id is reported with its path', () => {
    expect(() => createManifest({ ...spec, id: 'other' })).toThrow(/nodes\.0\.id: node ids must start with "other\."/);
  });

  it('a node listed twice is reported on the second one', () => {
    expect(() => createManifest({ ...spec, nodes: [sendCoupon, sendCoupon] })).toThrow(/nodes\.1\.id: node id acme-coupons\.send-coupon is listed twice/);
  });

  it('a missing English title is reported with its path', () => {
    const untranslated = { ...sendCoupon, title: { 'zh-CN': '发优惠券', en: '' } };
    expect(() => createManifest({ ...spec, nodes: [untranslated] })).toThrow(/nodes\.0\.title\.en: give the English text/);
  });

  it('a manifest scope list must cover every node’s scopes', () => {
    const manifest = createManifest(spec);
    const result = PluginManifest.safeParse({ ...manifest, scopes: ['customers:read'] });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toEqual(['nodes.0.scopes']);
  });

  it('a plugin id with capitals and a bad version are both reported', () => {
    expect(() => createManifest({ ...spec, id: 'Acme', version: 'one' })).toThrow(/id: use lower case.*version: use a semantic version/);
  });
});

describe('node declarations', () => {
  const base = { version: '1.0.0', title: { 'zh-CN': '节点', en: 'Node' }, description: { 'zh-CN': '节点', en: 'Node' }, icon: 'x', config: z.object({}) };

  it('reject an id without a plugin prefix', () => {
    expect(() => defineTrigger({ ...base, id: 'send', source: () => ({ kind: 'api' }) })).toThrow(/must look like "<plugin>\.<name>"/);
  });

  it('reject a version that is not semantic', () => {
    expect(() => defineCondition({ ...base, id: 'a.b', version: '1', run: async () => [] })).toThrow(/not a semantic version/);
  });

  it('reject a port declared twice', () => {
    const port = { id: 'next', title: { 'zh-CN': '下一步', en: 'Next' } };
    expect(() => defineAction({ ...base, id: 'a.b', ports: [port, port], run: async () => [] })).toThrow(/port "next" is declared twice/);
  });
});
