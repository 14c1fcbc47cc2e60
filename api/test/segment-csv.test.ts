import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
beforeAll(async () => {
  app = await createTestApp();
});
afterAll(async () => {
  await app?.close();
});

const IMPORT = `mutation ($input: ImportSegmentCsvInput!) {
  importSegmentCsv(input: $input) {
    __typename
    ... on ImportSegmentCsvPayload { encoding rowCount matchedCount addedCount unmatchedCount problemCount segment { name type size } unmatched { line value } problems { line kind } }
    ... on ValidationError { fields { field message } }
  }
}`;

/** A GraphQL multipart request, as clients such as Apollo Upload or urql's multipart exchange send it. */
async function upload(ws: TestWorkspace, bytes: Uint8Array<ArrayBuffer>, input: Record<string, unknown>) {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: IMPORT, variables: { input: { ...input, file: null } } }));
  form.set('map', JSON.stringify({ 0: ['variables.input.file'] }));
  form.set('0', new File([bytes], 'customers.csv', { type: 'text/csv' }));
  const res = await app.yoga.fetch('http://yoga/graphql', { method: 'POST', body: form, headers: { authorization: `Bearer ${ws.key}` } });
  return (await res.json()) as { data: any; errors?: unknown[] };
}

// "手机号,姓名\n13911110001,王一\n13911110002,王二\n13911119999,无人\n12345,坏\n13911110001,王一\n" in GBK.
function gbkCsv(): Uint8Array<ArrayBuffer> {
  const gbk: Record<string, number[]> = { 手: [0xca, 0xd6], 机: [0xbb, 0xfa], 号: [0xba, 0xc5], 姓: [0xd0, 0xd5], 名: [0xc3, 0xfb], 王: [0xcd, 0xf5], 一: [0xd2, 0xbb], 二: [0xb6, 0xfe], 无: [0xce, 0xde], 人: [0xc8, 0xcb], 坏: [0xbb, 0xb5] };
  const text = '手机号,姓名\n13911110001,王一\n13911110002,王二\n13911119999,无人\n12345,坏\n13911110001,王一\n';
  return new Uint8Array([...text].flatMap((ch) => gbk[ch] ?? [ch.charCodeAt(0)]));
}

describe('static segments from a CSV upload', () => {
  it('reads a GBK file with Chinese headers, matches by phone, reports unmatched, invalid and duplicate rows', async () => {
    const ws = await app.workspace();
    await ws.gql(`mutation { upsertCustomers(customers: [{ phone: "13911110001" }, { phone: "13911110002" }, { phone: "13911110003" }]) { __typename } }`);
    const r = await upload(ws, gbkCsv(), { name: '双十一名单' });
    expect(r.errors).toBeUndefined();
    expect(r.data.importSegmentCsv).toMatchObject({
      __typename: 'ImportSegmentCsvPayload',
      encoding: 'gbk',
      matchedCount: 2,
      addedCount: 2,
      unmatchedCount: 1,
      segment: { name: '双十一名单', type: 'static', size: 2 },
      unmatched: [{ line: 4, value: '13911119999' }],
    });
    expect(r.data.importSegmentCsv.problems.map((p: any) => [p.line, p.kind])).toEqual([
      [5, 'invalid'],
      [6, 'duplicate'],
    ]);
  });

  it('adds to an existing static segment, and refuses a spreadsheet file without creating anything', async () => {
    const ws = await app.workspace();
    await ws.gql(`mutation { upsertCustomers(customers: [{ phone: "13911110001", email: "a@example.com" }, { phone: "13911110002" }]) { __typename } }`);
    const first = await upload(ws, new TextEncoder().encode('email\nA@Example.com\n'), { name: '邮件名单' });
    expect(first.data.importSegmentCsv).toMatchObject({ encoding: 'utf-8', addedCount: 1 });
    const segments = await ws.gql(`{ segments { edges { node { id } } } }`);
    const segmentId = segments.data.segments.edges[0].node.id;
    const more = await upload(ws, new TextEncoder().encode('\ufeffphone\n13911110001\n13911110002\n'), { segmentId });
    expect(more.data.importSegmentCsv).toMatchObject({ encoding: 'utf-8-bom', matchedCount: 2, addedCount: 1, segment: { size: 2 } });

    const xlsx = await upload(ws, new Uint8Array([0x50, 0x4b, 0x03, 0x04, 1, 2, 3]), { name: '表格' });
    expect(xlsx.data.importSegmentCsv.__typename).toBe('ValidationError');
    expect(xlsx.data.importSegmentCsv.fields[0].field).toBe('input.file');
    expect((await ws.gql(`{ segments { totalCount } }`)).data.segments.totalCount).toBe(1);
  });

  it('customers a CSV adds to a static segment start journeys triggered by entering it', async () => {
    const ws = await app.workspace();
    await ws.gql(`mutation { upsertCustomers(customers: [{ phone: "13911120001" }, { phone: "13911120002" }]) { __typename } }`);
    const first = await upload(ws, new TextEncoder().encode('phone\n13911120001\n'), { name: '直播名单' });
    expect(first.data.importSegmentCsv.addedCount).toBe(1);
    const segments = await ws.gql(`{ segments(first: 1) { edges { node { id } } } }`);
    const segmentId = segments.data.segments.edges[0].node.id;
    const created = await ws.gql(`mutation ($input: JourneyInput!) { createJourney(input: $input) { ... on Journey { id } } }`, {
      input: {
        name: '直播欢迎',
        definition: {
          nodes: [
            { id: 't', type: 'courtyard.segment-change', version: '1.0.0', config: { segmentId, change: 'entered' } },
            { id: 'x', type: 'courtyard.exit', version: '1.0.0', config: { reason: 'welcomed' } },
          ],
          edges: [{ from: 't', port: 'next', to: 'x' }],
        },
      },
    });
    const journeyId = created.data.createJourney.id;
    const published = await ws.gql(`mutation ($id: ID!) { publishJourney(id: $id) { __typename } }`, { id: journeyId });
    expect(published.data.publishJourney.__typename).toBe('PublishJourneyPayload');
    const more = await upload(ws, new TextEncoder().encode('phone\n13911120001\n13911120002\n'), { segmentId });
    expect(more.data.importSegmentCsv.addedCount).toBe(1);
    const enrolled = async () =>
      (await ws.gql(`query ($id: ID!) { journey(id: $id) { enrollments(first: 10) { edges { node { customer { phone } } } } } }`, { id: journeyId })).data.journey.enrollments.edges.map(
        (e: any) => e.node.customer.phone,
      );
    await expect.poll(enrolled).toEqual(['13911120002']);
  });
});
