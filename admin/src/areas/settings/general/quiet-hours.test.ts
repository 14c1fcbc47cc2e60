import { describe, expect, it } from 'vitest';
import { formatHHMM, isQuietAt, parseHHMM, quietWindow } from './quiet-hours';

describe('quiet hours', () => {
  it('parses 24-hour HH:mm and refuses anything else', () => {
    expect(parseHHMM('22:00')).toBe(1320);
    expect(parseHHMM(' 08:05 ')).toBe(485);
    expect(parseHHMM('24:00')).toBeNull();
    expect(parseHHMM('8:00')).toBeNull();
    expect(parseHHMM('')).toBeNull();
    expect(formatHHMM(485)).toBe('08:05');
    expect(formatHHMM(1440 + 30)).toBe('00:30');
  });

  it('a window ending before it starts crosses midnight and covers the night', () => {
    const night = quietWindow('22:00', '08:00')!;
    expect(night).toMatchObject({ crossesMidnight: true, minutes: 600 });
    expect(isQuietAt(night, parseHHMM('23:30')!)).toBe(true);
    expect(isQuietAt(night, parseHHMM('03:00')!)).toBe(true);
    expect(isQuietAt(night, parseHHMM('08:00')!)).toBe(false);
    expect(isQuietAt(night, parseHHMM('12:00')!)).toBe(false);
  });

  it('a daytime window does not cross midnight; equal or missing ends make no window', () => {
    const lunch = quietWindow('12:00', '13:30')!;
    expect(lunch).toMatchObject({ crossesMidnight: false, minutes: 90 });
    expect(isQuietAt(lunch, parseHHMM('12:59')!)).toBe(true);
    expect(isQuietAt(lunch, parseHHMM('23:00')!)).toBe(false);
    expect(quietWindow('09:00', '09:00')).toBeNull();
    expect(quietWindow('09:00', null)).toBeNull();
  });
});
