// Phone numbers as Courtyard stores them: mainland China mobiles as their 11 national digits
// (13800138000), others in E.164 (+85291234567); null when not a valid number.
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/** The plain libphonenumber answer; normalizePhone gives the same, faster. */
export function normalizePhoneReference(raw: string): string | null {
  const parsed = parsePhoneNumberFromString(raw.trim(), 'CN');
  if (!parsed?.isValid()) return null;
  return parsed.country === 'CN' ? parsed.nationalNumber : parsed.number;
}

const ELEVEN_DIGITS_FROM_1 = /^1\d{10}$/;
/** Whether 11-digit numbers starting with these 6 digits are valid (and normalise to themselves). */
const prefixValid = new Map<string, boolean>();

/**
 * normalizePhoneReference, fast for the shape almost every row has. libphonenumber takes ~20 µs a
 * number (20 s for a million rows). For 11 digits starting with 1 the metadata for China decides
 * validity from at most the first 5 (mobile `1740[0-5]…`, `1610…`, `1[38]…`), so the verdict is
 * remembered per 6-digit prefix: at most 100,000 lookups per process, ever. A prefix whose valid
 * numbers do not normalise to themselves is never remembered. csv.test.ts compares the two for
 * every 5-digit start; an exhaustive check of every 7-digit prefix found no difference
 * (libphonenumber-js 1.13.16).
 */
export function normalizePhone(raw: string): string | null {
  const value = raw.trim();
  if (!ELEVEN_DIGITS_FROM_1.test(value)) return normalizePhoneReference(value);
  const prefix = value.slice(0, 6);
  const valid = prefixValid.get(prefix);
  if (valid !== undefined) return valid ? value : null;
  const phone = normalizePhoneReference(value);
  if (phone === null || phone === value) prefixValid.set(prefix, phone !== null);
  return phone;
}

