import { z } from 'zod';

/** Every user-facing string a plugin declares comes in both languages of the admin. */
export const LocalizedText = z.object({
  'zh-CN': z.string().min(1, 'give the Chinese text'),
  en: z.string().min(1, 'give the English text'),
});
export type LocalizedText = z.infer<typeof LocalizedText>;

export type Locale = keyof LocalizedText;
export const LOCALES: readonly Locale[] = ['zh-CN', 'en'];

/** Picks the text for a locale, falling back to Chinese (the admin's default). */
export function localize(text: LocalizedText, locale: string | undefined): string {
  return locale === 'en' ? text.en : text['zh-CN'];
}

/** JSON values: what configs, customer attributes and event properties are made of. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };
