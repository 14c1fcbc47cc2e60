import { AccessTokenStore } from './access-token.ts';
import { systemClock } from './clock.ts';
import { RateLimiter } from './rate-limit.ts';

// WeCom counts budgets per corp and issues one token per secret: every client of one process (the
// API's live codes and callbacks, the runtime's channel and poller) shares these two.
export const processTokens = new AccessTokenStore(systemClock);
export const processRateLimiter = new RateLimiter(systemClock);
