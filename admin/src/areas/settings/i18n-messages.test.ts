import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import en from './messages.en';
import zhCN from './messages.zh-CN';

type Tree = { [key: string]: string | Tree };
const keys = (tree: Tree, prefix = ''): string[] => Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));

describe('settings messages', () => {
  // vue-i18n compiles messages at run time: a bare "@" or "|" breaks a message only when it is shown.
  it('every message compiles and renders in both languages', () => {
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': { settings: zhCN }, en: { settings: en } } });
    for (const locale of ['zh-CN', 'en'] as const) {
      i18n.global.locale.value = locale;
      for (const key of keys(zhCN)) expect(() => i18n.global.t(`settings.${key}`, { n: 1, name: 'x', email: 'x', role: 'x', time: 'x', start: 'x', end: 'x', hours: 'x', h: 1, m: 1, value: 'x' })).not.toThrow();
    }
    i18n.global.locale.value = 'en';
    expect(i18n.global.t('settings.invite.emailPlaceholder')).toBe('name@brand.com');
  });
});
