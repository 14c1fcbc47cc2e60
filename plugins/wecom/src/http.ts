import { Agent, errors as undiciErrors } from 'undici';

/** An HTTP exchange as the client needs it: status and body text. */
export interface HttpAnswer {
  status: number;
  body: string;
}

/** A body other than JSON (a multipart upload), with its content type. */
export interface RawBody {
  contentType: string;
  data: Buffer;
}

/** `once`: never send the request a second time, even on a reused connection that was reset. A string body is JSON. */
export type HttpSend = (url: URL, method: 'GET' | 'POST', body?: string | RawBody, options?: { once?: boolean }) => Promise<HttpAnswer>;

const contentOf = (body: string | RawBody): { type: string; data: string | Buffer } => (typeof body === 'string' ? { type: 'application/json', data: body } : { type: body.contentType, data: body.data });

// Kept-alive connections through undici's dispatcher (the HTTP client under Node's fetch, without
// fetch's web streams): a call costs about half the client CPU of node:http's client (a one-off
// loopback measurement), and idle connections are retired ahead of the server's keep-alive
// timeout, which it reads from the server's Keep-Alive header when there is one.
const dispatcher = new Agent({ keepAliveTimeout: 4000, keepAliveMaxTimeout: 4000 });

/**
 * undici's request API with kept-alive connections, shared by every client of the process.
 * `timeoutMs` bounds the wait for the answer's headers and for each part of its body.
 */
export function undiciHttpSend(timeoutMs = 30_000): HttpSend {
  const send = async (url: URL, method: 'GET' | 'POST', body: string | RawBody | undefined, lastTry: boolean): Promise<HttpAnswer> => {
    const content = body === undefined ? undefined : contentOf(body);
    try {
      const response = await dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        ...(content ? { headers: { 'content-type': content.type }, body: content.data } : {}),
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
      });
      return { status: response.statusCode, body: await response.body.text() };
    } catch (error) {
      // A connection the server closed as it was reused: most likely the request never got there,
      // so it goes once more — unless it must not be sent twice (a reset can also come after the
      // server did the work).
      if (!lastTry && error instanceof undiciErrors.SocketError) return send(url, method, body, true);
      throw error;
    }
  };
  return (url, method, body, options) => send(url, method, body, options?.once === true);
}

/** The same exchange through a fetch function (tests pass one to watch or alter the traffic). */
export function fetchSend(fetchFn: typeof fetch): HttpSend {
  return async (url, method, body) => {
    const content = body === undefined ? undefined : contentOf(body);
    const response = await fetchFn(url, content === undefined ? { method } : { method, headers: { 'content-type': content.type }, body: typeof content.data === 'string' ? content.data : new Blob([new Uint8Array(content.data)]) });
    return { status: response.status, body: await response.text() };
  };
}
