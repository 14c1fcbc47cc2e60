// vue-i18n, Chinese first. Core texts plus each area's, under the area's key.
import { computed } from 'vue';
import { createI18n } from 'vue-i18n';
import { dateEnUS, dateZhCN, enUS, zhCN } from 'naive-ui';
import { areas } from '@/areas';
import type { Messages } from '@/areas/area';
import en from './locales/en';
import zh from './locales/zh-CN';

export type Locale = 'zh-CN' | 'en';
export const LOCALES: Array<{ value: Locale; label: string }> = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
];
const STORAGE_KEY = 'courtyard.locale';

function messagesFor(locale: Locale): Messages {
  const out: Messages = { ...(locale === 'en' ? en : zh) };
  for (const area of areas) out[area.key] = area.messages[locale];
  return out;
}

function initialLocale(): Locale {
  const saved = typeof localStorage !== 'undefined' ? localStorage.getItem(STORAGE_KEY) : null;
  return saved === 'en' ? 'en' : 'zh-CN';
}

export const i18n = createI18n({
  legacy: false,
  locale: initialLocale(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': messagesFor('zh-CN'), en: messagesFor('en') },
  missingWarn: false,
  fallbackWarn: false,
});

export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale;
  localStorage.setItem(STORAGE_KEY, locale);
  document.documentElement.lang = locale;
}

export const naiveLocale = computed(() => (i18n.global.locale.value === 'en' ? { locale: enUS, date: dateEnUS } : { locale: zhCN, date: dateZhCN }));
