import http from 'node:http';
import https from 'node:https';

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

// Kept-alive connections, shared by every client of the process (one pool per host, as fetch does);
// an idle one is closed after 4 s, before a server's usual 5 s keep-alive ends it under us.
const agents = { http: new http.Agent({ keepAlive: true, timeout: 4000 }), https: new https.Agent({ keepAlive: true, timeout: 4000 }) };

/**
 * Node's own HTTP client with kept-alive connections: a call costs a fraction of the CPU of the
 * global fetch (no web streams), which matters at hundreds of calls a second. `timeoutMs` bounds a
 * call whose socket stays silent.
 */
export function nodeHttpSend(timeoutMs = 30_000): HttpSend {
  const send = (url: URL, method: 'GET' | 'POST', body: string | RawBody | undefined, lastTry: boolean) =>
    new Promise<HttpAnswer>((resolve, reject) => {
      const secure = url.protocol === 'https:';
      const content = body === undefined ? undefined : contentOf(body);
      const headers: http.OutgoingHttpHeaders = content === undefined ? {} : { 'content-type': content.type, 'content-length': Buffer.byteLength(content.data) };
      const request = (secure ? https : http).request(url, { method, headers, agent: secure ? agents.https : agents.http, timeout: timeoutMs }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', reject);
      });
      request.on('timeout', () => request.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      request.on('error', (error: NodeJS.ErrnoException) => {
        // A kept-alive connection the server closed as we reused it: most likely the request never
        // got there, so it goes once more on a new connection — unless it must not be sent twice
        // (a reset can also come after the server did the work).
        if (!lastTry && request.reusedSocket && error.code === 'ECONNRESET') send(url, method, body, true).then(resolve, reject);
        else reject(error);
      });
      request.end(content?.data);
    });
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
