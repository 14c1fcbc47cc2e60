import { describe, expect, it } from 'vitest';
import { autoMap, duplicateTargets, fieldForHeader, hasIdentity } from './mapping';

describe('CSV column auto-mapping', () => {
  it('maps Chinese and English headers to customer fields, ignoring case, spaces and punctuation', () => {
    expect(autoMap(['手机号', '姓名', '标签', '性别', '生日', '来源渠道', '备注'])).toEqual(['phone', 'name', 'tags', 'gender', 'birthday', 'sourceChannel', 'ignore']);
    expect(autoMap(['Phone Number', 'E-mail', 'Full Name', 'Tags', 'external_userid', 'Marketing Consent'])).toEqual([
      'phone',
      'email',
      'name',
      'tags',
      'wecomExternalId',
      'marketingConsent',
    ]);
    expect(fieldForHeader('\uFEFF手机号码')).toBe('phone');
    expect(fieldForHeader('企业微信 ID')).toBe('wecomExternalId');
  });

  it('a field is filled by the first column naming it; later ones are ignored', () => {
    expect(autoMap(['手机', '电话', 'name'])).toEqual(['phone', 'ignore', 'name']);
  });

  it('knows when a mapping chooses a field twice or has no identity column', () => {
    expect(duplicateTargets(['phone', 'name', 'phone', 'attribute', 'attribute'])).toEqual(['phone']);
    expect(hasIdentity(['name', 'tags'])).toBe(false);
    expect(hasIdentity(['name', 'email'])).toBe(true);
  });
});
