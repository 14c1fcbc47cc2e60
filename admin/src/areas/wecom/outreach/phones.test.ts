import { describe, expect, it } from 'vitest';
import { daysNeeded, phonesFromText } from './phones';

describe('reading an uploaded phone list', () => {
  it('takes one number a line, or numbers separated by commas or spaces on one line', () => {
    expect(phonesFromText('13800000001\n 13800000002 \n\n13800000003\n')).toEqual(['13800000001', '13800000002', '13800000003']);
    expect(phonesFromText('13800000001, 13800000002 13800000003')).toEqual(['13800000001', '13800000002', '13800000003']);
  });

  it('takes the phone column of a CSV by its header, keeping numbers as written for the API to check', () => {
    expect(phonesFromText('姓名,手机号\n林小姐,138 0000 0001\n王先生,+86 13800000002\n')).toEqual(['138 0000 0001', '+86 13800000002']);
    expect(phonesFromText('')).toEqual([]);
  });
});

describe('spreading tasks over days', () => {
  it('is the phones over what the chosen staff take a day, rounded up', () => {
    expect(daysNeeded(100, 3, 20)).toBe(2);
    expect(daysNeeded(60, 3, 20)).toBe(1);
    expect(daysNeeded(0, 3, 20)).toBe(0);
  });
});
