// Numbers, money and dates in the current language (Intl; no date library needed for display).
import { i18n } from '@/i18n';

const locale = () => (i18n.global.locale.value === 'en' ? 'en-US' : 'zh-CN');

export function formatNumber(n: number | null | undefined): string {
  return n == null ? '—' : new Intl.NumberFormat(locale()).format(n);
}

export function formatPercent(ratio: number | null | undefined, digits = 1): string {
  return ratio == null ? '—' : new Intl.NumberFormat(locale(), { style: 'percent', maximumFractionDigits: digits }).format(ratio);
}

/** Amounts arrive in cents (fen) as the API stores them. */
export function formatMoney(cents: number | null | undefined, currency = 'CNY'): string {
  return cents == null ? '—' : new Intl.NumberFormat(locale(), { style: 'currency', currency }).format(cents / 100);
}

export function formatDateTime(iso: string | null | undefined): string {
  return iso ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso)) : '—';
}

export function formatDate(iso: string | null | undefined): string {
  return iso ? new Intl.DateTimeFormat(locale(), { dateStyle: 'medium' }).format(new Date(iso)) : '—';
}

/** "3 minutes ago" / "3 分钟前". */
export function formatRelative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return '—';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: 'auto' });
  const units: Array<[Intl.RelativeTimeFormatUnit, number]> = [['day', 86400], ['hour', 3600], ['minute', 60]];
  for (const [unit, size] of units) if (Math.abs(seconds) >= size) return rtf.format(Math.round(seconds / size), unit);
  return rtf.format(seconds, 'second');
}
