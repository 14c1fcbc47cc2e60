import { describe, expect, it } from 'vitest';
import { grantFromConsent, localized, manifestProblems, parseManifest } from './scopes';

const scopes = [
  { name: 'tags:write', scope: 'TAGS_WRITE', description: { zhCN: '给客户打标签', en: 'Tag customers' } },
  { name: 'customers:read', scope: 'CUSTOMERS_READ', description: { zhCN: '读取客户', en: 'Read customers' } },
];

describe('marketplace helpers', () => {
  it('picks the text of the locale, falling back to the other', () => {
    expect(localized({ zhCN: '优惠券', en: 'Coupons' }, 'zh-CN')).toBe('优惠券');
    expect(localized({ zhCN: '优惠券', en: 'Coupons' }, 'en')).toBe('Coupons');
    expect(localized({ zhCN: '优惠券', en: '' }, 'en')).toBe('优惠券');
  });

  it('grants exactly the requested scopes only when each is ticked', () => {
    expect(grantFromConsent(scopes, new Set(['TAGS_WRITE']))).toBeNull();
    expect(grantFromConsent(scopes, new Set(['CUSTOMERS_READ', 'TAGS_WRITE', 'EXTRA']))).toEqual(['TAGS_WRITE', 'CUSTOMERS_READ']);
    expect(grantFromConsent([], new Set())).toEqual([]);
  });

  it('names manifest problems by their JSON path in order', () => {
    expect(manifestProblems([
      { field: 'manifest.nodes.10.id', message: 'b' },
      { field: 'manifest.nodes.2.id', message: 'a' },
      { field: 'manifest', message: 'c' },
    ])).toEqual([
      { path: '(manifest)', message: 'c' },
      { path: 'nodes.2.id', message: 'a' },
      { path: 'nodes.10.id', message: 'b' },
    ]);
  });

  it('parses manifest text or says why not', () => {
    expect(parseManifest('{"id":"x"}')).toEqual({ ok: true, value: { id: 'x' } });
    expect(parseManifest('[1]').ok).toBe(false);
    expect(parseManifest('{oops').ok).toBe(false);
  });
});
