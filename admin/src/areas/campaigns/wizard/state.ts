// The campaign wizard's state and how it maps to the API's campaign definition (and back), the
// checks each step makes before moving on, and which step an API field error belongs to.
// Segments are held as API global IDs (what SegmentPicker gives); channel and senders as database
// ids (Channel.channelId, Staff.staffId). The API accepts both kinds and stores database ids.
import { cronFromRecurrence, defaultRecurrence, recurrenceFromCron, recurrenceProblem, type RecurrenceState } from './recurrence';

export const STEPS = ['audience', 'content', 'senders', 'schedule', 'review'] as const;
export type StepKey = (typeof STEPS)[number];

export interface VariantState {
  key: string;
  weight: number;
  subject: string;
  body: string;
}

export interface LinkState {
  name: string;
  url: string;
}

export interface WindowState {
  start: string;
  end: string;
  /** ISO weekdays (1 Monday … 7 Sunday); all seven means every day. */
  weekdays: number[];
}

export interface WizardState {
  name: string;
  description: string;
  segmentIds: string[];
  excludeSegmentIds: string[];
  holdoutPercent: number;
  channelId: string | null;
  marketing: boolean;
  variants: VariantState[];
  links: LinkState[];
  senderStaffIds: string[];
  windows: WindowState[];
  attributionHours: number;
  /** Start now, once at a time, or at every occurrence of a schedule (a recurring campaign). */
  sendMode: 'now' | 'at' | 'recurring';
  /** Epoch ms of the scheduled start (sendMode 'at'). */
  scheduledAt: number | null;
  /** The schedule of a recurring campaign (sendMode 'recurring'). */
  recurrence: RecurrenceState;
}

/** The definition as the API takes it (CampaignInput.definition). */
export interface DefinitionJson {
  audience: { segmentIds: string[]; excludeSegmentIds: string[]; holdoutPercent: number };
  content: {
    channelId: string;
    variants: Array<{ key: string; weight: number; subject?: string; body: string }>;
    links: Record<string, string>;
    marketing: boolean;
  };
  senderStaffIds: string[];
  windows: Array<{ start: string; end: string; weekdays?: number[] }>;
  attributionHours: number;
}

export const ALL_WEEKDAYS = [1, 2, 3, 4, 5, 6, 7];
export const VARIANT_KEYS = ['A', 'B', 'C', 'D', 'E'];
export const MAX_VARIANTS = 5;
export const DEFAULT_ATTRIBUTION_HOURS = 72;

export function emptyState(): WizardState {
  return {
    name: '',
    description: '',
    segmentIds: [],
    excludeSegmentIds: [],
    holdoutPercent: 0,
    channelId: null,
    marketing: true,
    variants: [{ key: 'A', weight: 100, subject: '', body: '' }],
    links: [],
    senderStaffIds: [],
    windows: [],
    attributionHours: DEFAULT_ATTRIBUTION_HOURS,
    sendMode: 'now',
    scheduledAt: null,
    recurrence: defaultRecurrence(),
  };
}

export function definitionFromState(s: WizardState): DefinitionJson {
  return {
    audience: { segmentIds: [...s.segmentIds], excludeSegmentIds: [...s.excludeSegmentIds], holdoutPercent: s.holdoutPercent },
    content: {
      channelId: s.channelId ?? '',
      variants: s.variants.map((v) => ({ key: v.key, weight: v.weight, ...(v.subject.trim() ? { subject: v.subject } : {}), body: v.body })),
      links: Object.fromEntries(s.links.filter((l) => l.name || l.url).map((l) => [l.name.trim(), l.url.trim()])),
      marketing: s.marketing,
    },
    senderStaffIds: [...s.senderStaffIds],
    windows: s.windows.map((w) => ({ start: w.start, end: w.end, ...(w.weekdays.length && w.weekdays.length < 7 ? { weekdays: [...w.weekdays].sort() } : {}) })),
    attributionHours: s.attributionHours,
  };
}

/** The API global ID of a segment from its database id (what stored definitions hold). */
export function segmentGlobalId(id: string): string {
  return /^[0-9a-f-]{36}$/i.test(id) ? btoa(`Segment:${id}`) : id;
}

/** The API's campaign kind for the state. */
export function kindOf(s: Pick<WizardState, 'sendMode'>): 'one_off' | 'recurring' {
  return s.sendMode === 'recurring' ? 'recurring' : 'one_off';
}

/** The cron expression to send (recurring campaigns), else null. */
export function cronOf(s: Pick<WizardState, 'sendMode' | 'recurrence'>): string | null {
  return s.sendMode === 'recurring' ? cronFromRecurrence(s.recurrence) : null;
}

