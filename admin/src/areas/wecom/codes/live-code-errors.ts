// A refused live-code save as messages next to the fields: keys are input paths without "input."
// ("welcome.text", "staff.1.userId"); what no field shows becomes the dialog's message.
import { fieldErrors, isApiError } from '@/graphql/errors';

const SHOWN = ['name', 'channel', 'staff', 'backupUserIds', 'assignment', 'dailyAddLimit', 'skipVerify', 'tagIds', 'welcome'];

export interface Wording {
  unknownVariable(variable: string, known: string[]): string;
  rejected(message: string): string;
}

export function liveCodeErrors(result: unknown, words: Wording): { fields: Record<string, string>; rest: string | null } {
  if (!isApiError(result)) return { fields: {}, rest: null };
  const fields = fieldErrors(result);
  const r = result as { __typename: string; field?: string; variable?: string; known?: string[]; message: string };
  const key = r.field?.replace(/^input\./, '');
  if (key && r.__typename === 'UnknownVariableError') fields[key] = words.unknownVariable(r.variable ?? '', r.known ?? []);
  if (key && r.__typename === 'WeComRejectedError') fields[key] = words.rejected(r.message);
  const rest = Object.entries(fields).filter(([k]) => !SHOWN.some((s) => k === s || k.startsWith(`${s}.`)));
  for (const [k] of rest) delete fields[k];
  const unplaced = rest.map(([, v]) => v);
  if (!Object.keys(fields).length && !unplaced.length) unplaced.push(r.message);
  return { fields, rest: unplaced.length ? unplaced.join('; ') : null };
}
