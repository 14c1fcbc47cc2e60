// The API explains a refused rule in English; the commonest explanations are shown in the
// marketer's language, anything else as the API wrote it.
const KNOWN: Array<[RegExp, string]> = [
  [/^name at least one tag$/, 'pickTag'],
  [/^Too small: expected string to have >=1 characters?$/, 'required'],
  [/^Too small: expected array to have >=1 items?$/, 'pickOne'],
  [/^a group needs at least one condition$/, 'emptyGroup'],
  [/^no (tag|segment) \S+ in this workspace$/, 'missingRef'],
  [/^this reference makes a cycle/, 'cycle'],
  [/needs a list of values$/, 'pickOne'],
  [/needs one value$|needs text$/, 'required'],
  [/^must be after from$|^from must be below to$/, 'order'],
];

export function ruleMessageKey(message: string): string | null {
  for (const [re, key] of KNOWN) if (re.test(message)) return `segments.rules.errors.${key}`;
  return null;
}
