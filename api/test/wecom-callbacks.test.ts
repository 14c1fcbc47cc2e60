// WeCom callback receipts: written together (group commit), each answered only once the statement
// holding it committed, and one bad receipt failing alone.
process.env.COURTYARD_SECRET_KEY ??= 'courtyard-test-secret-key';

import { createServer, type Server } from 'node:http';
import type { Db } from '@courtyard/db';
import { createReceiptWriter } from '@courtyard/schema';
import { buildWeComXml, createCallbackCrypto, type XmlFields, type XmlInput } from '@courtyard/wecom';
import { startWeComStandIn, type WeComStandIn } from '@courtyard/wecom/standin';
import { TEST_CORP } from '@courtyard/wecom/standin/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWeComCallbackHandler } from '../src/wecom-callback.ts';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

let app: TestApp;
let standIn: WeComStandIn;

beforeAll(async () => {
  app = await createTestApp();
  standIn = await startWeComStandIn({ ...TEST_CORP });
});
afterAll(async () => {
  await standIn.close();
  await app.close();
});

const CONNECT = `mutation ($input: ConnectWeComInput!) { connectWeCom(input: $input) { __typename ... on Error { message } } }`;

let next = 0;
/** The decrypted fields of an add_external_contact callback, as the endpoint hands them to the writer. */
function addFields(externalUserId = `wmReceipt${next++}`): XmlFields {
  return {
    ToUserName: TEST_CORP.corpId,
    FromUserName: 'sys',
    CreateTime: String(Math.floor(Date.now() / 1000)),
    MsgType: 'event',
    Event: 'change_external_contact',
    ChangeType: 'add_external_contact',
    UserID: 'zhangsan',
    ExternalUserID: externalUserId,
  };
}

const receipts = (ws: TestWorkspace) =>
  app.db.prisma.weComCallback.findMany({ where: { workspaceId: ws.id }, orderBy: [{ receivedAt: 'asc' }, { id: 'asc' }], select: { id: true, payload: true } });

describe('the receipt writer', () => {
  it('writes the receipts that arrive together in one statement, in their order, and answers a repeated key as a retry', async () => {
    const ws = await app.workspace();
    const statements: string[] = [];
    const db: Db = { ...app.db, query: (sql, params, options) => (statements.push(sql), app.db.query(sql, params, options)) };
    const writer = createReceiptWriter(db);
    const fields = Array.from({ length: 5 }, () => addFields());
    const results = await Promise.all([...fields, fields[2]!].map((f) => writer.record(ws.id, f)));
    expect(results.map((r) => r.stored)).toEqual([true, true, true, true, true, false]);
    expect(statements.filter((s) => s.includes('INSERT INTO "WeComCallback"'))).toHaveLength(1);
    const stored = await receipts(ws);
    expect(stored.map((r) => (r.payload as XmlFields).ExternalUserID)).toEqual(fields.map((f) => f.ExternalUserID));
    // A retry that comes later is recognised too.
    expect((await writer.record(ws.id, fields[0]!)).stored).toBe(false);
  });

  it('a receipt the database refuses fails alone: the others of its statement are stored', async () => {
    const ws = await app.workspace();
    const writer = createReceiptWriter(app.db);
    const good = [addFields(), addFields()];
    // PostgreSQL stores no NUL character in text or jsonb: the statement holding this receipt fails.
    const bad = addFields('wmBad\u0000Receipt');
    const settled = await Promise.allSettled([writer.record(ws.id, good[0]!), writer.record(ws.id, bad), writer.record(ws.id, good[1]!)]);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(settled.filter((s) => s.status === 'fulfilled').map((s) => s.value.stored)).toEqual([true, true]);
    expect((await receipts(ws)).map((r) => (r.payload as XmlFields).ExternalUserID).sort()).toEqual(good.map((f) => f.ExternalUserID).sort());
  });

  it('a repeated edit is stored again (pending under a new id, so a worker mid-read writes nothing); a repeated add stays a retry', async () => {
    const ws = await app.workspace();
    const writer = createReceiptWriter(app.db);
    const edit: XmlFields = { ...addFields('wmEdited'), ChangeType: 'edit_external_contact' };
    const add = addFields('wmAdded');
    expect((await Promise.all([writer.record(ws.id, edit), writer.record(ws.id, add)])).map((r) => r.stored)).toEqual([true, true]);
    const [first] = await app.db.prisma.weComCallback.findMany({ where: { workspaceId: ws.id, changeType: 'edit_external_contact' } });
    await app.db.prisma.weComCallback.updateMany({ where: { workspaceId: ws.id }, data: { status: 'processed', processedAt: new Date(), attempts: 1 } });

    expect((await writer.record(ws.id, edit)).stored).toBe(true);
    expect((await writer.record(ws.id, add)).stored).toBe(false);
    const rows = await app.db.prisma.weComCallback.findMany({ where: { workspaceId: ws.id }, orderBy: { changeType: 'asc' } });
    expect(rows.map((r) => r.changeType)).toEqual(['add_external_contact', 'edit_external_contact']);
    // The add is untouched; the edit is one row again, under a new id and received anew (pending
    // until a worker — of any test file sharing this database — takes it).
    expect(rows[0]).toMatchObject({ status: 'processed', attempts: 1 });
    const reopened = rows[1]!;
    expect(reopened.id).not.toBe(first!.id);
    expect(reopened.receivedAt.getTime()).toBeGreaterThan(first!.receivedAt.getTime());
    // A worker still holding the old id (it read WeCom before the repeat) can no longer claim it.
    const { count } = await app.db.prisma.weComCallback.updateMany({ where: { id: first!.id, status: 'pending' }, data: { status: 'processed' } });
    expect(count).toBe(0);
  });

  it('an event outside the handled subset is not written and needs no statement', async () => {
    const ws = await app.workspace();
    const writer = createReceiptWriter(app.db);
    expect(await writer.record(ws.id, { ...addFields(), Event: 'something_new' })).toEqual({ stored: false, event: undefined });
    await writer.flushed();
    expect(await receipts(ws)).toHaveLength(0);
  });
});

