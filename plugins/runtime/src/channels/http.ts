// What the HTTP channels (webhook, WeCom) share: which answers are worth retrying and how a
// failure reads in the delivery's error column.

/** Request timeout, too early, rate limited, or a server-side error: the same request may pass later. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

const SNIPPET_LENGTH = 200;

/** The start of a response body on one line, enough to recognise the receiver's complaint. */
export function snippetOf(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > SNIPPET_LENGTH ? `${line.slice(0, SNIPPET_LENGTH)}…` : line;
}

/** Why `fetch` threw: a timeout, or the network error underneath undici's bare "fetch failed". */
export function describeFetchError(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no response within ${timeoutMs} ms`;
  if (error instanceof Error) {
    const cause = error.cause;
    if (cause instanceof Error) {
      const code = (cause as { code?: unknown }).code;
      return `request failed: ${typeof code === 'string' ? `${code} ` : ''}${cause.message}`.trim();
    }
    return `request failed: ${error.message}`;
  }
  return `request failed: ${String(error)}`;
}
