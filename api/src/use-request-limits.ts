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

/** Returns false (and answers 413) when the body is or becomes too large. */
export function enforceBodyLimit(req: IncomingMessage, res: ServerResponse, options: RequestLimitOptions = {}): boolean {
  const upload = (req.headers['content-type'] ?? '').startsWith('multipart/form-data');
  const maxBodyBytes = upload ? (options.maxUploadBytes ?? defaultMaxUploadBytes()) : (options.maxBodyBytes ?? defaultMaxBodyBytes());
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > maxBodyBytes) {
    reject(res, maxBodyBytes);
    req.resume();
    return false;
  }
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