interface StoredCampaign {
  name: string;
  kind?: 'one_off' | 'recurring' | null;
  cron?: string | null;
  description?: string | null;
  scheduledAt?: string | null;
  definition: unknown;
}

/** The wizard's state for a stored campaign (its definition has defaults filled in and database ids). */
export function stateFromCampaign(c: StoredCampaign): WizardState {
  const s = emptyState();
  const d = (c.definition ?? {}) as Partial<DefinitionJson>;
  s.name = c.name;
  s.description = c.description ?? '';
  s.segmentIds = (d.audience?.segmentIds ?? []).map(segmentGlobalId);
  s.excludeSegmentIds = (d.audience?.excludeSegmentIds ?? []).map(segmentGlobalId);
  s.holdoutPercent = d.audience?.holdoutPercent ?? 0;
  s.channelId = d.content?.channelId || null;
  s.marketing = d.content?.marketing ?? true;
  if (d.content?.variants?.length) s.variants = d.content.variants.map((v) => ({ key: v.key, weight: v.weight, subject: v.subject ?? '', body: v.body }));
  s.links = Object.entries(d.content?.links ?? {}).map(([name, url]) => ({ name, url }));
  s.senderStaffIds = [...(d.senderStaffIds ?? [])];
  s.windows = (d.windows ?? []).map((w) => ({ start: w.start, end: w.end, weekdays: w.weekdays?.length ? [...w.weekdays] : [...ALL_WEEKDAYS] }));
  s.attributionHours = d.attributionHours ?? DEFAULT_ATTRIBUTION_HOURS;
  if (c.kind === 'recurring') {
    s.sendMode = 'recurring';
    if (c.cron) s.recurrence = recurrenceFromCron(c.cron);
  } else if (c.scheduledAt) {
    s.sendMode = 'at';
    s.scheduledAt = new Date(c.scheduledAt).getTime();
  }
  return s;
}

export function weightTotal(variants: Pick<VariantState, 'weight'>[]): number {
  return variants.reduce((sum, v) => sum + (Number.isFinite(v.weight) ? v.weight : 0), 0);
}

/** 100 split as evenly as whole percents allow, the remainder to the first variants. */
export function evenWeights(n: number): number[] {
  const base = Math.floor(100 / n);
  return Array.from({ length: n }, (_, i) => base + (i < 100 - base * n ? 1 : 0));
}

/** The first unused key of A … E. */
export function nextVariantKey(variants: Pick<VariantState, 'key'>[]): string {
  return VARIANT_KEYS.find((k) => !variants.some((v) => v.key === k)) ?? `V${variants.length + 1}`;
}

/** Adds a variant with the first free key and splits the weights evenly again. */
export function addVariant(variants: VariantState[]): VariantState[] {
  if (variants.length >= MAX_VARIANTS) return variants;
  const copy = variants[variants.length - 1];
  const next = [...variants, { key: nextVariantKey(variants), weight: 0, subject: copy?.subject ?? '', body: copy?.body ?? '' }];
  const weights = evenWeights(next.length);
  return next.map((v, i) => ({ ...v, weight: weights[i]! }));
}

export function removeVariant(variants: VariantState[], index: number): VariantState[] {
  if (variants.length <= 1) return variants;
  const next = variants.filter((_, i) => i !== index);
  const weights = evenWeights(next.length);
  return next.map((v, i) => ({ ...v, weight: weights[i]! }));
}

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$/;
const LINK_NAME = /^[A-Za-z0-9_]+$/;
const VARIANT_KEY = /^[A-Za-z0-9_-]{1,20}$/;
const VARIABLE = /\{\{\s*([^}]+?)\s*\}\}/g;

