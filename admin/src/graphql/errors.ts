// API results are unions of a payload and typed errors. These helpers turn an error member into
// messages next to the fields it names, and anything else into one message for the page.
export interface FieldProblem {
  field: string;
  message: string;
}

interface TypedError {
  __typename?: string;
  message?: string;
  code?: string;
  field?: string;
  fields?: Array<{ field: string; message: string }>;
  issues?: Array<{ path?: string[] | null; nodeId?: string | null; message: string }>;
}

/** True when a union result is one of the API's error types (they all carry `message` and `code`). */
export function isApiError(result: unknown): result is TypedError & { message: string } {
  return !!result && typeof result === 'object' && typeof (result as TypedError).__typename === 'string' && (result as TypedError).__typename!.endsWith('Error');
}

/**
 * Field messages keyed by the field path without the argument prefix ("input.email" → "email"),
 * so a form can show each next to its input.
 */
export function fieldErrors(result: unknown, prefix = 'input.'): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isApiError(result)) return out;
  const add = (field: string, message: string) => {
    const key = field.startsWith(prefix) ? field.slice(prefix.length) : field;
    out[key] = out[key] ? `${out[key]}; ${message}` : message;
  };
  for (const f of result.fields ?? []) add(f.field, f.message);
  if (result.field) add(result.field, result.message);
  return out;
}

/** The message to show for a result that is an error, or for a transport/GraphQL error. */
export function errorMessage(result: unknown, error?: { message: string } | null): string | null {
  if (error) return error.message.replace(/^\[(GraphQL|Network)\]\s*/, '');
  if (isApiError(result)) return result.message;
  return null;
}
