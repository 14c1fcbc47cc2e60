// A one-line summary of a node's config for the canvas, so a journey reads at a glance without
// opening each node: "order.paid", "2 小时", "3 个标签", the start of a message.
import type { JsonObject, JsonValue } from './model';

type T = (key: string, params?: Record<string, unknown>) => string;

function brief(value: JsonValue, t: T): string | null {
  if (value === null || value === '' || value === undefined) return null;
  if (typeof value === 'string') return value.length > 28 ? `${value.slice(0, 28)}…` : value;
  if (typeof value === 'number' || typeof value === 'boolean') return null;
  if (Array.isArray(value)) return value.length ? t('journeys.summary.items', { n: value.length }) : null;
  if (typeof value.amount === 'number' && typeof value.unit === 'string') return t(`journeys.summary.${value.unit}`, { n: value.amount });
  return null;
}

const ORDER = ['eventType', 'duration', 'timeout', 'body', 'tagIds', 'segmentId', 'windows', 'branches', 'field', 'url', 'cron', 'at', 'staffIds', 'reason'];

export function configSummary(config: JsonObject, t: T): string {
  const keys = ORDER.filter((k) => k in config);
  for (const key of keys) {
    if (key.endsWith('Id') && key !== 'segmentId') continue;
    const text = key === 'segmentId' && config[key] ? t('journeys.summary.segment') : key === 'tagIds' && Array.isArray(config[key]) && config[key].length ? t('journeys.summary.tags', { n: config[key].length }) : brief(config[key] as JsonValue, t);
    if (text) return text;
  }
  return '';
}
