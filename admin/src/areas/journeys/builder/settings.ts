// A journey's settings (Journey.settings, JourneySettings of the runtime) as the settings dialog edits
// them, and back. The API fills in defaults and checks the shape; this only maps JSON ⇄ form, so a
// setting the form does not know is kept as it was.
import type { JsonObject } from './model';

export type DurationUnit = 'minutes' | 'hours' | 'days';

export interface SettingsForm {
  reentry: 'never' | 'afterCooldown' | 'always';
  cooldown: { amount: number; unit: DurationUnit };
  /** null: no cap. */
  maxConcurrent: number | null;
  goal: 'none' | 'event' | 'order' | 'segment';
  goalEventType: string;
  /** Yuan, as the marketer types it; cents in the API. */
  goalMinAmount: number;
  /** A segment's API id. */
  goalSegmentId: string | null;
  /** false: the workspace's quiet hours. */
  ownQuietHours: boolean;
  quietStart: string;
  quietEnd: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const obj = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const str = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);
const num = (v: unknown, fallback: number) => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);

/** The API stores a goal's segment as a uuid; pickers speak global IDs (base64 of "Segment:<uuid>"). */
export function segmentGlobalId(id: string): string {
  return UUID.test(id) ? btoa(`Segment:${id.toLowerCase()}`) : id;
}

export function toSettingsForm(raw: unknown): SettingsForm {
  const s = obj(raw);
  const reentry = obj(s.reentry);
  const cooldown = obj(reentry.cooldown);
  const goal = obj(s.goal);
  const quiet = s.quietHours ? obj(s.quietHours) : null;
  const mode = reentry.mode === 'afterCooldown' || reentry.mode === 'always' ? reentry.mode : 'never';
  const kind = goal.kind === 'event' || goal.kind === 'order' || goal.kind === 'segment' ? goal.kind : 'none';
  return {
    reentry: mode,
    cooldown: { amount: num(cooldown.amount, 30), unit: cooldown.unit === 'minutes' || cooldown.unit === 'hours' ? cooldown.unit : 'days' },
    maxConcurrent: typeof s.maxConcurrentEnrollments === 'number' ? s.maxConcurrentEnrollments : null,
    goal: kind,
    goalEventType: kind === 'event' ? str(goal.eventType) : '',
    goalMinAmount: kind === 'order' ? num(goal.minAmountCents, 0) / 100 : 0,
    goalSegmentId: kind === 'segment' && str(goal.segmentId) ? segmentGlobalId(str(goal.segmentId)) : null,
    ownQuietHours: !!quiet,
    quietStart: quiet ? str(quiet.start, '22:00') : '22:00',
    quietEnd: quiet ? str(quiet.end, '08:00') : '08:00',
  };
}

/** The settings JSON for updateJourney; parts of `previous` the form does not cover stay. */
export function fromSettingsForm(form: SettingsForm, previous: unknown = {}): JsonObject {
  const prev = obj(previous);
  const prevGoal = obj(prev.goal);
  const reentry: JsonObject = form.reentry === 'afterCooldown' ? { mode: 'afterCooldown', cooldown: { amount: form.cooldown.amount, unit: form.cooldown.unit } } : { mode: form.reentry };
  let goal: JsonObject | null = null;
  if (form.goal === 'event') {
    goal = { kind: 'event', eventType: form.goalEventType.trim() };
    // Property filters of an event goal are set through the API; the form keeps them.
    if (prevGoal.kind === 'event' && prevGoal.properties && typeof prevGoal.properties === 'object') goal.properties = prevGoal.properties as JsonObject;
  } else if (form.goal === 'order') goal = { kind: 'order', minAmountCents: Math.round(form.goalMinAmount * 100) };
  else if (form.goal === 'segment') goal = { kind: 'segment', segmentId: form.goalSegmentId ?? '' };
  return {
    ...(prev as JsonObject),
    reentry,
    maxConcurrentEnrollments: form.maxConcurrent,
    goal,
    quietHours: form.ownQuietHours ? { start: form.quietStart, end: form.quietEnd } : null,
  };
}
