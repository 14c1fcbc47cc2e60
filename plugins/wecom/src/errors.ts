// errcode → what a caller may do about it (notes §1, "Error codes a stand-in should produce").

/** Codes after which the same call may be repeated: system busy, rate and concurrency limits, a welcome message being distributed. */
const RETRYABLE = new Set([-1, 45009, 45033, 41096]);
/** Codes that mean the access token must be fetched again. */
export const TOKEN_EXPIRED_CODES: ReadonlySet<number> = new Set([42001, 40014]);

/** WeCom answered with errcode ≠ 0. Branch on `code`, never on the message (WeCom may change errmsg). */
export class WeComError extends Error {
  override readonly name = 'WeComError';
  /** True when WeCom says the same call may succeed later (after the client's own retries ran out). */
  readonly retryable: boolean;
  constructor(
    readonly code: number,
    readonly errmsg: string,
    /** The API path under /cgi-bin/, e.g. `externalcontact/add_msg_template`. */
    readonly api: string,
  ) {
    super(`WeCom ${api} failed with ${code}: ${errmsg}`);
    this.retryable = RETRYABLE.has(code) || TOKEN_EXPIRED_CODES.has(code);
  }
}

/**
 * The request did not get a WeCom answer (network error, non-200 status, body not JSON) or the
 * answer did not have the documented shape. Not retried by the client: a mass send that did reach
 * WeCom would be created twice, so the caller decides (its job queue holds the idempotency key).
 */
export class WeComTransportError extends Error {
  override readonly name = 'WeComTransportError';
  constructor(
    readonly api: string,
    message: string,
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(`WeCom ${api}: ${message}`, options);
  }
}

/**
 * The corp's budget for an API (WeCom counts calls per corp and API: 10,000 a minute, 150,000 an
 * hour, notes §1) has no room within the time the caller said it could wait. Nothing was sent and
 * nothing was counted: the same call fits after `retryAfterMs`. Thrown only to callers that gave a
 * `maxWaitMs` (a welcome code lives 20 s; a profile read can wait for a later pass); others wait.
 */
export class WeComBudgetError extends Error {
  override readonly name = 'WeComBudgetError';
  readonly retryable = true;
  constructor(
    readonly api: string,
    /** When the call would fit, from now. */
    readonly retryAfterMs: number,
  ) {
    super(`WeCom ${api}: the corp's call budget for this API has no room for ${Math.ceil(retryAfterMs / 1000)} s; nothing was sent`);
  }
}