describe('the callback endpoint', () => {
  /** A connected workspace and a callback endpoint whose receipt INSERTs wait for `gate` (and fail while `failing`). */
  async function endpoint() {
    const ws = await app.workspace();
    const connected = await ws.gql(CONNECT, { input: { corpId: TEST_CORP.corpId, agentSecret: 'standin-secret', callbackToken: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, baseUrl: standIn.url } });
    expect(connected.data.connectWeCom.__typename).toBe('WeComConnection');
    const control = { gate: Promise.resolve(), failing: false };
    const db: Db = {
      ...app.db,
      async query(sql, params, options) {
        if (sql.includes('INSERT INTO "WeComCallback"')) {
          await control.gate;
          if (control.failing) throw new Error('the database is unavailable');
        }
        return app.db.query(sql, params, options);
      },
    };
    const handler = createWeComCallbackHandler({ db, pubsub: app.pubsub, runtime: app.runtime, log: () => undefined });
    const server: Server = createServer((req, res) => {
      if (!handler.handle(req, res)) res.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    const crypto = createCallbackCrypto({ token: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, receiveId: TEST_CORP.corpId });
    const push = async (fields: XmlFields) => {
      const { body, query } = crypto.encryptCallback(buildWeComXml(fields as XmlInput));
      const response = await fetch(`http://127.0.0.1:${port}/wecom/callback/${ws.id}?${new URLSearchParams({ ...query })}`, { method: 'POST', body });
      return { status: response.status, text: await response.text() };
    };
    const close = async () => {
      await handler.stop();
      await new Promise((resolve) => server.close(resolve));
    };
    return { ws, control, push, close };
  }

  it('answers 200 only after the receipt is committed', async () => {
    const { ws, control, push, close } = await endpoint();
    try {
      let release!: () => void;
      control.gate = new Promise((resolve) => (release = resolve));
      let answered = false;
      const fields = addFields();
      const pushed = push(fields).finally(() => (answered = true));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(answered).toBe(false);
      expect(await receipts(ws)).toHaveLength(0);
      release();
      expect(await pushed).toEqual({ status: 200, text: 'success' });
      expect((await receipts(ws)).map((r) => (r.payload as XmlFields).ExternalUserID)).toEqual([fields.ExternalUserID]);
    } finally {
      await close();
    }
  });

  it('a receipt that could not be stored is not acknowledged, so WeCom pushes it again', async () => {
    const { ws, control, push, close } = await endpoint();
    try {
      const fields = addFields();
      control.failing = true;
      expect((await push(fields)).status).toBe(500);
      expect(await receipts(ws)).toHaveLength(0);
      control.failing = false;
      expect(await push(fields)).toEqual({ status: 200, text: 'success' });
      expect(await receipts(ws)).toHaveLength(1);
    } finally {
      await close();
    }
  });
});
