import { describe, expect, it } from 'vitest';
import { formatEventLoopReport, parseEventLoopReport, startEventLoopReport } from '../src/event-loop-report.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function spin(ms: number) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe('event loop report (COURTYARD_EVENT_LOOP_REPORT_MS)', () => {
  it('reports a loop kept busy as busy, with the delay its timers saw, and an idle loop as idle', async () => {
    const lines: string[] = [];
    const stop = startEventLoopReport(200, (line) => lines.push(line));
    try {
      // Busy: 40 ms of code in every 50 ms, until two reports came (a loaded machine delays them).
      const until = performance.now() + 5000;
      while (lines.length < 2 && performance.now() < until) {
        spin(40);
        await sleep(10);
      }
      const busy = lines.map(parseEventLoopReport);
      expect(busy.length).toBeGreaterThanOrEqual(2);
      for (const r of busy) {
        expect(r).not.toBeNull();
        expect(r!.busy).toBeGreaterThan(0.5);
        expect(r!.delayP99Ms).toBeGreaterThan(20);
      }
      lines.length = 0;
      // Idle: the second report after the busy phase covers idle time only.
      for (const waited = performance.now(); lines.length < 2 && performance.now() - waited < 5000; ) await sleep(50);
      const idle = lines.map(parseEventLoopReport).slice(-1)[0];
      expect(idle!.busy).toBeLessThan(0.2);
      expect(idle!.delayP50Ms).toBeLessThan(20);
    } finally {
      stop();
    }
    const count = lines.length;
    await sleep(450);
    expect(lines.length).toBe(count);
  });

  it('reads back the line it writes, and nothing else', () => {
    const line = formatEventLoopReport({ busy: 0.931, delayP50Ms: 3.84, delayP99Ms: 14, intervalMs: 250.4 });
    expect(line).toBe('event loop: busy 93.1%, delay p50 3.8 ms, p99 14.0 ms over 250 ms');
    const read = parseEventLoopReport(line)!;
    expect(read.busy).toBeCloseTo(0.931, 6);
    expect(read).toMatchObject({ delayP50Ms: 3.8, delayP99Ms: 14, intervalMs: 250 });
    expect(parseEventLoopReport('Courtyard is running on PostgreSQL')).toBeNull();
  });
});
