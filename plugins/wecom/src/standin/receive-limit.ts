import type { ReceiveLimitMode, StandInState } from './state.ts';

// WeCom counts a customer's mass messages per natural day, week or month in China time (UTC+8);
// the calendar basis is the stand-in's reading of the notes (§7), which leave it unverified.
const CHINA_OFFSET_MS = 8 * 3_600_000;

function periodOf(ms: number, mode: ReceiveLimitMode): { key: string; limit: number } {
  const china = new Date(ms + CHINA_OFFSET_MS);
  const y = china.getUTCFullYear();
  const m = china.getUTCMonth();
  if (mode === 'day') return { key: `${y}-${m}-${china.getUTCDate()}`, limit: 1 };
  if (mode === 'week') {
    const mondayIndex = (china.getUTCDay() + 6) % 7;
    const monday = Date.UTC(y, m, china.getUTCDate() - mondayIndex);
    return { key: `w${monday}`, limit: 7 };
  }
  return { key: `${y}-${m}`, limit: new Date(Date.UTC(y, m + 1, 0)).getUTCDate() };
}

/** Records a mass message reaching `externalUserId` if the limit allows; false when it does not. */
export function takeReceipt(state: StandInState, externalUserId: string, mode: ReceiveLimitMode): boolean {
  const now = state.clock.now();
  const { key, limit } = periodOf(now, mode);
  const receipts = state.receipts.get(externalUserId) ?? [];
  if (receipts.filter((at) => periodOf(at, mode).key === key).length >= limit) return false;
  receipts.push(now);
  state.receipts.set(externalUserId, receipts);
  return true;
}
