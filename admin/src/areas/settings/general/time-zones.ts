// The IANA time zones this browser knows, labelled with their current UTC offset so "+08:00" and
// "Shanghai" both find Asia/Shanghai. The zones brands here use most come first.
export const COMMON_TIME_ZONES = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'Europe/London', 'America/Los_Angeles', 'UTC'];

export interface TimeZoneOption {
  value: string;
  label: string;
  /** Minutes east of UTC at `now`. */
  offset: number;
}

/** "+08:00" style offset of a zone at a moment. */
export function utcOffset(timeZone: string, now: Date): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' }).formatToParts(now).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(name);
  return m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0)) : 0;
}

export function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

function allZones(): string[] {
  const zones = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : [];
  return zones.includes('UTC') ? zones : [...zones, 'UTC'];
}

/** Common zones first, then every zone by offset and name. `current` is kept even if unknown here. */
export function timeZoneOptions(now = new Date(), current?: string | null): TimeZoneOption[] {
  const zones = allZones();
  if (current && !zones.includes(current)) zones.push(current);
  const option = (value: string): TimeZoneOption => {
    let offset = 0;
    try {
      offset = utcOffset(value, now);
    } catch {
      // A zone this browser cannot format still shows, without its offset.
    }
    return { value, offset, label: `(${formatOffset(offset)}) ${value.replace(/_/g, ' ')}` };
  };
  const common = COMMON_TIME_ZONES.filter((z) => zones.includes(z)).map(option);
  const rest = zones
    .filter((z) => !COMMON_TIME_ZONES.includes(z))
    .map(option)
    .sort((a, b) => a.offset - b.offset || a.value.localeCompare(b.value));
  return [...common, ...rest];
}

/** Case-insensitive match on the label and the raw name, ignoring spaces versus underscores. */
export function matchesTimeZone(query: string, option: { label: string; value: string }): boolean {
  const q = query.trim().toLowerCase().replace(/[\s_]+/g, ' ');
  if (!q) return true;
  return option.label.toLowerCase().includes(q) || option.value.toLowerCase().replace(/_/g, ' ').includes(q);
}
