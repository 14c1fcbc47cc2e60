import type { RemoteError } from '@courtyard/plugin-sdk';

/** Why a call to a partner's server did not give a usable answer. */
export type RemoteCallErrorCode =
  /** The endpoint is not a public HTTPS address (SSRF guard); fix the plugin's endpoint. */
  | 'endpoint-refused'
  /** An attempt took longer than the timeout. */
  | 'timeout'
  /** DNS, connection or TLS failure, or the connection dropped. */
  | 'network'
  /** The partner answered 5xx or 429 on every attempt. */
  | 'partner-unavailable'
  /** The partner answered another non-2xx status (4xx, or a redirect, which is not followed): not retried. */
  | 'partner-refused'
  /** A 2xx answer that is not a `RemoteBatchResponse` for the batch sent (the partner's bug): not retried. */
  | 'invalid-answer'
  /** The installation's circuit breaker is open after repeated failures: try again at `retryAt`. */
  | 'circuit-open'
  /** The installation's rate limit would make the call wait too long: try again at `retryAt`. */
  | 'rate-limited'
  /** The batch or the callback does not fit the wire format (e.g. more than 500 customers): the caller's bug. */
  | 'invalid-request'
  /** The installation's plugin version declares no such node (or declares it as a trigger). */
  | 'unknown-node';

const RETRYABLE: Record<RemoteCallErrorCode, boolean> = {
  'endpoint-refused': false,
  timeout: true,
  network: true,
  'partner-unavailable': true,
  'partner-refused': false,
  'invalid-answer': false,
  'circuit-open': true,
  'rate-limited': true,
  'invalid-request': false,
  'unknown-node': false,
};

export interface RemoteCallErrorDetails {
  /** The partner's last HTTP status, when it answered. */
  status?: number;
  /** The partner's own error (`RemoteError`), when it answered one. */
  partnerError?: RemoteError['error'];
  /** Each problem with the answer or the request, with its path (`results.3.port`). */
  issues?: { path: string; message: string }[];
  /** Not before this time (Retry-After, breaker cool-down, rate limit). */
  retryAt?: Date;
  /** HTTP attempts made (0 when refused before sending). */
  attempts?: number;
}

/** A failed remote call; `retryable` says whether the same call may succeed later. */
export class RemoteCallError extends Error {
  override readonly name = 'RemoteCallError';
  readonly retryable: boolean;
  readonly status: number | undefined;
  readonly partnerError: RemoteError['error'] | undefined;
  readonly issues: { path: string; message: string }[] | undefined;
  readonly retryAt: Date | undefined;
  attempts: number;

  constructor(
    readonly code: RemoteCallErrorCode,
    message: string,
    details: RemoteCallErrorDetails = {},
  ) {
    super(message);
    this.retryable = RETRYABLE[code];
    this.status = details.status;
    this.partnerError = details.partnerError;
    this.issues = details.issues;
    this.retryAt = details.retryAt;
    this.attempts = details.attempts ?? 0;
  }
}
