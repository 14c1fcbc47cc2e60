// Request body limit, enforced before yoga reads the body. GraphQL-level limits (depth, aliases,
// tokens, cost, directives) are the GraphQL Armor plugins wired in app.ts.
import type { IncomingMessage, ServerResponse } from 'node:http';

export interface RequestLimitOptions {
  /** Largest request body accepted, in bytes. Default: COURTYARD_MAX_BODY_BYTES, else 8 MiB (a full batch of 5,000 events fits). */
  maxBodyBytes?: number;
  /** Largest multipart (file upload) body, in bytes. Default: COURTYARD_MAX_UPLOAD_BYTES, else 64 MiB (a 1,000,000-row CSV fits). */
  maxUploadBytes?: number;
}

export function defaultMaxUploadBytes(): number {
  return Number(process.env.COURTYARD_MAX_UPLOAD_BYTES ?? 64 * 1024 * 1024);
}

export function defaultMaxBodyBytes(): number {
  return Number(process.env.COURTYARD_MAX_BODY_BYTES ?? 8 * 1024 * 1024);
}

function reject(res: ServerResponse, maxBodyBytes: number) {
  if (res.headersSent) return;
  const body = JSON.stringify({
    errors: [
      {
        message: `The request body is larger than ${maxBodyBytes} bytes. Send smaller batches.`,
        extensions: { code: 'REQUEST_TOO_LARGE', maxBodyBytes },
      },
    ],
  });
  res.writeHead(413, { 'content-type': 'application/graphql-response+json; charset=utf-8', connection: 'close' });
  res.end(body);
}

function maxBodyBytesOf(req: IncomingMessage, options: RequestLimitOptions): number {
  const upload = (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
  return upload ? (options.maxUploadBytes ?? defaultMaxUploadBytes()) : (options.maxBodyBytes ?? defaultMaxBodyBytes());
}

/** Returns false (and answers 413) when the declared length is too large: checked before a request waits for anything. */
export function rejectDeclaredTooLarge(req: IncomingMessage, res: ServerResponse, options: RequestLimitOptions = {}): boolean {
  const maxBodyBytes = maxBodyBytesOf(req, options);
  if (Number(req.headers['content-length'] ?? NaN) > maxBodyBytes) {
    reject(res, maxBodyBytes);
    req.resume();
    return false;
  }
  return true;
}

/** Returns false (and answers 413) when the body is or becomes too large. Call it when the body is about to be read. */
export function enforceBodyLimit(req: IncomingMessage, res: ServerResponse, options: RequestLimitOptions = {}): boolean {
  if (!rejectDeclaredTooLarge(req, res, options)) return false;
  const maxBodyBytes = maxBodyBytesOf(req, options);
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (Number.isNaN(declared) && req.method !== 'GET') {
    // Chunked upload: count as it streams and cut it off once it passes the limit.
    let received = 0;
    req.on('data', (chunk: Buffer) => {
      received += chunk.length;
      if (received > maxBodyBytes) {
        reject(res, maxBodyBytes);
        req.destroy();
      }
    });
  }
  return true;
}

export interface LargeRequestGateOptions {
  /** A body at least this large (or of unknown length) waits for a slot. Default: COURTYARD_LARGE_BODY_BYTES, else 256 KiB. */
  largeBodyBytes?: number;
  /** Large requests read and executed at once by this process. Default: COURTYARD_LARGE_REQUEST_CONCURRENCY, else 4. */
  largeRequestConcurrency?: number;
  /** Longest a large request waits for its slot before 503. Default: COURTYARD_LARGE_REQUEST_QUEUE_MS, else 30,000. */
  largeRequestQueueMs?: number;
}

export interface LargeRequestGate {
  /** Runs `handle` now or once a slot is free; the slot is held until the response is closed. */
  admit(req: IncomingMessage, res: ServerResponse, handle: () => void): void;
  readonly running: number;
  readonly waiting: number;
}

function envNumber(name: string, fallback: number): number {
  const value = Number(process.env[name]);
  return Number.isFinite(value) && value > 0 ? value : fallback;
}

/**
 * Large request bodies (a batch of 5,000 events is ~1 MB of JSON, several times that once parsed and
 * coerced) are read and executed a few at a time per process; the others wait unread, so TCP holds
 * their senders back. Memory then depends on this limit instead of on how many clients send at once:
 * without it, 16 batches in flight took the API past 480 MB, and past its heap limit at 200 MB.
 */
export function createLargeRequestGate(options: LargeRequestGateOptions = {}): LargeRequestGate {
  const largeBodyBytes = options.largeBodyBytes ?? envNumber('COURTYARD_LARGE_BODY_BYTES', 256 * 1024);
  const concurrency = options.largeRequestConcurrency ?? envNumber('COURTYARD_LARGE_REQUEST_CONCURRENCY', 4);
  const queueMs = options.largeRequestQueueMs ?? envNumber('COURTYARD_LARGE_REQUEST_QUEUE_MS', 30_000);
  let running = 0;
  const queue: Array<{ start: () => void; timer: NodeJS.Timeout }> = [];

  const next = () => {
    while (running < concurrency && queue.length) {
      const waiter = queue.shift()!;
      clearTimeout(waiter.timer);
      waiter.start();
    }
  };
  const isLarge = (req: IncomingMessage) => {
    if (req.method === 'GET' || req.method === 'HEAD' || req.method === 'OPTIONS') return false;
    const declared = Number(req.headers['content-length'] ?? NaN);
    return Number.isNaN(declared) ? req.headers['transfer-encoding'] !== undefined : declared >= largeBodyBytes;
  };

  return {
    get running() {
      return running;
    },
    get waiting() {
      return queue.length;
    },
    admit(req, res, handle) {
      if (!isLarge(req)) return handle();
      let started = false;
      const start = () => {
        started = true;
        running++;
        res.once('close', () => {
          running--;
          next();
        });
        handle();
      };
      if (running < concurrency) return start();
      const waiter = {
        start,
        timer: setTimeout(() => {
          queue.splice(queue.indexOf(waiter), 1);
          if (res.headersSent) return;
          res.writeHead(503, { 'content-type': 'application/graphql-response+json; charset=utf-8', 'retry-after': '5', connection: 'close' });
          res.end(
            JSON.stringify({
              errors: [
                {
                  message: `The server is busy with ${running} large requests and more are waiting; retry in a few seconds.`,
                  extensions: { code: 'SERVER_BUSY', retryAfterSeconds: 5 },
                },
              ],
            }),
          );
          req.resume();
        }, queueMs),
      };
      queue.push(waiter);
      // A sender that gives up while waiting leaves the queue.
      res.once('close', () => {
        if (started) return;
        const at = queue.indexOf(waiter);
        if (at >= 0) {
          clearTimeout(waiter.timer);
          queue.splice(at, 1);
        }
      });
    },
  };
}
