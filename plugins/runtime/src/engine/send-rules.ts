import type { JourneyCustomer, SendOutcome } from '@courtyard/plugin-sdk';
import { nextDayStart, quietUntil } from './clock.ts';
import type { WorkspaceSettings } from './versions.ts';

type NotNow = Exclude<SendOutcome, { status: 'queued' }>;

/** Who may never get the message: blacklisted customers, and for marketing those without consent. */
export function refusal(customer: JourneyCustomer, marketing: boolean): NotNow | null {
  if (customer.blacklisted) return { status: 'skipped', reason: 'customer is blacklisted' };
  if (marketing && !customer.marketingConsent) return { status: 'skipped', reason: 'customer has not consented to marketing' };
  return null;
}

/**
 * Whether a marketing message may go now: quiet hours defer it to their end; the workspace's
 * frequency cap (counting `sentToday`, this day's marketing messages) defers it to the next day or
 * skips it, as the workspace chose. Null: it may go.
 */
export function timing(marketing: boolean, workspace: WorkspaceSettings, quietHours: { start: string; end: string } | null, now: Date, sentToday: number): NotNow | null {
  if (!marketing) return null;
  const quietEnds = quietHours ? quietUntil(now, workspace.timeZone, quietHours) : null;
  if (quietEnds) return { status: 'deferred', until: quietEnds, reason: 'quiet hours' };
  const cap = workspace.frequencyCapPerDay;
  if (cap != null && sentToday >= cap) {
    const reason = `frequency cap of ${cap} a day reached`;
    return workspace.frequencyCapMode === 'skip' ? { status: 'skipped', reason } : { status: 'deferred', until: nextDayStart(now, workspace.timeZone), reason };
  }
  return null;
}
