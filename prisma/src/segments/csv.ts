// Static segments from an uploaded customer list: finding the phone / email / WeCom external ID
// columns by header name (English or Chinese) or by the shape of the values, and normalising them
// exactly like the API does. Decoding the bytes is csv-decode.ts; matching rows to customers is
// csv-match.ts.
import { CsvError as ParserError, parse } from 'csv-parse/sync';
import { normalizePhone } from '../phone.ts';
import { z } from 'zod';
import { CsvFileError } from './csv-decode.ts';

export { CsvFileError, decodeCsv, type CsvEncoding, type DecodedCsv } from './csv-decode.ts';
export { matchCsvRows, type CsvMatch, type MatchCsvRowsOptions } from './csv-match.ts';

// ---------------------------------------------------------------------------------------------
// Values

const emailSchema = z.email();

/** Like zEmail in schema/src/validation.ts: trimmed, lower case, null when invalid. */
export function normalizeEmail(raw: string): string | null {
  const email = raw.trim().toLowerCase();
  return emailSchema.safeParse(email).success ? email : null;
}

/** Excel's ways of keeping digits as text: ="13800138000", '13800138000, a leading tab. */
function unwrapExcelText(value: string): string {
  const trimmed = value.trim();
  const formula = /^="(.*)"$/s.exec(trimmed);
  if (formula) return formula[1]!.trim();
  if (trimmed.startsWith("'")) return trimmed.slice(1).trim();
  return trimmed;
}

const SCIENTIFIC = /^[+-]?\d+(?:\.\d+)?e\+?\d+$/i;
const PHONE_LIKE = /^\+?[\d\s\-().]{5,}$/;
const WHOLE_NUMBER_AS_DECIMAL = /^(\d+)\.0+$/;

type Checked = { ok: true; value: string } | { ok: false; message: string };

function checkPhone(raw: string): Checked {
  let value = unwrapExcelText(raw);
  if (SCIENTIFIC.test(value)) {
    return {
      ok: false,
      message: `phone "${value}" was shortened by Excel to scientific notation and its digits are lost; format the column as Text in Excel (or WPS), re-enter or re-export the numbers, and save as CSV again`,
    };
  }
  value = value.replace(WHOLE_NUMBER_AS_DECIMAL, '$1');
  const phone = normalizePhone(value);
  if (phone) return { ok: true, value: phone };
  return { ok: false, message: `phone "${value}" is not a valid phone number; use 11 digits for a mainland mobile (13800138000) or +country code` };
}

function checkEmail(raw: string): Checked {
  const value = unwrapExcelText(raw);
  const email = normalizeEmail(value);
  if (email) return { ok: true, value: email };
  return { ok: false, message: `email "${value}" is not a valid email address, e.g. lin@example.com` };
}

function checkExternalId(raw: string): Checked {
  const value = unwrapExcelText(raw);
  if (/^\S{1,256}$/.test(value)) return { ok: true, value };
  return { ok: false, message: `external ID "${value.slice(0, 80)}" is not a WeCom external contact ID (one word, at most 256 characters)` };
}

// ---------------------------------------------------------------------------------------------
// Columns

export type CsvIdentityKind = 'phone' | 'email' | 'wecomExternalId';

const KINDS: readonly CsvIdentityKind[] = ['phone', 'email', 'wecomExternalId'];

/** Header names, compared after headerKey(): lower case, no spaces, _ - . * or bracketed notes. */
const HEADER_NAMES: Record<CsvIdentityKind, readonly string[]> = {
  phone: [
    'phone', 'phonenumber', 'phoneno', 'mobile', 'mobilephone', 'mobilenumber', 'mobileno', 'cellphone', 'cell', 'tel', 'telephone',
    '手机', '手机号', '手机号码', '电话', '电话号码', '联系电话', '移动电话', '联系手机', '手机电话',
  ],
  email: ['email', 'emailaddress', 'mail', 'mailaddress', '邮箱', '邮箱地址', '电子邮件', '电子邮箱', '电子邮件地址', '邮件', '邮件地址'],
  wecomExternalId: [
    'externalid', 'externaluserid', 'wecomexternalid', 'wecomexternaluserid', 'externalcontactid', 'wxworkexternalid', 'workwechatexternalid',
    '外部联系人id', '外部联系人userid', '外部id', '企微id', '企业微信id', '企微外部联系人id', '企业微信外部联系人id',
  ],
};

