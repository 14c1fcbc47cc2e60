import { describe, expect, it } from 'vitest';
import type { CustomerInput } from '@/gql/graphql';
import { problemsCsv, runImport, type ImportPorts, type PreparedRow } from './run-import';

function ports(log: string[]): ImportPorts {
  let n = 0;
  return {
    async upsert(inputs: CustomerInput[]) {
      log.push(`upsert ${inputs.length}`);
      return inputs.map((input) =>
        input.email === 'taken@example.com'
          ? { customerId: null, created: false, errors: [{ field: 'email', message: 'Another customer already has this email.' }] }
          : { customerId: `c${++n}`, created: input.name !== 'old', errors: [] },
      );
    },
    async tag(tagId, ids) {
      log.push(`tag ${tagId} ${ids.join(',')}`);
    },
    async resolveTags(names) {
      return new Map(names.map((name) => [name, name === '坏' ? { error: 'cannot create' } : { id: `tag:${name}` }]));
    },
  };
}

const row = (line: number, input: CustomerInput, tags: string[] = []): PreparedRow => ({ line, input, tags });

describe('running an import in chunks', () => {
  it('stores the good rows, reports the bad ones by line and field, tags per tag, and counts progress to 100%', async () => {
    const log: string[] = [];
    const progress: number[] = [];
    const rows = [
      row(2, { phone: '13800000001', name: 'new' }, ['VIP']),
      row(3, { email: 'taken@example.com' }, ['VIP']),
      row(5, { phone: '13800000002', name: 'old' }, ['VIP', '坏']),
    ];
    const result = await runImport(rows, [{ line: 4, field: 'phone', message: 'bad phone' }], ports(log), {
      total: 4,
      chunkSize: 2,
      onProgress: (p) => progress.push(p.done),
    });
    expect(log).toEqual(['upsert 2', 'tag tag:VIP c1', 'upsert 1', 'tag tag:VIP c2']);
    expect(result).toMatchObject({ total: 4, done: 4, created: 1, updated: 1, failed: 3, cancelled: false });
    expect(result.problems).toEqual([
      { line: 3, field: 'email', message: 'Another customer already has this email.' },
      { line: 4, field: 'phone', message: 'bad phone' },
      { line: 5, field: 'tags', message: 'cannot create' },
    ]);
    expect(progress).toEqual([1, 3, 4]);
  });

  it('a chunk the API refuses as a whole marks its rows failed and the next chunk still goes', async () => {
    const log: string[] = [];
    const p = ports(log);
    let calls = 0;
    const flaky: ImportPorts = { ...p, upsert: async (inputs) => (++calls === 1 ? Promise.reject(new Error('network down')) : p.upsert(inputs)) };
    const result = await runImport([row(2, { phone: '1' }), row(3, { phone: '2' })], [], flaky, { total: 2, chunkSize: 1 });
    expect(result.problems).toEqual([{ line: 2, field: '', message: 'network down' }]);
    expect(result).toMatchObject({ done: 2, created: 1, failed: 1 });
  });

  it('stops between chunks when cancelled', async () => {
    const log: string[] = [];
    let stop = false;
    const result = await runImport([row(2, { phone: '1' }), row(3, { phone: '2' })], [], ports(log), {
      total: 2,
      chunkSize: 1,
      onProgress: () => (stop = true),
      cancelled: () => stop,
    });
    expect(result.cancelled).toBe(true);
    expect(log).toEqual([]);
  });

  it('writes the report as a spreadsheet-friendly CSV with the original cells', () => {
    const csv = problemsCsv([{ line: 3, field: 'email', message: 'taken, sorry' }], { line: '行号', field: '字段', message: '问题' }, (f) => (f === 'email' ? '邮箱' : f), () => ['a@b', '王"五'], ['邮箱', '姓名']);
    expect(csv).toBe('\uFEFF行号,字段,问题,邮箱,姓名\r\n3,邮箱,"taken, sorry",a@b,"王""五"\r\n');
  });
});
