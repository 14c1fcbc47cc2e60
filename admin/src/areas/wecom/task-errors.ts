// A refused staff-task request (outreach, moments, group sends) as messages next to the fields it
// names: keys are input paths without "input." and without an item index ("staffIds.2" shows on
// "staffIds", "link.url" on "link.url"); what no field of the form shows becomes one message.
import { isApiError } from '@/graphql/errors';

export interface PlacedErrors {
  fields: Record<string, string>;
  rest: string | null;
}

interface ApiFailure {
  __typename: string;
  message: string;
  field?: string | null;
  fields?: Array<{ field: string; message: string }> | null;
}

/**
 * `shown` lists the form's fields; `words` may reword one error (e.g. WeCom's refusal or a limit)
 * before it is placed.
 */
export function placeErrors(result: unknown, shown: readonly string[], words: (error: ApiFailure) => string = (e) => e.message): PlacedErrors {
  if (!isApiError(result)) return { fields: {}, rest: null };
  const r = result as ApiFailure;
  const raw: Array<[string, string]> = r.fields?.length ? r.fields.map((f) => [f.field, f.message]) : [[r.field ?? '', words(r)]];
  const fields: Record<string, string> = {};
  const rest: string[] = [];
  for (const [path, message] of raw) {
    const key = path.replace(/^input\.?/, '');
    const at = shown.filter((s) => key === s || key.startsWith(`${s}.`)).sort((a, b) => b.length - a.length)[0];
    if (!at) rest.push(message);
    else fields[at] = fields[at] ? `${fields[at]}; ${message}` : message;
  }
  return { fields, rest: rest.length ? rest.join('; ') : null };
}
