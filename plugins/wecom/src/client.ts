import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import { AccessTokenStore } from './access-token.ts';
import { systemClock, type Clock } from './clock.ts';
import { endpoints, type WeComApi, type WeComRequest, type WeComResponse } from './endpoints.ts';
import { TOKEN_EXPIRED_CODES, WeComError, WeComTransportError } from './errors.ts';
import { fetchSend, undiciHttpSend, type HttpSend, type RawBody } from './http.ts';
import { RateLimiter, type Budget } from './rate-limit.ts';
import { AccessTokenResponse } from './shapes/envelope.ts';
import { UploadAttachmentResponse } from './shapes/moments-transfer.ts';

export const WECOM_BASE_URL = 'https://qyapi.weixin.qq.com';

export interface WeComClientOptions {
  corpId: string;
  /** The secret of a self-built app allowed to call customer-contact APIs. */
  secret: string;
  /** Default `https://qyapi.weixin.qq.com`; the stand-in's URL in tests and the demo. */
  baseUrl?: string;
  /** Default Node's HTTP client with kept-alive connections; a fetch function given here is used instead. */
  fetch?: typeof fetch;
  /** Default the system clock. */
  clock?: Clock;
  /** Default a store of this client's own; share one to share tokens between clients. */
  tokens?: AccessTokenStore;
  /** Default a limiter of this client's own; share one per corp, since WeCom counts per corp. */
  rateLimiter?: RateLimiter;
  /** Per-API calls a minute; default 10,000 (per corp, notes §1), or the API's own lower cap. */
  perMinute?: number;
  /** Per-API calls an hour; default 150,000. */
  perHour?: number;
  /** Retries after -1 (system busy), 45033 and 41096; default 3, as WeCom advises for -1. */
  busyRetries?: number;
  /** First back-off after a busy answer, doubled each time; default 500 ms. */
  busyBackoffMs?: number;
  /** Times to wait out a 45009 before giving up with the (retryable) error; default 3. */
  rateLimitWaits?: number;
  /** How long a 45009 blocks the API; default 60 s (WeCom blocks a per-minute hit for 60 s). */
  rateLimitBlockMs?: number;
}

type Query = Record<string, string | number | undefined>;

export interface CallOptions {
  /**
   * Longest the call may wait for room in the corp's budget for this API, over all its attempts;
   * past it the call is refused with WeComBudgetError and nothing is sent. Default: it waits.
   */
  maxWaitMs?: number;
}

/** WeCom's customer-contact API: tokens, errors, retries and rate budgets handled; see `endpoints`. */
export class WeComClient {
  private readonly baseUrl: string;
  private readonly http: HttpSend;
  private readonly clock: Clock;
  private readonly tokens: AccessTokenStore;
  private readonly limiter: RateLimiter;
  private readonly tokenKey: string;

  constructor(private readonly options: WeComClientOptions) {
    this.baseUrl = (options.baseUrl ?? WECOM_BASE_URL).replace(/\/+$/, '');
    this.http = options.fetch ? fetchSend(options.fetch) : undiciHttpSend();
    this.clock = options.clock ?? systemClock;
    this.tokens = options.tokens ?? new AccessTokenStore(this.clock);
    this.limiter = options.rateLimiter ?? new RateLimiter(this.clock);
    this.tokenKey = `${this.baseUrl}|${options.corpId}|${options.secret}`;
  }

  /** A valid access token, from the cache while it has more than the refresh margin left. */
  getAccessToken(): Promise<string> {
    return this.tokens.get(this.tokenKey, () =>
      this.withRetries('gettoken', () => this.send('gettoken', 'GET', { corpid: this.options.corpId, corpsecret: this.options.secret })).then((body) => this.parse('gettoken', AccessTokenResponse, body)),
    );
  }

  /** Calls one API of the subset; the request and answer are typed and validated by its schemas. */
  async call<A extends WeComApi>(api: A, request: WeComRequest<A>, options: CallOptions = {}): Promise<WeComResponse<A>> {
    const endpoint = endpoints[api];
    const body = await this.authorized(
      api,
      endpoint.perMinute,
      (token) =>
        endpoint.method === 'GET'
          ? this.send(api, 'GET', { ...(request as Query), access_token: token })
          : this.send(api, 'POST', { access_token: token }, JSON.stringify(request), 'sendOnce' in endpoint),
      options.maxWaitMs,
    );
    return this.parse(api, endpoint.response as z.ZodType, body) as WeComResponse<A>;
  }

