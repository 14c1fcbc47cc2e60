// An uploaded phone list as the API takes it: one number per line, or a CSV whose column named like
// "phone" / "手机号" (else its first column) holds them. Numbers are sent as written; the API
// normalises and checks each and answers per phone.
import Papa from 'papaparse';

/** Phones one request takes (the API's OUTREACH_BATCH). */
export const MAX_PHONES = 5000;

const PHONE_HEADER = /^(phone|mobile|tel|手机|手机号|手机号码|电话)$/i;

export function phonesFromText(text: string): string[] {
  const rows = Papa.parse<string[]>(text.trim(), { skipEmptyLines: 'greedy' }).data.map((r) => r.map((c) => c.trim()));
  if (!rows.length) return [];
  const header = rows[0]!.findIndex((c) => PHONE_HEADER.test(c));
  const column = header >= 0 ? header : 0;
  const body = header >= 0 ? rows.slice(1) : rows;
  // A single column of numbers separated by spaces or commas on one line is a list too.
  const cells = body.length === 1 && header < 0 ? body[0]!.flatMap((c) => c.split(/\s+/)) : body.map((r) => r[column] ?? '');
  return cells.map((c) => c.trim()).filter(Boolean);
}

/**
 * Days the tasks take when each of `staff` members gets at most `perDay` a day, counting from an
 * empty schedule (tasks already scheduled push new ones later still).
 */
export function daysNeeded(phones: number, staff: number, perDay: number): number {
  if (phones <= 0 || staff <= 0 || perDay <= 0) return 0;
  return Math.ceil(phones / (staff * perDay));
}
