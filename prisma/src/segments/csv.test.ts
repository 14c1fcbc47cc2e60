// Customer lists uploaded as CSV: decoding (UTF-8, BOM, GBK, UTF-16, refusing workbooks and
// binaries), header and column detection in English and Chinese, value normalisation, problems
// with line numbers, the row limit, and set-based matching against a workspace's customers.
import iconv from 'iconv-lite';
import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../client.ts';
import { createTestDb } from '../testing.ts';
import { normalizePhone } from '../phone.ts';
import { CsvFileError, decodeCsv, matchCsvRows, parseCustomerCsv, type CsvRow } from './csv.ts';

const utf8 = (text: string) => new TextEncoder().encode(text);
const gbk = (text: string) => new Uint8Array(iconv.encode(text, 'gbk'));
const parsed = (text: string, options?: Parameters<typeof parseCustomerCsv>[1]) => parseCustomerCsv(text, options);

describe('decodeCsv', () => {
  it('reads UTF-8 without and with a byte-order mark', () => {
    expect(decodeCsv(utf8('手机号\n13800138000\n'))).toEqual({ text: '手机号\n13800138000\n', encoding: 'utf-8' });
    const bom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('手机号\n13800138000\n')]);
    expect(decodeCsv(bom)).toEqual({ text: '手机号\n13800138000\n', encoding: 'utf-8-bom' });
  });

  it('reads GBK, the encoding of "CSV" saved by Excel or WPS on Chinese Windows', () => {
    // '手机号' in GBK, as Excel writes it; not valid UTF-8.
    const known = new Uint8Array([0xca, 0xd6, 0xbb, 0xfa, 0xba, 0xc5, 0x0d, 0x0a, ...utf8('13800138000\r\n')]);
    expect(decodeCsv(known)).toEqual({ text: '手机号\r\n13800138000\r\n', encoding: 'gbk' });
    const text = '手机号,姓名,邮箱,备注\r\n13800138000,张三,zhang@example.com,老客户（华东区）\r\n';
    expect(decodeCsv(gbk(text))).toEqual({ text, encoding: 'gbk' });
  });

  it('reads UTF-16 with a byte-order mark (Excel "Unicode text")', () => {
    const text = '手机号\t姓名\r\n13800138000\t张三\r\n';
    const le = new Uint8Array([0xff, 0xfe, ...iconv.encode(text, 'utf-16le')]);
    expect(decodeCsv(le)).toEqual({ text, encoding: 'utf-16le' });
    const be = new Uint8Array([0xfe, 0xff, ...iconv.encode(text, 'utf-16be')]);
    expect(decodeCsv(be)).toEqual({ text, encoding: 'utf-16be' });
  });

  it('accepts an empty file (parseCustomerCsv then says it is empty)', () => {
    expect(decodeCsv(new Uint8Array())).toEqual({ text: '', encoding: 'utf-8' });
  });

  it('refuses workbooks, web pages and binary files, telling the user to save as CSV', () => {
    const xlsx = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
    expect(() => decodeCsv(xlsx)).toThrow(CsvFileError);
    expect(() => decodeCsv(xlsx)).toThrow(/Excel workbook \(\.xlsx\).*Save as.*CSV/);
    const xls = new Uint8Array([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1, 0, 0]);
    expect(() => decodeCsv(xls)).toThrow(/\.xls\b.*Save as/);
    expect(() => decodeCsv(new Uint8Array([0x31, 0x33, 0x00, 0x38]))).toThrow(/binary data.*Save as/);
    expect(() => decodeCsv(new Uint8Array([0x80, 0xff, 0x80, 0xff]))).toThrow(/neither UTF-8 nor GBK.*Save as/);
    const controls = new Uint8Array(Array.from({ length: 64 }, (_, i) => (i % 2 ? 0x01 : 0x41)));
    expect(() => decodeCsv(controls)).toThrow(/binary data/);
    expect(() => decodeCsv(utf8('<html><table><tr><td>手机号</td></tr></table></html>'))).toThrow(/web page/);
  });
});

