export { blockedAddressReason } from './addresses.ts';
export { backoffDelay, DEFAULT_RETRY, parseRetryAfter, type RetryPolicy } from './backoff.ts';
export { CircuitBreaker, DEFAULT_BREAKER, type BreakerOptions, type BreakerState } from './breaker.ts';
export {
  declaredPorts, RemoteNodeCaller, type RemoteCallerOptions, type RemoteCallRecord, type RemoteInstallation, type RemoteNodeAnswer, type RemoteNodeCall,
} from './caller.ts';
export { RemoteCallError, type RemoteCallErrorCode } from './errors.ts';
export { DEFAULT_RATE_LIMIT, TokenBucket, type RateLimitOptions } from './rate-limit.ts';
export { checkEndpointUrl, type HostLookup } from './transport.ts';
