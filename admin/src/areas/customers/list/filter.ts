// The customer list's state (filters, sort, page size) in three shapes: what the filter bar edits,
// the URL query (so a filtered list can be bookmarked and shared), and the API's CustomerFilter.
import type { CustomerFilter, CustomerIdentity, CustomerSortField, LifecycleStage, SortDirection } from '@/gql/graphql';
import type { LocationQuery, LocationQueryRaw } from 'vue-router';

export const LIFECYCLE_STAGES: LifecycleStage[] = ['lead', 'prospect', 'customer', 'repeat', 'vip', 'churned'];
export const IDENTITIES: CustomerIdentity[] = ['phone', 'wecom', 'email', 'unionId'];
export const SORT_FIELDS: CustomerSortField[] = ['CREATED_AT', 'UPDATED_AT', 'LAST_ORDER_AT', 'TOTAL_SPENT', 'NAME'];
export const PAGE_SIZES = [20, 50, 100];

export interface ListState {
  text: string;
  tagsAny: string[];
  tagsAll: string[];
  tagsNone: string[];
  segmentIds: string[];
  sourceChannels: string[];
  lifecycleStages: LifecycleStage[];
  identities: CustomerIdentity[];
  /** Created from / to as calendar days YYYY-MM-DD, both inclusive; null when open. */
  createdFrom: string | null;
  createdTo: string | null;
  marketingConsent: boolean | null;
  blacklisted: boolean | null;
  sort: CustomerSortField;
  direction: SortDirection;
  pageSize: number;
}

export function emptyState(): ListState {
  return {
    text: '',
    tagsAny: [],
    tagsAll: [],
    tagsNone: [],
    segmentIds: [],
    sourceChannels: [],
    lifecycleStages: [],
    identities: [],
    createdFrom: null,
    createdTo: null,
    marketingConsent: null,
    blacklisted: null,
    sort: 'CREATED_AT',
    direction: 'DESC',
    pageSize: PAGE_SIZES[0]!,
  };
}

const LIST_KEYS = ['tagsAny', 'tagsAll', 'tagsNone', 'segmentIds', 'sourceChannels'] as const;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

function first(value: LocationQuery[string] | undefined): string | null {
  const v = Array.isArray(value) ? value[0] : value;
  return typeof v === 'string' && v !== '' ? v : null;
}

function list(value: LocationQuery[string] | undefined): string[] {
  const v = first(value);
  return v ? v.split(',').filter(Boolean) : [];
}

function bool(value: LocationQuery[string] | undefined): boolean | null {
  const v = first(value);
  return v === '1' ? true : v === '0' ? false : null;
}

/** Reads the state from a URL query; anything unknown or malformed falls back to the default. */
export function stateFromQuery(query: LocationQuery): ListState {
  const s = emptyState();
  s.text = first(query.q) ?? '';
  for (const key of LIST_KEYS) s[key] = list(query[key]);
  s.lifecycleStages = list(query.stages).filter((v): v is LifecycleStage => (LIFECYCLE_STAGES as string[]).includes(v));
  s.identities = list(query.identities).filter((v): v is CustomerIdentity => (IDENTITIES as string[]).includes(v));
  const from = first(query.from);
  const to = first(query.to);
  s.createdFrom = from && DAY.test(from) ? from : null;
  s.createdTo = to && DAY.test(to) ? to : null;
  s.marketingConsent = bool(query.consent);
  s.blacklisted = bool(query.blacklisted);
  const sort = first(query.sort);
  if (sort && (SORT_FIELDS as string[]).includes(sort)) s.sort = sort as CustomerSortField;
  if (first(query.dir) === 'ASC') s.direction = 'ASC';
  const size = Number(first(query.size));
  if (PAGE_SIZES.includes(size)) s.pageSize = size;
  return s;
}

/** The URL query of a state: only what differs from the default, so a plain list has a plain URL. */
export function queryFromState(s: ListState): LocationQueryRaw {
  const q: Record<string, string> = {};
  const d = emptyState();
  if (s.text.trim()) q.q = s.text.trim();
  for (const key of LIST_KEYS) if (s[key].length) q[key] = s[key].join(',');
  if (s.lifecycleStages.length) q.stages = s.lifecycleStages.join(',');
  if (s.identities.length) q.identities = s.identities.join(',');
  if (s.createdFrom) q.from = s.createdFrom;
  if (s.createdTo) q.to = s.createdTo;
  if (s.marketingConsent != null) q.consent = s.marketingConsent ? '1' : '0';
  if (s.blacklisted != null) q.blacklisted = s.blacklisted ? '1' : '0';
  if (s.sort !== d.sort) q.sort = s.sort;
  if (s.direction !== d.direction) q.dir = s.direction;
  if (s.pageSize !== d.pageSize) q.size = String(s.pageSize);
  return q;
}

/** Midnight at the start of a calendar day in the browser's time zone, as an ISO instant. */
function startOfDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d!).toISOString();
}

function nextDay(day: string): string {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y!, m! - 1, d! + 1).toISOString();
}

/** The API filter of a state; null when nothing narrows the list. */
export function apiFilter(s: ListState): CustomerFilter | null {
  const f: CustomerFilter = {};
  const text = s.text.trim();
  if (text) f.text = text;
  if (s.tagsAny.length || s.tagsAll.length || s.tagsNone.length) {
    f.tags = {
      ...(s.tagsAny.length ? { any: s.tagsAny } : {}),
      ...(s.tagsAll.length ? { all: s.tagsAll } : {}),
      ...(s.tagsNone.length ? { none: s.tagsNone } : {}),
    };
  }
  if (s.segmentIds.length) f.segmentIds = s.segmentIds;
  if (s.sourceChannels.length) f.sourceChannels = s.sourceChannels;
  if (s.lifecycleStages.length) f.lifecycleStages = s.lifecycleStages;
  if (s.identities.length) f.identities = s.identities;
  // The picker gives calendar days with both ends included; the API's range ends are an instant
  // (inclusive) and an instant (exclusive), so "to" becomes the start of the next day.
  if (s.createdFrom || s.createdTo) {
    f.createdAt = { ...(s.createdFrom ? { from: startOfDay(s.createdFrom) } : {}), ...(s.createdTo ? { to: nextDay(s.createdTo) } : {}) };
  }
  if (s.marketingConsent != null) f.marketingConsent = s.marketingConsent;
  if (s.blacklisted != null) f.blacklisted = s.blacklisted;
  return Object.keys(f).length ? f : null;
}

/** How many filter conditions are set (sort and page size are not filters). */
export function activeFilterCount(s: ListState): number {
  const f = apiFilter(s);
  if (!f) return 0;
  return Object.entries(f).reduce((n, [key, value]) => n + (key === 'tags' ? Object.keys(value as object).length : 1), 0);
}