describe('parseCustomerCsv: headers and columns', () => {
  it('finds English headers in any case and spacing, and normalises values like the API', () => {
    const result = parsed('Name, Mobile Phone ,E-Mail,external_userid\nLin," +86 138 0013 8000 ", Lin@Example.COM ,wmAbC123\n');
    expect(result.columns).toEqual({ phone: 'Mobile Phone', email: 'E-Mail', wecomExternalId: 'external_userid' });
    expect(result.headerLine).toBe(1);
    expect(result.rows).toEqual([{ line: 2, phone: '13800138000', email: 'lin@example.com', wecomExternalId: 'wmAbC123' }]);
    expect(result.problems).toEqual([]);
  });

  it('finds Chinese headers, with notes in brackets and full-width letters', () => {
    const result = parsed('姓名,手机号（必填）,电子邮件,外部联系人ＩＤ\n张三,13800138000,ZHANG@example.com,wmX1\n');
    expect(result.columns).toEqual({ phone: '手机号（必填）', email: '电子邮件', wecomExternalId: '外部联系人ＩＤ' });
    expect(result.rows).toEqual([{ line: 2, phone: '13800138000', email: 'zhang@example.com', wecomExternalId: 'wmX1' }]);
    for (const header of ['手机', '电话', '联系电话', '手机号码', 'tel', 'PHONE', '客户手机号']) {
      expect(parsed(`${header}\n13800138000\n`).columns, header).toEqual({ phone: header });
    }
    for (const header of ['邮箱', 'email', 'Email Address', '会员邮箱']) {
      expect(parsed(`${header}\nlin@example.com\n`).columns, header).toEqual({ email: header });
    }
    for (const header of ['企微ID', 'externalUserId', 'wecom_external_id', 'External ID', '外部联系人id']) {
      expect(parsed(`${header}\nwmABC\n`).columns, header).toEqual({ wecomExternalId: header });
    }
  });

  it('reads a whole GBK file end to end', () => {
    const { text, encoding } = decodeCsv(gbk('客户名单 2026年11月\r\n姓名,手机号,邮箱\r\n张三,13800138000,ZHANG@example.com\r\n李四,13900139000,\r\n'));
    expect(encoding).toBe('gbk');
    const result = parseCustomerCsv(text);
    // The title row above the header is ignored.
    expect(result.headerLine).toBe(2);
    expect(result.columns).toEqual({ phone: '手机号', email: '邮箱' });
    expect(result.rows).toEqual([
      { line: 3, phone: '13800138000', email: 'zhang@example.com' },
      { line: 4, phone: '13900139000' },
    ]);
  });

  it('prefers an exact header name to one that only contains the word', () => {
    const result = parsed('客户手机备注,手机号\n老号码,13800138000\n');
    expect(result.columns).toEqual({ phone: '手机号' });
    expect(result.rows).toEqual([{ line: 2, phone: '13800138000' }]);
  });

  it('reads a single column without a header by the shape of each value', () => {
    const result = parsed('13800138000\nLin@Example.com\n+852 9123 4567\n张三\n12345\n');
    expect(result.headerLine).toBeNull();
    expect(result.columns).toEqual({ phone: 'column 1', email: 'column 1' });
    expect(result.rows).toEqual([
      { line: 1, phone: '13800138000' },
      { line: 2, email: 'lin@example.com' },
      { line: 3, phone: '+85291234567' },
    ]);
    expect(result.problems).toEqual([
      { line: 4, kind: 'invalid', message: '"张三" is neither a phone number nor an email address' },
      { line: 5, kind: 'invalid', message: expect.stringMatching(/^phone "12345" is not a valid phone number/) },
    ]);
  });

  it('takes an unknown first row above values as their header', () => {
    const result = parsed('号码\n13800138000\n13900139000\n');
    expect(result.headerLine).toBe(1);
    expect(result.columns).toEqual({ phone: '号码' });
    expect(result.rows.map((r) => r.line)).toEqual([2, 3]);
    expect(result.problems).toEqual([]);
  });

  it('finds phones and emails in a wide file without a known header', () => {
    const result = parsed('姓名,号码,下单次数,地址\n张三,13800138000,3,上海\n李四,lin@example.com,12,北京\n王五,,2,广州\n');
    expect(result.rows).toEqual([
      { line: 2, phone: '13800138000' },
      { line: 3, email: 'lin@example.com' },
    ]);
    expect(result.columns).toEqual({ phone: '号码', email: '号码' });
    expect(result.problems).toEqual([{ line: 4, kind: 'missing', message: 'no phone, email or external ID in this row' }]);
  });
});

