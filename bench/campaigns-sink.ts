// The receiving end of `pnpm bench campaigns`: a webhook receiver in its own process, so its JSON
// parsing does not share the dispatching process's event loop. It accepts single messages and
// batches (`{ type: 'messages', messages: [...] }`, the webhook channel's batch mode), answers 200
// once it has read and parsed the body, and records every message's idempotency key.
//
// POST /…        a message or a batch
// GET /stats     { requests, messages, unique, duplicates, badKeys, digest }
// POST /reset    forget everything (between the dispatch and the baseline)
// Set SINK_KEY_PREFIX via POST /reset?prefix=… to check that each key is `<prefix><customer id>`.
//
// digest: the sum of the first 60 bits of sha256(key) over the distinct keys, as a decimal string;
// the benchmark computes the same over the database's keys in SQL, so the two sets are compared
// without shipping a million keys.
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';

interface Message {
  idempotencyKey?: string;
  customer?: { id?: string };
}

let requests = 0;
let messages = 0;
let duplicates = 0;
let badKeys = 0;
let keys = new Set<string>();
let digest = 0n;
let prefix: string | null = null;

function record(m: Message) {
  messages++;
  const key = String(m.idempotencyKey);
  if (prefix !== null && key !== `${prefix}${m.customer?.id}`) badKeys++;
  if (keys.has(key)) {
    duplicates++;
    return;
  }
  keys.add(key);
  digest += BigInt(`0x${createHash('sha256').update(key).digest('hex').slice(0, 15)}`);
}

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://sink');
  if (req.method === 'GET' && url.pathname === '/stats') {
    res.writeHead(200, { 'content-type': 'application/json' }).end(
      JSON.stringify({ requests, messages, unique: keys.size, duplicates, badKeys, digest: digest.toString() }),
    );
    return;
  }
  if (req.method === 'POST' && url.pathname === '/reset') {
    requests = messages = duplicates = badKeys = 0;
    keys = new Set();
    digest = 0n;
    prefix = url.searchParams.get('prefix');
    req.resume();
    res.writeHead(200).end('reset');
    return;
  }
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    requests++;
    try {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { type: string; messages?: Message[] } & Message;
      if (body.type === 'messages') for (const m of body.messages ?? []) record(m);
      else record(body);
      res.writeHead(200).end('ok');
    } catch (error) {
      res.writeHead(400).end(String(error));
    }
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  console.log(`sink listening ${typeof address === 'object' && address ? address.port : 0}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
process.on('SIGINT', () => server.close(() => process.exit(0)));
