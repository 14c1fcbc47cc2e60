import { describe, expect, it } from 'vitest';
import { etaSeconds, progressOf } from './status';

const counts = { total: 110, queued: 40, sent: 55, delivered: 30, failed: 3, skipped: 2, replied: 4, clicked: 1, heldOut: 10, cancelled: 0 };

describe('campaign progress', () => {
  it('counts the control group out and sent, failed and skipped messages as done', () => {
    expect(progressOf(counts, 'running')).toEqual({ toSend: 100, done: 60, percent: 60 });
    expect(progressOf({ ...counts, queued: 0, sent: 95 }, 'completed').percent).toBe(100);
  });
  it('a cancelled campaign shows how far it got, not its cancelled messages as done', () => {
    expect(progressOf({ ...counts, queued: 0, cancelled: 40 }, 'cancelled')).toEqual({ toSend: 100, done: 60, percent: 60 });
  });
  it('a campaign without a run is at 0%, a completed empty one at 100%', () => {
    expect(progressOf(null, 'draft').percent).toBe(0);
    expect(progressOf(null, 'completed').percent).toBe(100);
  });
  it('estimates the time left from the send rate', () => {
    expect(etaSeconds(40, 8)).toBe(5);
    expect(etaSeconds(40, 0)).toBeNull();
  });
});