describe('parseCustomerCsv: CSV details', () => {
  it('handles quoted fields with commas, quotes and line breaks, CRLF, and reports the line a row starts on', () => {
    const text = '"phone","name"\r\n"13800138000","Lin, ""Ah"" \r\nsecond line"\r\n13900139000,"x"\r\n\r\n13700137000,y';
    const result = parsed(text);
    expect(result.rows).toEqual([
      { line: 2, phone: '13800138000' },
      { line: 4, phone: '13900139000' },
      { line: 6, phone: '13700137000' },
    ]);
  });

  it('detects semicolon and tab delimiters, and Excel\'s sep= line', () => {
    expect(parsed('name;phone\nLin, Ah;13800138000\n')).toMatchObject({ delimiter: ';', rows: [{ line: 2, phone: '13800138000' }] });
    expect(parsed('name\tphone\nLin, Ah\t13800138000\n')).toMatchObject({ delimiter: '\t', rows: [{ line: 2, phone: '13800138000' }] });
    expect(parsed('sep=;\nphone;email\n13800138000;a@b.cn\n')).toMatchObject({
      delimiter: ';',
      headerLine: 2,
      rows: [{ line: 3, phone: '13800138000', email: 'a@b.cn' }],
    });
  });

  it('reads files with and without quotes alike (files without a quote are split directly)', () => {
    const plain = 'sep=;\r\n\r\n姓名;手机号;邮箱\r\nLin, Ah;13800138000;\r\n;;\r\n张三;12345;zhang@example.com\r\n;13800138000;\r\n';
    const quoted = plain.replace('Lin, Ah', '"Lin, Ah"');
    expect(parsed(quoted)).toEqual(parsed(plain));
    expect(parsed(plain)).toMatchObject({
      delimiter: ';',
      headerLine: 3,
      rows: [
        { line: 4, phone: '13800138000' },
        { line: 6, email: 'zhang@example.com' },
      ],
      problems: [
        { line: 6, kind: 'invalid' },
        { line: 7, kind: 'duplicate', message: 'duplicate of line 4 (13800138000); it is counted once' },
      ],
    });
  });

  it('reads Excel\'s text-keeping forms and refuses scientific notation with advice', () => {
    const values = ['="13800138000"', '"=""13900139000"""', "'13700137000", '\t13600136000', '13500135000.0', '1.38001E+10', '1.3800138E10'];
    const text = ['phone,name', ...values.map((v, i) => `${v},n${i}`)].join('\n');
    const result = parsed(text);
    expect(result.rows.map((r) => r.phone)).toEqual(['13800138000', '13900139000', '13700137000', '13600136000', '13500135000']);
    expect(result.problems.map((p) => p.line)).toEqual([7, 8]);
    expect(result.problems[0]!.message).toMatch(/phone "1\.38001E\+10" was shortened by Excel to scientific notation.*format the column as Text/);
  });

  it('skips blank rows silently and reports invalid values and rows without identity by line', () => {
    const text = ['姓名,手机号,邮箱', '张三,13800138000,', ',,', '', '李四,12345,', '王五,,not-an-email', '赵六,,', '钱七,020-12,qian@example.com', '   ,  ,  '].join('\r\n');
    const result = parsed(text);
    expect(result.rows).toEqual([
      { line: 2, phone: '13800138000' },
      { line: 8, email: 'qian@example.com' },
    ]);
    expect(result.problems).toEqual([
      { line: 5, kind: 'invalid', message: 'phone "12345" is not a valid phone number; use 11 digits for a mainland mobile (13800138000) or +country code' },
      { line: 6, kind: 'invalid', message: 'email "not-an-email" is not a valid email address, e.g. lin@example.com' },
      { line: 7, kind: 'missing', message: 'no phone, email or external ID in this row' },
      { line: 8, kind: 'invalid', message: expect.stringMatching(/^phone "020-12" is not a valid phone number/) },
    ]);
    expect(result.dataRows).toBe(5);
  });

  it('keeps duplicate rows once and reports each duplicated identity once', () => {
    const text = ['手机号,邮箱', '13800138000,', '13900139000,b@example.com', '138 0013 8000,', '+8613800138000,', '13900139000,B@Example.com', '13900139000,', '13800138000,'].join('\n');
    const result = parsed(text);
    expect(result.rows).toEqual([
      { line: 2, phone: '13800138000' },
      { line: 3, phone: '13900139000', email: 'b@example.com' },
      // Same phone, different identity: kept (matching counts the customer once).
      { line: 7, phone: '13900139000' },
    ]);
    expect(result.problems).toEqual([
      { line: 4, kind: 'duplicate', message: 'duplicate of line 2 (13800138000); it appears 4 times (lines 2, 4, 5, 8); it is counted once' },
      { line: 6, kind: 'duplicate', message: 'duplicate of line 3 (13900139000 / b@example.com); it is counted once' },
    ]);
  });

  it('throws a clear error above maxRows, not counting blank rows, and nothing is returned', () => {
    const rows = ['13800138000', '13900139000', '', ',', '13700137000'];
    expect(parsed(['phone', ...rows].join('\n'), { maxRows: 3 }).rows).toHaveLength(3);
    const over = ['phone', ...rows, 'bad'].join('\n');
    expect(() => parsed(over, { maxRows: 3 })).toThrow(CsvFileError);
    expect(() => parsed(over, { maxRows: 3 })).toThrow('The file has more than 3 customer rows, the most one upload can hold; split it into files of at most 3 rows.');
    expect(() => parsed('13800138000\n'.repeat(1_001), { maxRows: 1_000 })).toThrow(/more than 1,000 customer rows/);
  });

  it('refuses empty files and an unclosed quote, naming the line', () => {
    expect(() => parsed('')).toThrow('The file is empty.');
    expect(() => parsed('\r\n \n')).toThrow('The file is empty.');
    expect(() => parsed('phone,name\n13800138000,a\n13900139000,"Lin\n13700137000,b\n')).toThrow(/^Line 3: a value opened with a double quote/);
  });

  it('returns no rows for a header alone', () => {
    expect(parsed('手机号,邮箱\r\n')).toMatchObject({ rows: [], problems: [], headerLine: 1, dataRows: 0, columns: { phone: '手机号', email: '邮箱' } });
  });
});

