import { promises as dns } from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { blockedAddressReason } from './addresses.ts';
import { RemoteCallError } from './errors.ts';

/** Resolves a host name to its addresses (the system resolver by default; tests give their own). */
export type HostLookup = (hostname: string) => Promise<{ address: string; family: number }[]>;

export const systemLookup: HostLookup = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

const DEV_HINT = 'set COURTYARD_PLUGIN_DEV_ENDPOINTS=1 only on a development platform';

const refused = (message: string) => new RemoteCallError('endpoint-refused', message);

/**
 * The endpoint as a URL, or `endpoint-refused`: production takes public https:// only; with
 * `allowPrivate` (development) http:// and private addresses pass too. An IP literal is judged
 * here; a host name when it is resolved (`guardedLookup`), since resolving it now and connecting
 * later would let its DNS answer change in between.
 */
export function checkEndpointUrl(raw: string, allowPrivate: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw refused(`"${raw}" is not a URL`);
  }
  if (url.protocol !== 'https:' && !(allowPrivate && url.protocol === 'http:')) {
    throw refused(`${url.origin} is not an https:// address: partner endpoints carry customer data (${allowPrivate ? 'http:// and https:// only' : `http:// is refused; ${DEV_HINT}`})`);
  }
  if (url.username || url.password) throw refused(`${url.host}: credentials in the endpoint URL are not allowed; requests are signed`);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host)) {
    const reason = blockedAddressReason(host);
    if (reason) throw refused(`${url.host} is a ${reason} address, not a public one; ${DEV_HINT}`);
  }
  return url;
}

/**
 * A `lookup` for the socket that resolves the host and refuses it when any of its addresses is not
 * public. The socket connects to the address checked here, so a DNS answer that changes between a
 * check and the connection (rebinding) cannot slip through.
 */
export function guardedLookup(resolve: HostLookup): LookupFunction {
  return ((hostname: string, options: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    resolve(hostname).then(
      (found) => {
        const wanted = options.family === 4 || options.family === 'IPv4' ? 4 : options.family === 6 || options.family === 'IPv6' ? 6 : 0;
        const addresses = found.filter((a) => wanted === 0 || a.family === wanted);
        if (!addresses.length) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }));
        for (const { address } of addresses) {
          const reason = blockedAddressReason(address);
          if (reason) return callback(refused(`${hostname} resolves to ${address}, a ${reason} address, not a public one; ${DEV_HINT}`));
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: unknown) => callback(error),
    );
  }) as LookupFunction;
}

export interface PostAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export interface PostOptions {
  headers: Record<string, string>;
  timeoutMs: number;
  maxResponseBytes: number;
  agent: http.Agent;
  /** The guarded lookup; undefined (development) uses the system's. */
  lookup: LookupFunction | undefined;
}

/**
 * POSTs a JSON body and reads the answer, all within `timeoutMs`. Redirects are not followed (one
 * could point inside the network). Rejects with a `RemoteCallError` (timeout, network,
 * endpoint-refused, invalid-answer for an over-long answer).
 */
export function postJson(url: URL, body: string, options: PostOptions): Promise<PostAnswer> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: unknown, answer?: PostAnswer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (answer) return resolve(answer);
      if (error instanceof RemoteCallError) return reject(error);
      const err = error as NodeJS.ErrnoException;
      reject(new RemoteCallError('network', `${url.host}: ${err.code ? `${err.code} ` : ''}${err.message}`));
    };
    const request = (url.protocol === 'https:' ? https : http).request(
      url,
      {
        method: 'POST',
        agent: options.agent,
        ...(options.lookup ? { lookup: options.lookup } : {}),
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), 'user-agent': 'Courtyard-Runtime', ...options.headers },
      },
      (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > options.maxResponseBytes) {
            finish(new RemoteCallError('invalid-answer', `${url.host} answered more than ${options.maxResponseBytes} bytes`, { status: response.statusCode }));
            request.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.on('end', () => finish(null, { status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
        response.on('error', (error) => finish(error));
        response.on('aborted', () => finish(new Error('the connection closed before the answer was complete')));
      },
    );
    const timer = setTimeout(() => {
      finish(new RemoteCallError('timeout', `${url.host} did not answer within ${options.timeoutMs} ms`));
      request.destroy();
    }, options.timeoutMs);
    request.on('error', (error) => finish(error));
    request.end(body);
  });
}
