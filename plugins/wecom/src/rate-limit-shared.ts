// WeCom counts a corp's calls per API across everything that calls it: with several Courtyard nodes
// (API nodes behind the callback URL, worker nodes), each counting on its own would let the corp go
// over WeCom's budget and into its 45009 block. SharedBudgets keeps the counts in Redis instead:
// the same slotted windows and reservations as RateLimiter's own (rate-limit.ts), done atomically
// by one Lua script per call, so every node's callers take their places in one order.
import { createHash } from 'node:crypto';
import { SLOTS, type Budget, type Place } from './rate-limit.ts';

/** The part of a Redis client used here (ioredis' `eval` / `evalsha`). */
export interface RedisScripting {
  eval(script: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
  evalsha(sha: string, numKeys: number, ...args: (string | number)[]): Promise<unknown>;
}

// KEYS[1]: the key's block (a time, ms); KEYS[2..n+1]: a hash of slot → calls per budget.
// ARGV: now, deadline, not before (this node's own block), n, then limit and slot length (ms) per budget.
// Returns {1, at}: a place reserved at `at`; {0, wait}: none before the deadline (nothing reserved).
const RESERVE = `
local SLOTS = ${SLOTS}
local now = tonumber(ARGV[1])
local deadline = tonumber(ARGV[2])
local n = tonumber(ARGV[4])
local at = math.max(now, tonumber(ARGV[3]), tonumber(redis.call('GET', KEYS[1]) or '0'))
local wins = {}
for i = 1, n do
  local w = { limit = tonumber(ARGV[3 + 2 * i]), slotMs = tonumber(ARGV[4 + 2 * i]), counts = {} }
  local oldest = math.floor(now / w.slotMs) - SLOTS
  local raw = redis.call('HGETALL', KEYS[1 + i])
  for j = 1, #raw, 2 do
    local slot = tonumber(raw[j])
    if slot < oldest then redis.call('HDEL', KEYS[1 + i], raw[j]) else w.counts[slot] = tonumber(raw[j + 1]) end
  end
  wins[i] = w
end
local function earliest(w, from)
  local first = math.floor(from / w.slotMs)
  local used, last = 0, first
  for slot, c in pairs(w.counts) do
    if slot >= first - SLOTS and slot <= first then used = used + c end
    if slot > last then last = slot end
  end
  for slot = first, last + SLOTS + 1 do
    if slot > first then used = used + (w.counts[slot] or 0) - (w.counts[slot - SLOTS - 1] or 0) end
    if used < w.limit then
      if slot == first then return from end
      return slot * w.slotMs
    end
  end
  return (last + SLOTS + 1) * w.slotMs
end
local moved = true
while moved do
  moved = false
  for i = 1, n do
    local fits = earliest(wins[i], at)
    if fits > at then at = fits; moved = true end
  end
end
if at > math.max(deadline, now) then return { 0, at - now } end
for i = 1, n do
  redis.call('HINCRBY', KEYS[1 + i], string.format('%d', math.floor(at / wins[i].slotMs)), 1)
  redis.call('PEXPIRE', KEYS[1 + i], math.floor(at - now + wins[i].slotMs * (SLOTS + 2)))
end
return { 1, at }
`;

// KEYS[1..n]: the budgets' hashes; ARGV: n, the time given back, then slot length (ms) per budget.
const RELEASE = `
for i = 1, tonumber(ARGV[1]) do
  redis.call('HINCRBY', KEYS[i], string.format('%d', math.floor(tonumber(ARGV[2]) / tonumber(ARGV[2 + i]))), -1)
end
return 1
`;

// KEYS[1]: the key's block; ARGV: until, now. Only ever moves later.
const BLOCK = `
local blockUntil = tonumber(ARGV[1])
if blockUntil > tonumber(redis.call('GET', KEYS[1]) or '0') then redis.call('SET', KEYS[1], ARGV[1], 'PX', math.max(1, blockUntil - tonumber(ARGV[2]))) end
return 1
`;

const sha1 = (script: string) => createHash('sha1').update(script).digest('hex');
const SCRIPTS = { reserve: { text: RESERVE, sha: sha1(RESERVE) }, release: { text: RELEASE, sha: sha1(RELEASE) }, block: { text: BLOCK, sha: sha1(BLOCK) } };

/** Far past any wait: a deadline that is never reached. */
const NEVER = 8.64e15;

export class SharedBudgets {
  constructor(
    private readonly redis: RedisScripting,
    /** Prefix of the Redis keys; default `courtyard:wecom:budget`. */
    private readonly prefix = 'courtyard:wecom:budget',
  ) {}

  private keys(key: string, budgets: readonly Budget[]): string[] {
    return budgets.map((b) => `${this.prefix}:${key}:${b.windowMs}`);
  }

  private async run(script: keyof typeof SCRIPTS, keys: string[], args: (string | number)[]): Promise<unknown> {
    const { text, sha } = SCRIPTS[script];
    try {
      return await this.redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      // A Redis that has not seen the script yet (or was restarted) is sent it whole once.
      if (!String((error as Error).message).includes('NOSCRIPT')) throw error;
      return this.redis.eval(text, keys.length, ...keys, ...args);
    }
  }

  /** A place for one call at or after `now` and `notBefore`, not later than `deadline` (epoch ms); else how long until one. */
  async reserve(key: string, budgets: readonly Budget[], now: number, notBefore: number, deadline: number): Promise<Place> {
    const args = [now, Number.isFinite(deadline) ? deadline : NEVER, notBefore, budgets.length, ...budgets.flatMap((b) => [b.limit, b.windowMs / SLOTS])];
    const [ok, value] = (await this.run('reserve', [`${this.prefix}:${key}:blocked`, ...this.keys(key, budgets)], args)) as [number, number];
    return ok === 1 ? { at: Number(value) } : { retryAfterMs: Number(value) };
  }

  /** Gives back a place reserved at `at` (its caller was held by a block instead). */
  async release(key: string, budgets: readonly Budget[], at: number): Promise<void> {
    await this.run('release', this.keys(key, budgets), [budgets.length, at, ...budgets.map((b) => b.windowMs / SLOTS)]);
  }

  /** WeCom answered 45009: every node's callers of `key` wait until `until`. */
  async block(key: string, until: number, now: number): Promise<void> {
    await this.run('block', [`${this.prefix}:${key}:blocked`], [until, now]);
  }
}