describe('normalizePhone', () => {
  const reference = (raw: string) => {
    const parsed = parsePhoneNumberFromString(raw.trim(), 'CN');
    if (!parsed?.isValid()) return null;
    return parsed.country === 'CN' ? parsed.nationalNumber : parsed.number;
  };

  it('agrees with the API (schema/src/validation.ts) for every 5-digit start of an 11-digit number', () => {
    // The per-prefix memo assumes the last 5 digits never change the verdict: try different
    // suffixes of the same 6-digit prefix, the first call filling the memo, the others reading it.
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const mismatches: string[] = [];
    for (let start = 10_000; start < 20_000; start++) {
      const prefix = `${start}${random(10)}`;
      for (const suffix of ['00000', '99999', String(random(100_000)).padStart(5, '0')]) {
        const number = prefix + suffix;
        if (normalizePhone(number) !== reference(number)) mismatches.push(number);
      }
    }
    expect(mismatches).toEqual([]);
    for (const raw of ['+86 138 0013 8000', '008613800138000', '138-0013-8000', '+85291234567', '(021) 6123 4567', '91234567', '1380013800', '']) {
      expect(normalizePhone(raw), raw).toBe(reference(raw));
    }
  });
});

describe('parseCustomerCsv: performance', () => {
  it('parses 200,000 rows quickly', () => {
    const lines = ['姓名,手机号,邮箱,城市'];
    for (let i = 0; i < 200_000; i++) {
      // Distinct mobile numbers spread over 20,000 6-digit prefixes (13x and 18x are all valid).
      const phone = `1${i % 2 ? 3 : 8}${String((i * 7919) % 1_000_000_000).padStart(9, '0')}`;
      lines.push(`客户${i},${phone},${i % 3 === 0 ? `user${i}@example.com` : ''},上海`);
    }
    const text = lines.join('\r\n') + '\r\n';
    const started = performance.now();
    const result = parseCustomerCsv(text);
    const ms = performance.now() - started;
    console.log(`parseCustomerCsv: 200,000 rows (${(text.length / 1e6).toFixed(1)} M characters) in ${ms.toFixed(0)} ms; ${result.rows.length} rows, ${result.problems.length} problems`);
    expect(result.dataRows).toBe(200_000);
    expect(result.rows).toHaveLength(200_000);
    expect(result.problems).toEqual([]);
    expect(ms).toBeLessThan(30_000);
  });
});

