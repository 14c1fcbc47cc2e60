// The slice of the WeCom (企业微信) server API the channel needs: an access token cached per
// connection, the errcode envelope, and one token refresh when WeCom says the token went stale.
import { describeFetchError, isRetryableStatus, snippetOf } from './http.ts';

export interface WecomClientOptions {
  corpId: string;
  secret: string;
  baseUrl: string;
  timeoutMs: number;
}

/** A successful call's body (errcode 0), or why it failed and whether trying later may help. */
export type WecomCallResult =
  | { ok: true; data: Record<string, unknown> }
  /** `errcode` is WeCom's own code when WeCom answered; absent for network and HTTP failures. */
  | { ok: false; error: string; retryable: boolean; errcode?: number };

/** WeCom answers 42001 for an expired token and, in practice, 40014 too; both mean "fetch a new one". */
const STALE_TOKEN = new Set([42001, 40014]);

/** What each errcode means for the message, and the hint an operator needs to fix it. */
const KNOWN_ERRCODES: Record<number, { retryable: boolean; hint: string }> = {
  [-1]: { retryable: true, hint: 'WeCom is busy' },
  42001: { retryable: true, hint: 'the access token expired again right after a refresh' },
  40014: { retryable: true, hint: 'the access token was rejected right after a refresh' },
  45009: { retryable: true, hint: 'WeCom rate limit reached' },
  45033: { retryable: true, hint: 'too many concurrent WeCom calls' },
  48002: { retryable: false, hint: 'the app of this secret may not call customer-contact APIs; add it under 客户联系 → 可调用接口的应用' },
  60020: { retryable: false, hint: "this server's IP is not among the app's trusted IPs" },
  40013: { retryable: false, hint: 'the corpId is not valid' },
  40001: { retryable: false, hint: 'the secret is not valid' },
  40091: { retryable: false, hint: 'the secret is not valid' },
  41048: { retryable: false, hint: 'none of the customers can receive a mass message' },
};

/** errmsg ends in ", hint: [...], from ip: ..., more info at ..."; the part before is the reason. */
function reasonOf(errmsg: unknown): string {
  return typeof errmsg === 'string' ? errmsg.split(', hint:')[0]!.trim() : '';
}

export function resultOfErrcode(errcode: number, errmsg: unknown): WecomCallResult & { ok: false } {
  const known = KNOWN_ERRCODES[errcode];
  const reason = reasonOf(errmsg);
  const text = `WeCom errcode ${errcode}${reason ? ` (${reason})` : ''}${known ? `: ${known.hint}` : ''}`;
  return { ok: false, error: text, retryable: known?.retryable ?? false, errcode };
}

/** Refetch a little before WeCom's expiry so a token never dies between reading it and using it. */
function cacheSecondsFor(expiresIn: number): number {
  return expiresIn - Math.min(300, expiresIn * 0.1);
}

export function createWecomClient(options: WecomClientOptions) {
  const base = options.baseUrl.replace(/\/+$/, '');
  let cached: { token: string; expiresAt: number } | null = null;
  let pending: Promise<WecomCallResult> | null = null;

  async function request(path: string, query: Record<string, string>, body?: unknown): Promise<WecomCallResult> {
    const url = `${base}${path}?${new URLSearchParams(query)}`;
    let response: Response;
    let text: string;
    try {
      response = await fetch(url, {
        method: body === undefined ? 'GET' : 'POST',
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      text = await response.text();
    } catch (error) {
      return { ok: false, error: `WeCom ${path}: ${describeFetchError(error, options.timeoutMs)}`, retryable: true };
    }
    if (response.status !== 200) {
      const snippet = snippetOf(text);
      return { ok: false, error: `WeCom ${path}: HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`, retryable: isRetryableStatus(response.status) };
    }
    let data: Record<string, unknown>;
    try {
      data = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return { ok: false, error: `WeCom ${path}: the answer is not JSON: ${snippetOf(text)}`, retryable: true };
    }
    const errcode = typeof data.errcode === 'number' ? data.errcode : 0;
    return errcode === 0 ? { ok: true, data } : resultOfErrcode(errcode, data.errmsg);
  }

  async function fetchToken(): Promise<WecomCallResult> {
    const result = await request('/cgi-bin/gettoken', { corpid: options.corpId, corpsecret: options.secret });
    if (!result.ok) return result;
    const token = result.data.access_token;
    const expiresIn = typeof result.data.expires_in === 'number' ? result.data.expires_in : 7200;
    if (typeof token !== 'string' || !token) return { ok: false, error: 'WeCom gettoken answered without an access_token', retryable: true };
    cached = { token, expiresAt: Date.now() + cacheSecondsFor(expiresIn) * 1000 };
    return result;
  }

  /** The cached token, or one fetch shared by every caller waiting for it (gettoken is rate-limited). */
  async function token(): Promise<{ ok: true; token: string } | (WecomCallResult & { ok: false })> {
    if (cached && Date.now() < cached.expiresAt) return { ok: true, token: cached.token };
    pending ??= fetchToken().finally(() => {
      pending = null;
    });
    const result = await pending;
    if (!result.ok) return result;
    return cached ? { ok: true, token: cached.token } : { ok: false, error: 'WeCom token expired as soon as it was fetched', retryable: true };
  }

  /** POSTs with the access token; on a stale-token answer fetches a new token once and retries. */
  async function post(path: string, body: unknown): Promise<WecomCallResult> {
    const first = await token();
    if (!first.ok) return first;
    const result = await request(path, { access_token: first.token }, body);
    if (result.ok || result.errcode === undefined || !STALE_TOKEN.has(result.errcode)) return result;
    // Another caller may already have replaced the token; only drop it if it is still the stale one.
    if (cached?.token === first.token) cached = null;
    const fresh = await token();
    if (!fresh.ok) return fresh;
    return request(path, { access_token: fresh.token }, body);
  }

  return { post };
}

export type WecomClient = ReturnType<typeof createWecomClient>;
