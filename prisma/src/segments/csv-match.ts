// Rows of an uploaded customer list → the workspace's customers, set-based: one query per kind of
// identity (phone, WeCom external ID, email), never one per row.
import type { Db } from '../client.ts';
import type { CsvRow } from './csv.ts';

export interface CsvMatch {
  /** Matched customers, each once, in the order of the file. */
  customerIds: string[];
  /** Rows that matched no customer of the workspace, with their values. */
  unmatched: { line: number; value: string }[];
}

export interface MatchCsvRowsOptions {
  /** Values sent in one query. Default 50,000. */
  chunkSize?: number;
}

/** Identity columns in the order they are tried: a row matching by phone is not looked up by the others. */
const MATCH_ORDER = [
  ['phone', '"phone"'],
  ['wecomExternalId', '"wecomExternalId"'],
  ['email', '"email"'],
] as const;

/**
 * Finds the workspace's customers for parsed rows: by phone, then WeCom external ID, then email,
 * one `= ANY($2::text[])` query per kind of identity (per chunk of chunkSize distinct values),
 * each looking up only the rows still unmatched. Accepts a Db or a transaction's query function.
 */
export async function matchCsvRows(
  db: Pick<Db, 'query'>,
  workspaceId: string,
  rows: readonly CsvRow[],
  options: MatchCsvRowsOptions = {},
): Promise<CsvMatch> {
  const chunkSize = options.chunkSize ?? 50_000;
  const matched: (string | undefined)[] = new Array<string | undefined>(rows.length);
  for (const [kind, column] of MATCH_ORDER) {
    const wanted = new Set<string>();
    for (let i = 0; i < rows.length; i++) {
      const value = rows[i]![kind];
      if (matched[i] === undefined && value !== undefined) wanted.add(value);
    }
    if (wanted.size === 0) continue;
    const values = [...wanted];
    const ids = new Map<string, string>();
    for (let start = 0; start < values.length; start += chunkSize) {
      const found = await db.query<{ value: string; id: string }>(
        `SELECT ${column} AS value, "id"::text AS id FROM "Customer" WHERE "workspaceId" = $1::uuid AND ${column} = ANY($2::text[])`,
        [workspaceId, values.slice(start, start + chunkSize)],
      );
      for (const row of found) ids.set(row.value, row.id);
    }
    for (let i = 0; i < rows.length; i++) {
      const value = rows[i]![kind];
      if (matched[i] === undefined && value !== undefined) matched[i] = ids.get(value);
    }
  }
  const customerIds: string[] = [];
  const taken = new Set<string>();
  const unmatched: CsvMatch['unmatched'] = [];
  rows.forEach((row, i) => {
    const id = matched[i];
    if (id === undefined) {
      const value = MATCH_ORDER.map(([kind]) => row[kind])
        .filter((v) => v !== undefined)
        .join(' / ');
      unmatched.push({ line: row.line, value });
    } else if (!taken.has(id)) {
      taken.add(id);
      customerIds.push(id);
    }
  });
  return { customerIds, unmatched };
}
