// Campaign status colours and progress arithmetic shared by the list, the progress page and the dashboard.
import type { CampaignStatus } from '@/gql/graphql';

export const STATUS_TAG: Record<CampaignStatus, 'default' | 'info' | 'success' | 'warning' | 'error' | 'primary'> = {
  draft: 'default',
  scheduled: 'info',
  running: 'primary',
  paused: 'warning',
  completed: 'success',
  cancelled: 'error',
};

export const EDITABLE: CampaignStatus[] = ['draft', 'scheduled', 'paused'];

export interface Counts {
  total: number;
  queued: number;
  sent: number;
  delivered: number;
  failed: number;
  skipped: number;
  replied: number;
  clicked: number;
  heldOut: number;
  cancelled: number;
}

export interface Progress {
  /** Messages meant to go (the run without its control group). */
  toSend: number;
  /** Of them, handled by sending: sent, failed or skipped (cancelled ones never were). */
  done: number;
  /** 0–100. */
  percent: number;
}

export function progressOf(counts: Counts | null | undefined, status?: CampaignStatus | null): Progress {
  if (!counts) return { toSend: 0, done: 0, percent: status === 'completed' ? 100 : 0 };
  const toSend = Math.max(0, counts.total - counts.heldOut);
  const done = Math.min(toSend, counts.sent + counts.failed + counts.skipped);
  const percent = toSend ? Math.floor((done / toSend) * 1000) / 10 : status === 'completed' ? 100 : 0;
  return { toSend, done, percent };
}

/** Seconds until the queue is empty at the current rate; null when nothing moves. */
export function etaSeconds(queued: number, rate: number): number | null {
  return queued > 0 && rate > 0 ? Math.ceil(queued / rate) : null;
}
