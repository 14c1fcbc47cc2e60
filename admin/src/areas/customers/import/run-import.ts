// Sends converted rows to the API in chunks and keeps, per row, what happened. Rows with problems
// found in the browser are reported without being sent; every other row is sent, and the API's
// per-item errors come back as problems on that row's line. Nothing valid is dropped because of a
// bad neighbour: upsertCustomers stores the valid items of a batch and reports the others.
import type { CustomerInput } from '@/gql/graphql';

export const CHUNK_SIZE = 500;

export interface PreparedRow {
  /** Line in the file (the header is line 1), as a spreadsheet numbers it. */
  line: number;
  input: CustomerInput;
  tags: string[];
}

export interface ImportProblem {
  line: number;
  /** The customer field (phone, email, tags …), or '' for the whole row. */
  field: string;
  message: string;
}

export interface ItemOutcome {
  customerId: string | null;
  created: boolean;
  /** Fields the API named, with paths relative to the item (e.g. "phone"); empty with a row-wide message. */
  errors: Array<{ field: string; message: string }>;
}

export interface ImportPorts {
  /** One upsertCustomers call; the outcomes in input order, or throws with a message for the whole chunk. */
  upsert(inputs: CustomerInput[]): Promise<ItemOutcome[]>;
  /** Applies one tag to customers; throws with a message when it could not. */
  tag(tagId: string, customerIds: string[]): Promise<void>;
  /** Tag ids by name (creating the missing ones); a name that cannot be had maps to an error message. */
  resolveTags(names: string[]): Promise<Map<string, { id: string } | { error: string }>>;
}

export interface ImportProgress {
  total: number;
  done: number;
  created: number;
  updated: number;
  failed: number;
}

export interface ImportResult extends ImportProgress {
  problems: ImportProblem[];
  cancelled: boolean;
}

export async function runImport(
  rows: PreparedRow[],
  earlyProblems: ImportProblem[],
  ports: ImportPorts,
  options: { total: number; onProgress?: (p: ImportProgress) => void; cancelled?: () => boolean; chunkSize?: number },
): Promise<ImportResult> {
  const chunkSize = options.chunkSize ?? CHUNK_SIZE;
  const problems = [...earlyProblems];
  const failedLines = new Set(earlyProblems.map((p) => p.line));
  const progress: ImportProgress = { total: options.total, done: failedLines.size, created: 0, updated: 0, failed: failedLines.size };
  const report = () => options.onProgress?.({ ...progress });
  const fail = (line: number, field: string, message: string) => {
    problems.push({ line, field, message });
    if (!failedLines.has(line)) {
      failedLines.add(line);
      progress.failed += 1;
    }
  };
  report();

  const tagNames = [...new Set(rows.flatMap((r) => r.tags))];
  const tagIds = tagNames.length ? await ports.resolveTags(tagNames) : new Map<string, { id: string } | { error: string }>();

  let cancelled = false;
  for (let start = 0; start < rows.length; start += chunkSize) {
    if (options.cancelled?.()) {
      cancelled = true;
      break;
    }
    const chunk = rows.slice(start, start + chunkSize);
    let outcomes: ItemOutcome[];
    try {
      outcomes = await ports.upsert(chunk.map((r) => r.input));
    } catch (error) {
      for (const row of chunk) fail(row.line, '', (error as Error).message);
      progress.done += chunk.length;
      report();
      continue;
    }

    const byTag = new Map<string, { ids: string[]; lines: number[] }>();
    chunk.forEach((row, i) => {
      const outcome = outcomes[i];
      if (!outcome?.customerId) {
        const errors = outcome?.errors.length ? outcome.errors : [{ field: '', message: '—' }];
        for (const e of errors) fail(row.line, e.field, e.message);
        return;
      }
      if (outcome.created) progress.created += 1;
      else progress.updated += 1;
      for (const name of row.tags) {
        const tag = tagIds.get(name);
        if (!tag || 'error' in tag) {
          fail(row.line, 'tags', tag?.error ?? name);
          continue;
        }
        const entry = byTag.get(tag.id) ?? { ids: [], lines: [] };
        entry.ids.push(outcome.customerId);
        entry.lines.push(row.line);
        byTag.set(tag.id, entry);
      }
    });
    for (const [tagId, { ids, lines }] of byTag) {
      try {
        await ports.tag(tagId, ids);
      } catch (error) {
        for (const line of lines) fail(line, 'tags', (error as Error).message);
      }
    }
    progress.done += chunk.length;
    report();
  }
  problems.sort((a, b) => a.line - b.line);
  return { ...progress, problems, cancelled };
}

/** The problems as a CSV a spreadsheet opens (UTF-8 with BOM so Excel reads Chinese right). */
export function problemsCsv(problems: ImportProblem[], headers: { line: string; field: string; message: string }, fieldLabel: (field: string) => string, source?: (line: number) => string[] | undefined, sourceHeaders: string[] = []): string {
  const escape = (v: string) => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [[headers.line, headers.field, headers.message, ...sourceHeaders].map(escape).join(',')];
  for (const p of problems) lines.push([String(p.line), p.field ? fieldLabel(p.field) : '', p.message, ...(source?.(p.line) ?? [])].map(escape).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
