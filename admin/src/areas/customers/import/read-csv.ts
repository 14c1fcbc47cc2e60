// Reads a CSV file as a spreadsheet saves it: UTF-8 (with or without BOM) or, failing that, GBK
// (what Excel writes for "CSV" on a Chinese Windows); rows of cells, the first being the header.
import Papa from 'papaparse';

export interface CsvTable {
  headers: string[];
  rows: string[][];
}

export function decodeCsv(bytes: ArrayBuffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).replace(/^\uFEFF/, '');
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

export function parseCsv(text: string): CsvTable {
  const parsed = Papa.parse<string[]>(text, { skipEmptyLines: 'greedy' });
  const [headers = [], ...rows] = parsed.data;
  return { headers: headers.map((h) => h.trim()), rows };
}

export async function readCsvFile(file: Blob): Promise<CsvTable> {
  return parseCsv(decodeCsv(await file.arrayBuffer()));
}

/** Saves text as a file download. */
export function download(name: string, text: string, type = 'text/csv;charset=utf-8'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
