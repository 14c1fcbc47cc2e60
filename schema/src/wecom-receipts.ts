// WeCom callback receipts: each acknowledged callback stored once (the worker's outbox, see
// wecom-callbacks.ts), by group commit, before WeCom is answered 200.
import { createUuidV7, type Db } from '@courtyard/db';
import { callbackDedupeKey, parseCallbackEvent, type WeComCallbackEvent, type XmlFields } from '@courtyard/wecom';

export interface CallbackReceipt {
  /** False when the de-duplication key was already stored (a retry; see insertReceipts for edits), or the event is outside the handled subset. */
  stored: boolean;
  event: WeComCallbackEvent | undefined;
}

/**
 * Stores an acknowledged callback once. Returns stored: false when its de-duplication key was
 * already stored (a retry), or when the event is outside the subset Courtyard handles.
 */
export async function recordWeComCallback(db: Db, workspaceId: string, fields: XmlFields): Promise<CallbackReceipt> {
  const event = parseCallbackEvent(fields);
  if (!event) return { stored: false, event };
  const [stored] = await insertReceipts(db, [{ id: receiptId(), workspaceId, dedupeKey: callbackDedupeKey(event), event, payload: fields }]);
  return { stored: stored!, event };
}

interface ReceiptRow {
  id: string;
  workspaceId: string;
  dedupeKey: string;
  event: WeComCallbackEvent;
  /** The decrypted fields. */
  payload: XmlFields;
  /** The node that acknowledged it. */
  receivedBy?: string | undefined;
}

/**
 * Receipts in one statement (one transaction, one WAL flush); for each row, whether it was stored
 * (false: a retry of a receipt stored before). Rows are written in the order given, and their ids, which
 * are time-ordered, keep that order for the worker when they share a `receivedAt`.
 *
 * WeCom's callbacks carry no message id: a retry and a second change of the same kind to the same
 * contact (or tag) in the same second look alike. For changes whose processing re-reads the
 * current state from WeCom — a contact edited, a corp tag or group created or edited — a repeat is
 * stored again (true) instead of dropped: the receipt takes the new id and is pending again, so a
 * worker that read WeCom before the repeat arrived finds its claim gone and writes nothing, and the
 * next pass reads the state after it. A retry costs one read; a second edit in the same second is
 * not lost; the event keeps its idempotency key, so it is not recorded twice. Anything else (an
 * add, a delete, members joining or leaving) is dropped as a retry.
 */
async function insertReceipts(db: Db, rows: ReceiptRow[]): Promise<boolean[]> {
  const stored = await db.query<{ id: string }>(
    `INSERT INTO "WeComCallback" (id, "workspaceId", "dedupeKey", "event", "changeType", "payload", "receivedBy")
     SELECT r.id, r."workspaceId", r."dedupeKey", r.event, r."changeType", r.payload, r."receivedBy"
       FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, "workspaceId" uuid, "dedupeKey" text, event text, "changeType" text, payload jsonb, "receivedBy" text)
     ON CONFLICT ("workspaceId", "dedupeKey") DO UPDATE
       SET id = EXCLUDED.id, status = 'pending', attempts = 0, "nextAttemptAt" = now(), "receivedAt" = now(), "processedAt" = NULL, "lastError" = NULL,
           "receivedBy" = EXCLUDED."receivedBy"
       WHERE (EXCLUDED."changeType" = 'edit_external_contact'
              OR (EXCLUDED."event" = 'change_external_tag' AND EXCLUDED."changeType" IN ('create', 'update')))
     RETURNING id`,
    // One JSON document: cheaper to write and to read than six arrays of escaped text.
    [JSON.stringify(rows.map((r) => ({ id: r.id, workspaceId: r.workspaceId, dedupeKey: r.dedupeKey, event: r.event.Event, changeType: r.event.ChangeType, payload: r.payload, receivedBy: r.receivedBy ?? null })))],
  );
  const ids = new Set(stored.map((r) => r.id));
  return rows.map((r) => ids.has(r.id));
}

/** Time-ordered ids, strictly increasing within the process: receipts of one batch keep their order of arrival. */
const receiptId = createUuidV7();

export interface ReceiptWriter {
  /**
   * Stores one callback's receipt, grouped with the others that arrive while a write is under way;
   * resolves once the statement that holds it has committed (rejects when it could not be stored).
   */
  record(workspaceId: string, fields: XmlFields): Promise<CallbackReceipt>;
  /** Resolves when every receipt handed in so far is written (or has failed). */
  flushed(): Promise<void>;
}

interface PendingReceipt extends ReceiptRow {
  resolve: (receipt: CallbackReceipt) => void;
  reject: (error: unknown) => void;
}

/**
 * Group commit of callback receipts: the first callback is written at once (on the next turn of
 * the event loop, with whatever arrived in the same turn), and those that arrive while that write
 * is under way go together in the next multi-row INSERT, up to `maxBatch` a statement. Each
 * callback is answered only after its own statement committed. When a statement fails, its
 * receipts are written one by one, so one bad receipt fails alone.
 */
export function createReceiptWriter(db: Db, options: { maxBatch?: number | undefined; node?: string | undefined } = {}): ReceiptWriter {
  const maxBatch = options.maxBatch ?? 500;
  let queue: PendingReceipt[] = [];
  let writing: Promise<void> | null = null;
  let scheduled = false;

  async function write(batch: PendingReceipt[]) {
    // One statement per key: a retry that arrives while its first push waits is answered as a retry.
    const first = new Map<string, PendingReceipt>();
    const again: PendingReceipt[] = [];
    for (const p of batch) {
      const key = `${p.workspaceId}|${p.dedupeKey}`;
      if (first.has(key)) again.push(p);
      else first.set(key, p);
    }
    const rows = [...first.values()];
    try {
      const stored = await insertReceipts(db, rows);
      rows.forEach((p, i) => p.resolve({ stored: stored[i]!, event: p.event }));
      for (const p of again) p.resolve({ stored: false, event: p.event });
    } catch {
      await Promise.all(
        batch.map(async (p) => {
          try {
            const [stored] = await insertReceipts(db, [p]);
            p.resolve({ stored: stored!, event: p.event });
          } catch (error) {
            p.reject(error);
          }
        }),
      );
    }
  }

  function pump() {
    scheduled = false;
    if (writing || !queue.length) return;
    const batch = queue.slice(0, maxBatch);
    queue = queue.slice(batch.length);
    writing = write(batch).finally(() => {
      writing = null;
      pump();
    });
  }

  return {
    record(workspaceId, fields) {
      const event = parseCallbackEvent(fields);
      if (!event) return Promise.resolve({ stored: false, event });
      return new Promise<CallbackReceipt>((resolve, reject) => {
        queue.push({ id: receiptId(), workspaceId, dedupeKey: callbackDedupeKey(event), event, payload: fields, receivedBy: options.node, resolve, reject });
        if (!writing && !scheduled) {
          scheduled = true;
          setImmediate(pump);
        }
      });
    },
    async flushed() {
      while (writing || queue.length || scheduled) await (writing ?? new Promise((resolve) => setImmediate(resolve)));
    },
  };
}