describe('matchCsvRows', () => {
  let db: Db;
  let ws: string;
  let other: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    db = await createTestDb();
    ws = (await db.prisma.workspace.create({ data: { name: 'CSV upload' } })).id;
    other = (await db.prisma.workspace.create({ data: { name: 'Another brand' } })).id;
    const customers = [
      { key: 'lin', name: 'Lin', phone: '13800138000', email: 'lin@example.com' },
      { key: 'wang', name: 'Wang', phone: '13900139000', wecomExternalId: 'wmWang' },
      { key: 'zhao', name: 'Zhao', email: 'zhao@example.com', wecomExternalId: 'wmZhao' },
      { key: 'hk', name: 'Chan', phone: '+85291234567' },
    ];
    for (const { key, ...data } of customers) ids[key] = (await db.prisma.customer.create({ data: { ...data, workspaceId: ws } })).id;
    await db.prisma.customer.create({ data: { workspaceId: other, name: 'Elsewhere', phone: '13700137000', email: 'else@example.com', wecomExternalId: 'wmElse' } });
  });
  afterAll(async () => {
    await db?.close();
  });

  const counting = () => {
    const sql: string[] = [];
    return {
      sql,
      db: { query: <T,>(text: string, params?: unknown[]) => (sql.push(text), db.query<T>(text, params)) },
    };
  };

  it('matches by phone, then external ID, then email, with one query per kind, and reports unmatched rows', async () => {
    const { rows, problems } = parseCustomerCsv(
      [
        'phone,external_id,email',
        '+85291234567,,', // hk by phone
        '13700137000,wmZhao,', // a phone of another workspace: zhao by external ID
        '13800138000,,', // lin
        ',,ZHAO@example.com', // zhao again: counted once
        '13600136000,,else@example.com', // another workspace's email: unmatched
        ',wmElse,', // another workspace's external ID: unmatched
        '13900139000,,lin@example.com', // wang by phone, the email is not used
        ',,nobody@example.com',
      ].join('\n'),
    );
    expect(problems).toEqual([]);
    const { db: spy, sql } = counting();
    const match = await matchCsvRows(spy, ws, rows);
    expect(match.customerIds).toEqual([ids.hk, ids.zhao, ids.lin, ids.wang]);
    expect(match.unmatched).toEqual([
      { line: 6, value: '13600136000 / else@example.com' },
      { line: 7, value: 'wmElse' },
      { line: 9, value: 'nobody@example.com' },
    ]);
    expect(sql).toHaveLength(3);
    for (const statement of sql) expect(statement).toMatch(/= ANY\(\$2::text\[\]\)/);
  });

  it('matches nothing in another workspace and sends no query for a kind nobody needs', async () => {
    const rows: CsvRow[] = [
      { line: 2, phone: '13800138000' },
      { line: 3, phone: '13900139000' },
    ];
    const { db: spy, sql } = counting();
    expect(await matchCsvRows(spy, other, rows)).toEqual({
      customerIds: [],
      unmatched: [
        { line: 2, value: '13800138000' },
        { line: 3, value: '13900139000' },
      ],
    });
    expect(sql).toHaveLength(1);
    const mine = counting();
    expect((await matchCsvRows(mine.db, ws, rows)).customerIds).toEqual([ids.lin, ids.wang]);
    expect(mine.sql).toHaveLength(1);
    expect(await matchCsvRows(db, ws, [])).toEqual({ customerIds: [], unmatched: [] });
  });

  it('sends values in chunks of chunkSize', async () => {
    const rows: CsvRow[] = ['13800138000', '13900139000', '13600136000', '13500135000', '13800138000'].map((phone, i) => ({ line: i + 2, phone }));
    const { db: spy, sql } = counting();
    const match = await matchCsvRows(spy, ws, rows, { chunkSize: 2 });
    expect(match.customerIds).toEqual([ids.lin, ids.wang]);
    expect(match.unmatched.map((u) => u.line)).toEqual([4, 5]);
    expect(sql).toHaveLength(2); // four distinct phones
  });

  it('matches 100,000 rows with a few queries', async () => {
    const rows: CsvRow[] = Array.from({ length: 100_000 }, (_, i) => ({ line: i + 2, phone: String(15_000_000_000 + i) }));
    rows[50_000] = { line: 50_002, phone: '13800138000' };
    const { db: spy, sql } = counting();
    const started = performance.now();
    const match = await matchCsvRows(spy, ws, rows);
    console.log(`matchCsvRows: 100,000 rows in ${(performance.now() - started).toFixed(0)} ms (${db.kind}, ${sql.length} queries)`);
    expect(match.customerIds).toEqual([ids.lin]);
    expect(match.unmatched).toHaveLength(99_999);
    expect(sql).toHaveLength(2);
  });
});
