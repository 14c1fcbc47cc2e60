// Labels of the language's words (kinds, operators, fields, enum values) in the current language,
// falling back to the word itself for anything the API adds before the admin names it.
import { useI18n } from 'vue-i18n';

export function useLabels() {
  const { t, te } = useI18n();
  const label = (group: string, word: string) => (te(`segments.rules.${group}.${word}`) ? t(`segments.rules.${group}.${word}`) : word);
  const options = (group: string, words: readonly string[]) => words.map((w) => ({ value: w, label: label(group, w) }));
  return { t, label, options };
}
