import type { Clock } from '../clock.ts';
import { endpoints, isWeComApi } from '../endpoints.ts';
import { errors, StandInError } from './errors.ts';
import type { StandInState } from './state.ts';

export interface StandInApp {
  secret: string;
  /** Listed under 「客户联系 可调用接口的应用」; otherwise customer-contact APIs answer 48002. Default true. */
  customerContact?: boolean;
}

interface IssuedToken {
  secret: string;
  expiresAt: number;
}

/**
 * What stands between a request and an API: the token, the app's permission, the rate limits,
 * and failures a test asked for. Limits are per API in fixed windows; a request over the budget
 * answers 45009 until the window ends, which is WeCom's "blocked for 60 s / 60 min" (notes §1).
 */
export class ApiGate {
  private readonly tokens = new Map<string, IssuedToken>();
  private expiredAnswer: 42001 | 40014 = 42001;
  private readonly windows = new Map<string, { minute: number; minuteCount: number; hour: number; hourCount: number }>();
  private readonly failures = new Map<string, number[]>();
  private readonly lost = { request: new Map<string, number>(), answer: new Map<string, number>() };

  constructor(
    private readonly state: StandInState,
    private readonly clock: Clock,
    private readonly settings: { corpId: string; apps: StandInApp[]; tokenTtlSeconds: number; perMinute: number; perHour: number },
  ) {}

  issueToken(corpid: string | null, secret: string | null): { access_token: string; expires_in: number } {
    this.state.counters.gettoken++;
    if (corpid !== this.settings.corpId) throw errors.invalidCorpId();
    if (!this.settings.apps.some((app) => app.secret === secret)) throw errors.invalidSecret();
    const now = this.clock.now();
    // Older doc copies say a repeat call within the validity returns the same token (notes §1, unverified today).
    for (const [token, issued] of this.tokens) {
      if (issued.secret === secret && issued.expiresAt > now) return { access_token: token, expires_in: Math.ceil((issued.expiresAt - now) / 1000) };
    }
    const token = `standin-${this.state.nextId('at')}-${Math.random().toString(36).slice(2, 10)}`;
    this.tokens.set(token, { secret: secret!, expiresAt: now + this.settings.tokenTtlSeconds * 1000 });
    return { access_token: token, expires_in: this.settings.tokenTtlSeconds };
  }

  /** Checks everything but the request body; throws the StandInError WeCom would answer. */
  admit(api: string, token: string | null): void {
    if (!token) throw errors.missingToken();
    const issued = this.tokens.get(token);
    if (!issued) throw errors.invalidToken();
    if (issued.expiresAt <= this.clock.now()) throw this.expiredAnswer === 42001 ? errors.expiredToken() : errors.invalidToken();
    const app = this.settings.apps.find((a) => a.secret === issued.secret);
    if (api.startsWith('externalcontact/') && app?.customerContact === false) throw errors.forbidden();
    this.countCall(api);
    const queued = this.failures.get(api);
    if (queued?.length) throw new StandInError(queued.shift()!, 'injected failure');
  }

  private countCall(api: string): void {
    const now = this.clock.now();
    const minute = Math.floor(now / 60_000);
    const hour = Math.floor(now / 3_600_000);
    const window = this.windows.get(api) ?? { minute, minuteCount: 0, hour, hourCount: 0 };
    if (window.minute !== minute) Object.assign(window, { minute, minuteCount: 0 });
    if (window.hour !== hour) Object.assign(window, { hour, hourCount: 0 });
    this.windows.set(api, window);
    const perMinute = Math.min(this.settings.perMinute, (isWeComApi(api) ? endpoints[api].perMinute : undefined) ?? Infinity);
    if (window.minuteCount >= perMinute || window.hourCount >= this.settings.perHour) throw errors.rateLimited();
    window.minuteCount++;
    window.hourCount++;
    this.state.counters.calls.set(api, (this.state.counters.calls.get(api) ?? 0) + 1);
  }

  /** Ends every issued token now; later calls with them answer `answer` (WeCom answers both, notes §1). */
  expireAll(answer: 42001 | 40014): void {
    this.expiredAnswer = answer;
    for (const issued of this.tokens.values()) issued.expiresAt = Math.min(issued.expiresAt, this.clock.now());
  }

  /**
   * The connection of the next `times` calls of `api` is closed without a byte of answer: with
   * `answer`, after the call was carried out (WeCom did the work, the answer was lost); with
   * `request`, before (WeCom did nothing). The caller cannot tell the two apart.
   */
  loseNext(api: string, times: number, what: 'request' | 'answer'): void {
    this.lost[what].set(api, (this.lost[what].get(api) ?? 0) + times);
  }

  /** Whether this call of `api` loses its request (before it is carried out) or its answer (after). */
  takeLost(api: string, what: 'request' | 'answer'): boolean {
    const left = this.lost[what].get(api) ?? 0;
    if (left <= 0) return false;
    this.lost[what].set(api, left - 1);
    return true;
  }

  /** The next `times` admitted calls of `api` answer `errcode` (e.g. -1, system busy). */
  injectFailure(api: string, errcode: number, times: number): void {
    this.failures.set(api, [...(this.failures.get(api) ?? []), ...Array<number>(times).fill(errcode)]);
  }
}
