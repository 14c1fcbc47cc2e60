// An uploaded customer list's bytes → text: UTF-8 with or without BOM, GBK (what Excel and WPS
// save as "CSV" on Chinese Windows) or UTF-16; anything else (a workbook, binary data, a web page)
// is refused with a message telling the user what to do.

/** The upload cannot be used at all (wrong kind of file, too many rows, broken quoting); tell the user the message. */
export class CsvFileError extends Error {
  override name = 'CsvFileError';
}

export type CsvEncoding = 'utf-8' | 'utf-8-bom' | 'gbk' | 'utf-16le' | 'utf-16be';

export interface DecodedCsv {
  text: string;
  encoding: CsvEncoding;
}

const SAVE_AS_CSV = 'open it in Excel or WPS and use "Save as" → "CSV UTF-8 (comma delimited)" (or "CSV (comma delimited)"), then upload that file';

function startsWith(bytes: Uint8Array, signature: readonly number[]): boolean {
  return bytes.length >= signature.length && signature.every((b, i) => bytes[i] === b);
}

function decodeStrict(label: string, bytes: Uint8Array): string | null {
  try {
    // The decoder drops a byte-order mark of its own encoding.
    return new TextDecoder(label, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Text made of control characters is a binary file that happened to decode. */
function looksBinary(text: string): boolean {
  // NUL never occurs in a spreadsheet's CSV; a few other C0 controls may slip into a cell.
  if (text.includes('\0')) return true;
  let controls = 0;
  for (let i = 0; i < Math.min(text.length, 4096); i++) {
    const code = text.charCodeAt(i);
    // Tab, line feed, vertical tab, form feed, carriage return and escape are allowed.
    if ((code < 0x20 && (code < 0x09 || code > 0x0d) && code !== 0x1b) || code === 0x7f) controls++;
  }
  return controls > 8;
}

/**
 * Decodes an uploaded CSV: UTF-8 (with or without BOM) when the bytes are valid UTF-8, UTF-16
 * when they start with its BOM (Excel's "Unicode text"), else GBK (decoded as its superset
 * GB18030), the encoding Excel and WPS use for "CSV" on Chinese Windows. Throws CsvFileError for
 * workbooks, web pages and other binary files.
 */
export function decodeCsv(bytes: Uint8Array): DecodedCsv {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) {
    throw new CsvFileError(`This is an Excel workbook (.xlsx), not a CSV file: ${SAVE_AS_CSV}.`);
  }
  if (startsWith(bytes, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) {
    throw new CsvFileError(`This is an old Excel workbook (.xls), not a CSV file: ${SAVE_AS_CSV}.`);
  }
  let decoded: DecodedCsv;
  if (startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff])) {
    const encoding = bytes[0] === 0xff ? 'utf-16le' : 'utf-16be';
    const text = decodeStrict(encoding, bytes);
    if (text === null) throw new CsvFileError(`The file starts like UTF-16 text but is not valid UTF-16: ${SAVE_AS_CSV}.`);
    decoded = { text, encoding };
  } else if (startsWith(bytes, [0xef, 0xbb, 0xbf])) {
    const text = decodeStrict('utf-8', bytes);
    if (text === null) throw new CsvFileError(`The file is marked as UTF-8 but contains bytes that are not UTF-8: ${SAVE_AS_CSV}.`);
    decoded = { text, encoding: 'utf-8-bom' };
  } else if (bytes.includes(0)) {
    throw new CsvFileError(`This is not a text file (it contains binary data): ${SAVE_AS_CSV}.`);
  } else {
    const utf8 = decodeStrict('utf-8', bytes);
    if (utf8 !== null) decoded = { text: utf8, encoding: 'utf-8' };
    else {
      const gbk = decodeStrict('gb18030', bytes);
      if (gbk === null) throw new CsvFileError(`The file is neither UTF-8 nor GBK text: ${SAVE_AS_CSV}.`);
      decoded = { text: gbk, encoding: 'gbk' };
    }
  }
  if (looksBinary(decoded.text)) {
    throw new CsvFileError(`This is not a text file (it contains binary data): ${SAVE_AS_CSV}.`);
  }
  // Some systems export an HTML or XML table and name it .xls.
  if (/^\s*<(?:!doctype|html|table|\?xml)/i.test(decoded.text.slice(0, 512))) {
    throw new CsvFileError(`This is a web page or XML file, not a CSV file: ${SAVE_AS_CSV}.`);
  }
  return decoded;
}

