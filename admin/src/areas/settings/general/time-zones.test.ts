import { describe, expect, it } from 'vitest';
import { formatOffset, matchesTimeZone, timeZoneOptions, utcOffset } from './time-zones';

describe('time zone options', () => {
  const winter = new Date('2026-01-15T12:00:00Z');
  const summer = new Date('2026-07-15T12:00:00Z');

  it('labels zones with their offset at the given moment, daylight saving included', () => {
    expect(utcOffset('Asia/Shanghai', winter)).toBe(480);
    expect(utcOffset('Asia/Kolkata', winter)).toBe(330);
    expect(utcOffset('America/Los_Angeles', winter)).toBe(-480);
    expect(utcOffset('America/Los_Angeles', summer)).toBe(-420);
    expect(formatOffset(-210)).toBe('UTC-03:30');
  });

  it('puts common zones first, then the rest by offset, and keeps an unknown current zone', () => {
    const options = timeZoneOptions(winter, 'Mars/Olympus');
    expect(options[0]).toEqual({ value: 'Asia/Shanghai', offset: 480, label: '(UTC+08:00) Asia/Shanghai' });
    const rest = options.slice(8).filter((o) => o.value !== 'Mars/Olympus');
    expect(rest.every((o, i) => i === 0 || rest[i - 1]!.offset <= o.offset)).toBe(true);
    expect(options.some((o) => o.value === 'Mars/Olympus')).toBe(true);
    expect(options.filter((o) => o.value === 'UTC')).toHaveLength(1);
  });

  it('finds a zone by city with spaces or underscores, or by offset', () => {
    const ny = timeZoneOptions(winter).find((o) => o.value === 'America/New_York')!;
    expect(matchesTimeZone('new york', ny)).toBe(true);
    expect(matchesTimeZone('New_York', ny)).toBe(true);
    expect(matchesTimeZone('UTC-05', ny)).toBe(true);
    expect(matchesTimeZone('shanghai', ny)).toBe(false);
  });
});
