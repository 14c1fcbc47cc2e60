// WeCom's event pushes: GET /wecom/callback/<workspaceId> verifies the URL (echostr), POST delivers
// an encrypted event. A POST is checked (signature, timestamp window, receiveid = the corp id),
// decrypted and stored as a receipt, answered 200 "success" once the receipt is committed, and
// processed by a worker from that receipt (schema/src/wecom-callbacks.ts), so WeCom never waits on
// the work. Receipts that arrive together are written together (group commit: one multi-row INSERT,
// one transaction), each callback answered only after the statement holding it committed.
//
// Refusals: a callback that fails the checks was not sent by WeCom, so its status matters only to
// whoever forged it: 401 for a bad signature, a stale timestamp or another corp's message, 400 for
// a body that is not the documented XML, 404 for a workspace without a WeCom connection. Nothing
// is recorded for any of them. An authentic event outside the handled subset is answered 200 (or
// WeCom would retry it three times) and not recorded.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isUuid } from '@courtyard/db';
import { callbackConnection, createReceiptWriter, processDueWeComCallbacks, arriveEarly, readDueProfiles, WECOM_CALLBACK_PATH_PREFIX, type WeComProcessDeps } from '@courtyard/schema';
import { CallbackCryptoError } from '@courtyard/wecom';

export interface WeComCallbackOptions {
  /** How often the worker looks for callbacks whose earlier attempt failed; default 1000 ms. */
  pollMs?: number;
  /** Largest body accepted; default 64 KiB (an event is well under 2 KiB). */
  maxBodyBytes?: number;
  /** Customers whose callbacks are processed side by side; default 16. */
  concurrency?: number;
  /** Callbacks a pass claims (new contacts among them are written set-based); default 200. */
  batch?: number;
  /** Most receipts one INSERT writes; default 500. */
  receiptBatch?: number;
  /** How long a pass waits for new contacts' profiles before writing them without; default 2000 ms. */
  profileWaitMs?: number;
}

export interface WeComCallbackHandler {
  /** True when the request was for a callback path (and has been answered). */
  handle(req: IncomingMessage, res: ServerResponse): boolean;
  /** Processes every due callback now, then the due profile reads; resolves with how many callbacks. */
  drain(): Promise<number>;
  start(): void;
  stop(): Promise<void>;
}

const STATUS_OF: Record<CallbackCryptoError['kind'], number> = {
  bad_signature: 401,
  stale_timestamp: 401,
  wrong_receive_id: 401,
  malformed_xml: 400,
  bad_padding: 400,
  malformed_payload: 400,
  bad_config: 500,
};

function answer(res: ServerResponse, status: number, body: string) {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The body as text, or null past `max` bytes (events rather than an async iterator: cheaper per request). */
function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= max) return void chunks.push(chunk);
      req.off('data', onData);
      req.resume();
      resolve(null);
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.once('error', reject);
  });
}

export function createWeComCallbackHandler(given: WeComProcessDeps, options: WeComCallbackOptions = {}): WeComCallbackHandler {
  const deps: WeComProcessDeps = {
    // This node's name on the receipts it writes: its worker takes those first (see WeComProcessDeps.node).
    node: randomUUID(),
    ...given,
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    ...(options.profileWaitMs !== undefined ? { profileWaitMs: options.profileWaitMs } : {}),
  };
  const log = deps.log ?? ((m: string) => console.warn(m));
  let running: Promise<number> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;
  const receipts = createReceiptWriter(deps.db, { maxBatch: options.receiptBatch, node: deps.node });

  // Profile reads run at most once a poll interval (a burst's nudges would otherwise each add a query), or when drained.
  let profilesAt = 0;
  // One pass at a time per process; a nudge during a pass makes another pass follow it.
  function drain(): Promise<number> {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let total = 0;
      do {
        again = false;
        for (let n; (n = await processDueWeComCallbacks(deps, options.batch)) > 0; ) total += n;
        // Profiles new contacts were written without (wecom-profile-reads.ts), after the callbacks: a pass's worth.
        if (Date.now() - profilesAt >= (options.pollMs ?? 1000)) {
          profilesAt = Date.now();
          await readDueProfiles(deps);
        }
      } while (again);
      return total;
    })().finally(() => {
      running = null;
    });
    return running;
  }
  const nudge = () => void drain().catch((error: Error) => log(`WeCom callback worker: ${error.message}`));

  async function serve(req: IncomingMessage, res: ServerResponse, workspaceId: string, url: URL) {
    const conn = isUuid(workspaceId) ? await callbackConnection(deps.db, workspaceId) : null;
    if (!conn) return answer(res, 404, 'no WeCom connection for this workspace');
    const signed = { msg_signature: url.searchParams.get('msg_signature') ?? '', timestamp: url.searchParams.get('timestamp') ?? '', nonce: url.searchParams.get('nonce') ?? '' };
    try {
      if (req.method === 'GET') {
        // WeCom wants the bare plaintext within 1 s: no quotes, BOM or newline.
        return answer(res, 200, conn.crypto.verifyUrl({ ...signed, echostr: url.searchParams.get('echostr') ?? '' }));
      }
      const body = await readBody(req, options.maxBodyBytes ?? 65_536);
      if (body === null) return answer(res, 413, 'body too large');
      const { fields } = conn.crypto.decryptCallback(signed, body);
      const { stored, event } = await receipts.record(workspaceId, fields);
      answer(res, 200, 'success');
      // A welcome code lives 20 s: its message goes out now, with the profile read, ahead of the rest of the work.
      if (stored && event) arriveEarly(deps, workspaceId, event);
      nudge();
    } catch (error) {
      if (error instanceof CallbackCryptoError) return answer(res, STATUS_OF[error.kind], error.kind);
      throw error;
    }
  }

  return {
    handle(req, res) {
      const url = new URL(req.url ?? '/', 'http://courtyard');
      if (!url.pathname.startsWith(WECOM_CALLBACK_PATH_PREFIX)) return false;
      if (req.method !== 'GET' && req.method !== 'POST') {
        answer(res, 405, 'GET or POST');
        return true;
      }
      const workspaceId = url.pathname.slice(WECOM_CALLBACK_PATH_PREFIX.length);
      serve(req, res, workspaceId, url).catch((error: Error) => {
        // Not acknowledged: WeCom retries, and the receipt's key keeps a retry from counting twice.
        log(`WeCom callback for ${workspaceId} failed: ${error.message}`);
        if (!res.headersSent) answer(res, 500, 'error');
      });
      return true;
    },
    drain() {
      profilesAt = 0;
      return drain();
    },
    start() {
      if (timer) return;
      timer = setInterval(nudge, options.pollMs ?? 1000);
      timer.unref();
      nudge();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
      await receipts.flushed();
      await running?.catch(() => undefined);
    },
  };
}