  /**
   * Uploads a moments attachment (media/upload_attachment, attachment_type 1, notes §8 "上传附件资源"):
   * an image (JPG or PNG, at most 10 MB) or a video (MP4, at most 10 MB), as a multipart form with
   * the file in `media`. Returns the media_id that add_moment_task takes (valid 3 days).
   */
  async uploadAttachment(file: { name: string; contentType: string; data: Buffer }, mediaType: 'image' | 'video'): Promise<UploadAttachmentResponse> {
    const api = 'media/upload_attachment';
    const boundary = `----courtyard${randomBytes(12).toString('hex')}`;
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="media"; filename="${file.name.replace(/["\r\n]/g, '_')}"\r\nContent-Type: ${file.contentType}\r\n\r\n`;
    const data = Buffer.concat([Buffer.from(head), file.data, Buffer.from(`\r\n--${boundary}--\r\n`)]);
    const body = await this.authorized(api, undefined, (token) =>
      // Sent once: an upload answered by a reset may have been stored, and a second copy is harmless but unasked.
      this.send(api, 'POST', { access_token: token, media_type: mediaType, attachment_type: 1 }, { contentType: `multipart/form-data; boundary=${boundary}`, data }, true),
    );
    return this.parse(api, UploadAttachmentResponse, body);
  }

  /** One call with a valid token, in the API's budget, retried where WeCom says so; a token WeCom ended early is fetched again once. */
  private async authorized(api: string, perMinute: number | undefined, attempt: (token: string) => Promise<Record<string, unknown>>, maxWaitMs?: number): Promise<Record<string, unknown>> {
    const limit = {
      key: `${this.options.corpId}|${api}`,
      budgets: [
        { limit: perMinute ?? this.options.perMinute ?? 10_000, windowMs: 60_000 },
        { limit: this.options.perHour ?? 150_000, windowMs: 3_600_000 },
      ],
      deadline: maxWaitMs === undefined ? undefined : this.clock.now() + maxWaitMs,
    };
    let refreshedToken = false;
    for (;;) {
      const token = await this.getAccessToken();
      try {
        return await this.withRetries(api, () => attempt(token), limit);
      } catch (error) {
        // WeCom may end a token early and answers 42001 or 40014 for it: fetch once more, then give up.
        if (error instanceof WeComError && TOKEN_EXPIRED_CODES.has(error.code) && !refreshedToken) {
          refreshedToken = true;
          this.tokens.invalidate(this.tokenKey, token);
          continue;
        }
        throw error;
      }
    }
  }

  /**
   * Repeats a call on the answers WeCom says are temporary; anything else is thrown as is. Every
   * attempt, repeats included, first takes its place in the API's budget.
   */
  private async withRetries(
    api: string,
    attempt: () => Promise<Record<string, unknown>>,
    limit?: { key: string; budgets: Budget[]; deadline?: number },
  ): Promise<Record<string, unknown>> {
    let busy = 0;
    let rateLimited = 0;
    for (;;) {
      if (limit) await this.limiter.acquire(limit.key, limit.budgets, { api, ...(limit.deadline === undefined ? {} : { maxWaitMs: Math.max(0, limit.deadline - this.clock.now()) }) });
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof WeComError)) throw error;
        if (error.code === 45009 && rateLimited < (this.options.rateLimitWaits ?? 3)) {
          // The block lasts the window (notes §1): wait it out rather than hammer, and hold every
          // other caller of this API too, so the budget is spent after the block, not in it.
          rateLimited++;
          const until = this.clock.now() + (this.options.rateLimitBlockMs ?? 60_000);
          if (limit) this.limiter.block(limit.key, until);
          else await this.clock.sleep(until - this.clock.now());
          continue;
        }
        if ((error.code === -1 || error.code === 45033 || error.code === 41096) && busy < (this.options.busyRetries ?? 3)) {
          await this.clock.sleep((this.options.busyBackoffMs ?? 500) * 2 ** busy);
          busy++;
          continue;
        }
        throw error;
      }
    }
  }

  private async send(api: string, method: 'GET' | 'POST', query: Query, body?: string | RawBody, once = false): Promise<Record<string, unknown>> {
    const url = new URL(`${this.baseUrl}/cgi-bin/${api}`);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(name, String(value));
    let response: { status: number; body: string };
    try {
      response = await this.http(url, method, method === 'GET' ? undefined : body, { once });
    } catch (cause) {
      throw new WeComTransportError(api, `request failed: ${(cause as Error).message}`, undefined, { cause });
    }
    if (response.status !== 200) throw new WeComTransportError(api, `HTTP ${response.status}`, response.status);
    let json: unknown;
    try {
      json = JSON.parse(response.body);
    } catch (cause) {
      throw new WeComTransportError(api, 'answer is not JSON', response.status, { cause });
    }
    // The envelope (Envelope's shape, checked by hand: this runs on every call).
    const envelope = json as { errcode?: unknown; errmsg?: unknown };
    if (typeof json !== 'object' || json === null || Array.isArray(json) || !Number.isInteger(envelope.errcode) || typeof envelope.errmsg !== 'string') {
      throw new WeComTransportError(api, 'answer has no errcode/errmsg', response.status);
    }
    if (envelope.errcode !== 0) throw new WeComError(envelope.errcode as number, envelope.errmsg, api);
    return json as Record<string, unknown>;
  }

  private parse<S extends z.ZodType>(api: string, schema: S, body: unknown): z.output<S> {
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new WeComTransportError(api, `answer does not have the documented shape: ${parsed.error.message}`);
    return parsed.data;
  }
}