/** Link names a template uses as {{links.name}} that are not set. */
export function missingLinks(template: string, links: LinkState[]): string[] {
  const names = new Set(links.map((l) => l.name.trim()));
  const missing: string[] = [];
  for (const m of template.matchAll(VARIABLE)) {
    const name = m[1]!.replace(/^[#^/&{]\s*/, '');
    if (name.startsWith('links.') && !names.has(name.slice(6)) && !missing.includes(name.slice(6))) missing.push(name.slice(6));
  }
  return missing;
}

/** A field's problem as a message key of `campaigns.wizard.errors` and its parameters. */
export interface Problem {
  key: string;
  params?: Record<string, string | number>;
}

/**
 * What stops a step from being complete, by field (the API's field paths without `definition.`,
 * e.g. `content.variants.1.body`), so the same input shows a client or an API problem.
 */
export function stepProblems(s: WizardState, step: StepKey, now = Date.now()): Record<string, Problem> {
  const out: Record<string, Problem> = {};
  if (step === 'audience') {
    if (!s.name.trim()) out.name = { key: 'nameRequired' };
    else if (s.name.trim().length > 100) out.name = { key: 'nameTooLong' };
    if (!s.segmentIds.length) out['audience.segmentIds'] = { key: 'segmentsRequired' };
    if (s.segmentIds.some((id) => s.excludeSegmentIds.includes(id))) out['audience.excludeSegmentIds'] = { key: 'segmentBothWays' };
    if (!(s.holdoutPercent >= 0 && s.holdoutPercent <= 50)) out['audience.holdoutPercent'] = { key: 'holdoutRange' };
  }
  if (step === 'content') {
    if (!s.channelId) out['content.channelId'] = { key: 'channelRequired' };
    const total = weightTotal(s.variants);
    if (total !== 100) out['content.variants'] = { key: 'weightsTotal', params: { total } };
    const seen = new Set<string>();
    s.variants.forEach((v, i) => {
      if (!VARIANT_KEY.test(v.key)) out[`content.variants.${i}.key`] = { key: 'variantKey' };
      else if (seen.has(v.key)) out[`content.variants.${i}.key`] = { key: 'variantKeyTwice' };
      seen.add(v.key);
      if (!Number.isInteger(v.weight) || v.weight < 1 || v.weight > 100) out[`content.variants.${i}.weight`] = { key: 'weightRange' };
      if (!v.body.trim()) out[`content.variants.${i}.body`] = { key: 'bodyRequired' };
      for (const field of ['subject', 'body'] as const) {
        const missing = missingLinks(v[field], s.links);
        if (missing.length && !out[`content.variants.${i}.${field}`]) out[`content.variants.${i}.${field}`] = { key: 'linkNotSet', params: { name: missing[0]! } };
      }
    });
    const names = new Set<string>();
    s.links.forEach((l, i) => {
      const name = l.name.trim();
      if (!LINK_NAME.test(name)) out[`content.links.${i}.name`] = { key: 'linkName' };
      else if (names.has(name)) out[`content.links.${i}.name`] = { key: 'linkNameTwice' };
      names.add(name);
      if (!/^https?:\/\/\S+\.\S+/.test(l.url.trim())) out[`content.links.${i}.url`] = { key: 'linkUrl' };
    });
  }
  if (step === 'schedule') {
    s.windows.forEach((w, i) => {
      if (!HHMM.test(w.start) || !HHMM.test(w.end)) out[`windows.${i}`] = { key: 'windowTime' };
      else if (w.start === w.end) out[`windows.${i}`] = { key: 'windowEmpty' };
      else if (!w.weekdays.length) out[`windows.${i}`] = { key: 'windowDays' };
    });
    if (!Number.isInteger(s.attributionHours) || s.attributionHours < 1 || s.attributionHours > 720) out.attributionHours = { key: 'attributionRange' };
    if (s.sendMode === 'at') {
      if (s.scheduledAt == null) out.at = { key: 'scheduleRequired' };
      else if (s.scheduledAt <= now) out.at = { key: 'scheduleFuture' };
    }
    if (s.sendMode === 'recurring') {
      const problem = recurrenceProblem(s.recurrence);
      if (problem) out.cron = { key: problem };
    }
  }
  return out;
}

/** Every step's problems (the review step has none of its own). */
export function allProblems(s: WizardState, now = Date.now()): Record<string, Problem> {
  return Object.assign({}, ...STEPS.map((step) => stepProblems(s, step, now)));
}

/** An API field path as the wizard keys it: without `input.`, `patch.` and `definition.`. */
export function wizardField(apiField: string): string {
  return apiField.replace(/^(input|patch)\./, '').replace(/^definition\./, '');
}

/** The step a field (wizard key) is edited on. */
export function stepOfField(field: string): StepKey {
  if (field === 'name' || field === 'description' || field.startsWith('audience')) return 'audience';
  if (field.startsWith('content')) return 'content';
  if (field.startsWith('senderStaffIds')) return 'senders';
  if (field.startsWith('windows') || field === 'attributionHours' || field === 'at' || field === 'cron') return 'schedule';
  return 'review';
}

/** Problems counted per step, for the step bar. */
export function problemsByStep(fields: string[]): Record<StepKey, number> {
  const out = Object.fromEntries(STEPS.map((s) => [s, 0])) as Record<StepKey, number>;
  for (const f of fields) out[stepOfField(f)] += 1;
  return out;
}

/** The link errors of link `i`: the wizard keys them by index, the API by name. */
export function linkFieldKeys(links: LinkState[], i: number): string[] {
  const name = links[i]?.name.trim();
  return [`content.links.${i}.name`, `content.links.${i}.url`, ...(name ? [`content.links.${name}`] : [])];
}
