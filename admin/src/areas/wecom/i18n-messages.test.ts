import { describe, expect, it } from 'vitest';
import { createI18n } from 'vue-i18n';
import en from './messages.en';
import zhCN from './messages.zh-CN';

type Tree = { [key: string]: string | Tree };
const keys = (tree: Tree, prefix = ''): string[] => Object.entries(tree).flatMap(([k, v]) => (typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`)));

// Placeholders of the staff-task screens (outreach, moments, group sends, limits).
const EXTRA = Object.fromEntries(['created', 'rejected', 'first', 'last', 'perDay', 'days', 'staff', 'max', 'added', 'rate', 'limit', 'names', 'day', 'total', 'title', 'expiry'].map((k) => [k, 'x']));

describe('WeCom messages', () => {
  // vue-i18n compiles messages at run time: a stray brace, "@" or "|" breaks a message only when shown.
  it('every message compiles and renders in both languages, with the same keys', () => {
    expect(keys(en)).toEqual(keys(zhCN));
    const i18n = createI18n({ legacy: false, locale: 'zh-CN', messages: { 'zh-CN': { wecom: zhCN }, en: { wecom: en } } });
    for (const locale of ['zh-CN', 'en'] as const) {
      i18n.global.locale.value = locale;
      for (const key of keys(zhCN)) {
        const text = i18n.global.t(`wecom.${key}`, { n: 1, name: 'x', hint: 'x', time: 'x', message: 'x', variable: 'x', known: 'x', id: 'x', channel: 'x', ...EXTRA });
        expect(text, key).not.toContain('{');
      }
    }
  });
});