/** Words that name a column when no header is exactly one of HEADER_NAMES (客户手机号, 会员邮箱 …). */
const HEADER_WORDS: Record<CsvIdentityKind, readonly string[]> = {
  phone: ['手机', '电话', 'phone', 'mobile'],
  email: ['邮箱', '电子邮件', 'email'],
  wecomExternalId: ['外部联系人id', 'externaluserid', 'externalid', '企微id', '企业微信id'],
};

function headerKey(cell: string): string {
  return cell
    .normalize('NFKC') // full-width letters, digits and brackets → ASCII
    .toLowerCase()
    .replace(/[([【《<].*?[)\]】》>]/g, '')
    .replace(/[\s_\-.·:*#]/g, '');
}

type ColumnIndexes = Partial<Record<CsvIdentityKind, number>>;

function headerColumns(cells: readonly string[]): ColumnIndexes {
  const keys = cells.map(headerKey);
  const found: ColumnIndexes = {};
  for (const kind of KINDS) {
    const exact = keys.findIndex((k) => HEADER_NAMES[kind].includes(k));
    if (exact >= 0) found[kind] = exact;
  }
  for (const kind of KINDS) {
    if (found[kind] !== undefined) continue;
    const taken = new Set(Object.values(found));
    const loose = keys.findIndex((k, i) => !taken.has(i) && HEADER_WORDS[kind].some((w) => k.includes(w)));
    if (loose >= 0) found[kind] = loose;
  }
  return found;
}

/** Guesses the delimiter from the first lines: the most frequent of , ; and tab outside quotes. */
function detectDelimiter(text: string): string {
  const counts = new Map<string, number>([
    [',', 0],
    ['\t', 0],
    [';', 0],
  ]);
  let lines = 0;
  let inQuotes = false;
  const end = Math.min(text.length, 64 * 1024);
  for (let i = 0; i < end && lines < 20; i++) {
    const ch = text[i]!;
    if (ch === '"') inQuotes = !inQuotes;
    else if (ch === '\n' && !inQuotes) lines++;
    else if (!inQuotes && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  let best = ',';
  for (const [delimiter, count] of counts) if (count > counts.get(best)!) best = delimiter;
  return best;
}

// ---------------------------------------------------------------------------------------------
// Parsing

export interface CsvRow {
  /** 1-based line of the file where the row starts. */
  line: number;
  phone?: string;
  email?: string;
  wecomExternalId?: string;
}

export interface CsvProblem {
  line: number;
  /** invalid: a value could not be read; missing: the row has no identity; duplicate: same identity as an earlier row. */
  kind: 'invalid' | 'missing' | 'duplicate';
  message: string;
}

export interface ParsedCustomerCsv {
  /** Rows with at least one valid identity, without duplicates, in file order. */
  rows: CsvRow[];
  /** Sorted by line; rows with a problem but another valid identity are kept in rows too. */
  problems: CsvProblem[];
  /** The header of each identity column used, or "column N" in a file without a recognised header. */
  columns: Partial<Record<CsvIdentityKind, string>>;
  /** Line of the header row; null when the file has none (values are recognised by their shape). */
  headerLine: number | null;
  /** Non-empty data rows read, counting invalid and duplicate ones (what maxRows limits). */
  dataRows: number;
  delimiter: ',' | ';' | '\t';
}

export interface ParseCustomerCsvOptions {
  /** Most data rows allowed; more throws CsvFileError. Default 1,000,000. */
  maxRows?: number;
}

export const DEFAULT_MAX_CSV_ROWS = 1_000_000;

/** Rows searched for a header before the file is taken to have none. */
const HEADER_SEARCH_ROWS = 5;

interface RawRecord {
  line: number;
  cells: string[];
}

const isEmptyCell = (cell: string) => cell.trim() === '';

/** A value that is meant to be a phone or email, going by its shape alone. */
function identityShape(cell: string): 'phone' | 'email' | null {
  const value = unwrapExcelText(cell);
  if (value.includes('@')) return 'email';
  if (SCIENTIFIC.test(value) || PHONE_LIKE.test(value)) return 'phone';
  return null;
}

const formatCount = (n: number) => n.toLocaleString('en-US');

/**
 * Reads the customers of an uploaded CSV (text from decodeCsv). Finds the header row (English or
 * Chinese names, in the first rows) and its phone / email / external ID columns; without one,
 * recognises phones and emails by their shape. Normalises values like the API, reports unreadable
 * values, rows without identity and duplicate rows in problems, and skips blank rows. Throws
 * CsvFileError when the file has more than maxRows data rows or cannot be parsed at all.
 */
export function parseCustomerCsv(text: string, options: ParseCustomerCsvOptions = {}): ParsedCustomerCsv {
  const maxRows = options.maxRows ?? DEFAULT_MAX_CSV_ROWS;
  // One line ending throughout: csv-parse settles on the first one it meets, and counts a CRLF
  // inside quotes as two lines. Values never need the CR.
  let body = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  let fromLine = 1;
  let delimiter = detectDelimiter(body);
  // Excel's hint line naming the delimiter.
  const hint = /^sep=(.)\n/i.exec(body);
  if (hint) {
    delimiter = hint[1]!;
    fromLine = 2;
  }
  if (delimiter !== ',' && delimiter !== ';' && delimiter !== '\t') {
    throw new CsvFileError(`The file says its values are separated by "${delimiter}"; save it as CSV with commas instead.`);
  }
  if (body.trim() === '') throw new CsvFileError('The file is empty.');
  if (!body.endsWith('\n')) body += '\n';

  const rows: CsvRow[] = [];
  const problems: CsvProblem[] = [];
  const columns: ParsedCustomerCsv['columns'] = {};
  let headerLine: number | null = null;
  let mode: 'seeking' | 'header' | 'shape' = 'seeking';
  let indexes: ColumnIndexes = {};
  let headerCells: string[] = [];
  const pending: RawRecord[] = [];
  let dataRows = 0;
  /** First line of each identity seen, to find duplicates. */
  const seen = new Map<string, number>();
  /** Duplicated identities: the first line, the later lines (the first few) and how many. */
  const duplicates = new Map<string, { first: number; lines: number[]; count: number; label: string }>();

  const columnName = (index: number) => {
    const name = headerCells[index]?.trim();
    return name ? name : `column ${index + 1}`;
  };

  /** Keeps `values` as a row unless it has no identity or repeats an earlier one. */
  const addRow = (values: CsvRow, invalid: string[]) => {
    const line = values.line;
    for (const message of invalid) problems.push({ line, kind: 'invalid', message });
    const present = KINDS.filter((k) => values[k] !== undefined);
    if (present.length === 0) {
      if (invalid.length === 0) problems.push({ line, kind: 'missing', message: 'no phone, email or external ID in this row' });
      return;
    }
    const key = `${values.phone ?? ''}\n${values.email ?? ''}\n${values.wecomExternalId ?? ''}`;
    const first = seen.get(key);
    if (first !== undefined) {
      const dup = duplicates.get(key);
      if (dup) {
        dup.count++;
        if (dup.lines.length < 5) dup.lines.push(line);
      } else {
        duplicates.set(key, { first, lines: [line], count: 2, label: present.map((k) => values[k]).join(' / ') });
      }
      return;
    }
    seen.set(key, line);
    rows.push(values);
  };

  const countDataRow = () => {
    dataRows++;
    if (dataRows > maxRows) {
      throw new CsvFileError(
        `The file has more than ${formatCount(maxRows)} customer rows, the most one upload can hold; split it into files of at most ${formatCount(maxRows)} rows.`,
      );
    }
  };

  const readWithHeader = (record: RawRecord) => {
    countDataRow();
    const values: CsvRow = { line: record.line };
    const invalid: string[] = [];
    for (const kind of KINDS) {
      const index = indexes[kind];
      if (index === undefined) continue;
      const cell = record.cells[index];
      if (cell === undefined || isEmptyCell(cell)) continue;
      const checked = kind === 'phone' ? checkPhone(cell) : kind === 'email' ? checkEmail(cell) : checkExternalId(cell);
      if (checked.ok) values[kind] = checked.value;
      else invalid.push(checked.message);
    }
    addRow(values, invalid);
  };

  /** Without a header: every cell shaped like a phone or email is one; in a one-column file, anything else is reported too. */
  const readByShape = (record: RawRecord) => {
    countDataRow();
    const values: CsvRow = { line: record.line };
    const invalid: string[] = [];
    const filled = record.cells.filter((c) => !isEmptyCell(c));
    record.cells.forEach((cell, index) => {
      if (isEmptyCell(cell)) return;
      const shape = identityShape(cell);
      if (shape === null) {
        if (filled.length === 1) invalid.push(`"${cell.trim().slice(0, 80)}" is neither a phone number nor an email address`);
        return;
      }
      if (values[shape] !== undefined) return;
      const checked = shape === 'phone' ? checkPhone(cell) : checkEmail(cell);
      if (checked.ok) {
        values[shape] = checked.value;
        columns[shape] ??= columnName(index);
      } else if (filled.length === 1 || shape === 'email' || SCIENTIFIC.test(unwrapExcelText(cell))) {
        // A lone value, an @, or Excel's mangling is meant as an identity; other digits in a wide row may be amounts.
        invalid.push(checked.message);
      }
    });
    addRow(values, invalid);
  };

  /** Settles whether the file has a header, once a header, a value or HEADER_SEARCH_ROWS rows have been seen. */
  const seek = (record: RawRecord | null) => {
    if (record) {
      const found = headerColumns(record.cells);
      if (Object.keys(found).length > 0) {
        // Rows above the header are titles ("客户名单 2024年11月"): ignored.
        mode = 'header';
        headerLine = record.line;
        headerCells = record.cells;
        indexes = found;
        for (const kind of KINDS) if (found[kind] !== undefined) columns[kind] = columnName(found[kind]);
        pending.length = 0;
        return;
      }
      pending.push(record);
      const hasIdentity = record.cells.some((c) => identityShape(c) !== null);
      if (!hasIdentity && pending.length < HEADER_SEARCH_ROWS) return;
    }
    mode = 'shape';
    // The first row is a header with names we do not know when nothing in it looks like a value.
    const first = pending[0];
    let start = 0;
    if (first && pending.length > 0 && !first.cells.some((c) => identityShape(c) !== null)) {
      headerLine = first.line;
      headerCells = first.cells;
      start = 1;
    }
    for (const r of pending.slice(start)) readByShape(r);
    pending.length = 0;
  };

  let lastLine = fromLine - 1;
  const onRecord = (cells: string[], line: number) => {
    if (cells.every(isEmptyCell)) return;
    const record = { line, cells };
    if (mode === 'header') readWithHeader(record);
    else if (mode === 'shape') readByShape(record);
    else seek(record);
  };
  if (!body.includes('"')) {
    // Without a quote CSV is lines and delimiters: splitting gives what csv-parse would, ~15x faster.
    let line = 1;
    for (let start = 0, end = body.indexOf('\n'); end !== -1; start = end + 1, end = body.indexOf('\n', start), line++) {
      if (line >= fromLine) onRecord(body.slice(start, end).split(delimiter), line);
    }
  } else {
    try {
      parse(body, {
        delimiter,
        record_delimiter: '\n',
        from_line: fromLine,
        relax_column_count: true,
        relax_quotes: true,
        skip_empty_lines: true,
        on_record: (cells: string[], context) => {
          // context.lines is the line where the record ends; quoted cells may hold line breaks.
          let breaks = 0;
          for (const cell of cells) if (cell.includes('\n')) breaks += cell.split('\n').length - 1;
          lastLine = context.lines;
          onRecord(cells, context.lines - breaks);
          return null;
        },
      });
    } catch (error) {
      if (error instanceof ParserError) {
        if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
          throw new CsvFileError(`Line ${lastLine + 1}: a value opened with a double quote (") is never closed, so the rest of the file cannot be read; fix or remove that quote.`);
        }
        throw new CsvFileError(`The file could not be read as CSV near line ${lastLine + 1}: ${error.message}`);
      }
      throw error;
    }
  }
  if (mode === 'seeking') seek(null);

  for (const dup of duplicates.values()) {
    const more = dup.count - 1 - dup.lines.length;
    const also = dup.count > 2 ? `; it appears ${dup.count} times (lines ${dup.first}, ${dup.lines.join(', ')}${more > 0 ? ` and ${more} more` : ''})` : '';
    problems.push({ line: dup.lines[0]!, kind: 'duplicate', message: `duplicate of line ${dup.first} (${dup.label})${also}; it is counted once` });
  }
  problems.sort((a, b) => a.line - b.line);
  return { rows, problems, columns, headerLine, dataRows, delimiter: delimiter as ParsedCustomerCsv['delimiter'] };
}

