// How busy the process's one JavaScript thread is. With COURTYARD_EVENT_LOOP_REPORT_MS=N the server
// prints one line every N ms: the share of the time the event loop was running code (not waiting
// for I/O) and how late timers fired (the delay a request waits for its turn). Near 100% busy, the
// process is the limit: more work means longer waits, whatever the database or the cores have left.
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

export interface EventLoopReport {
  /** Share of the interval the loop was running code, 0..1. */
  busy: number;
  delayP50Ms: number;
  delayP99Ms: number;
  intervalMs: number;
}

const PREFIX = 'event loop:';
const LINE = /^event loop: busy (\d+(?:\.\d+)?)%, delay p50 (\d+(?:\.\d+)?) ms, p99 (\d+(?:\.\d+)?) ms over (\d+) ms$/;

export function formatEventLoopReport(r: EventLoopReport): string {
  return `${PREFIX} busy ${(r.busy * 100).toFixed(1)}%, delay p50 ${r.delayP50Ms.toFixed(1)} ms, p99 ${r.delayP99Ms.toFixed(1)} ms over ${Math.round(r.intervalMs)} ms`;
}

/** The report a line holds, or null for any other line. */
export function parseEventLoopReport(line: string): EventLoopReport | null {
  const m = LINE.exec(line.trim());
  return m ? { busy: Number(m[1]) / 100, delayP50Ms: Number(m[2]), delayP99Ms: Number(m[3]), intervalMs: Number(m[4]) } : null;
}

/** Writes a report every `intervalMs` until the returned function is called. */
export function startEventLoopReport(intervalMs: number, write: (line: string) => void = (line) => console.log(line)): () => void {
  // 1 ms resolution: the delays worth seeing under load are a few milliseconds.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  let since = performance.eventLoopUtilization();
  let at = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    const used = performance.eventLoopUtilization(since);
    write(formatEventLoopReport({ busy: used.utilization, delayP50Ms: delay.percentile(50) / 1e6, delayP99Ms: delay.percentile(99) / 1e6, intervalMs: now - at }));
    since = performance.eventLoopUtilization();
    at = now;
    delay.reset();
  }, intervalMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    delay.disable();
  };
}
