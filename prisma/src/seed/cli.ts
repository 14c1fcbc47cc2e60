// `pnpm db:seed [--customers N] [--workspace <uuid>] [--seed S]`: migrates, seeds the demo
// workspace if it is missing, then adds N generated customers (with ~10 events and ~2 orders each)
// to the given workspace or the demo one, printing progress and throughput.
import { parseArgs } from 'node:util';
import { createDb } from '../client.ts';
import { migrate } from '../migrate/index.ts';
import { seedDemo } from './demo.ts';
import { generateCustomers, type GenerateProgress } from './generate.ts';

// pnpm runs package scripts from the package folder; paths the user gave (COURTYARD_DATA_DIR,
// the default ./.courtyard/data) are relative to where they typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const USAGE = `Usage: pnpm db:seed [options]
  --customers N            customers to generate (default 0: only make sure the demo workspace exists)
  --workspace <uuid>       workspace to add them to (default: the demo workspace)
  --seed S                 PRNG seed (default: random; the same seed gives the same data)
  --events-per-customer E  mean events per customer (default 10)
  --orders-per-customer O  mean orders per customer (default 2)
  --concurrency C          chunks loaded at once on PostgreSQL (default 2)
  --chunk-size K           customers per chunk / transaction (default 5000; PGlite 2000)
Database: DATABASE_URL (PostgreSQL), else embedded PGlite in COURTYARD_DATA_DIR (default ./.courtyard/data).`;

function fail(message: string): never {
  console.error(`${message}\n\n${USAGE}`);
  process.exit(2);
}

function wholeNumber(name: string, value: string | undefined, fallback: number | undefined): number | undefined {
  if (value === undefined) return fallback;
  const n = Number(value.replaceAll('_', '').replaceAll(',', ''));
  if (!Number.isFinite(n) || n < 0) fail(`--${name} must be a number ≥ 0, got "${value}"`);
  return n;
}

function parseCli() {
  try {
    return parseArgs({
      options: {
        customers: { type: 'string' },
        workspace: { type: 'string' },
        seed: { type: 'string' },
        'events-per-customer': { type: 'string' },
        'orders-per-customer': { type: 'string' },
        concurrency: { type: 'string' },
        'chunk-size': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }).values;
  } catch (error) {
    return fail((error as Error).message);
  }
}

const args = parseCli();
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
const customers = Math.floor(wholeNumber('customers', args.customers, 0)!);
const seed = wholeNumber('seed', args.seed, undefined) ?? Math.floor(Math.random() * 2 ** 31);
if (args.workspace && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(args.workspace)) {
  fail(`--workspace must be a workspace id (uuid), got "${args.workspace}"`);
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const started = performance.now();
  const db = await createDb();
  try {
    console.log(`Database: ${db.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'}`);
    const { applied } = await migrate(db);
    if (applied.length) console.log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);
    const demoStarted = performance.now();
    const demo = await seedDemo(db, { demoApiKey: process.env.COURTYARD_DEMO_API_KEY || undefined });
    if (demo.created) {
      console.log(`Created the demo workspace ${demo.workspaceId} in ${seconds(performance.now() - demoStarted)}`);
      if (demo.apiKey) console.log(`  Demo API key: ${demo.apiKey}`);
    } else {
      console.log(`Demo workspace: ${demo.workspaceId}`);
    }
    console.log(`  Admin login: ${demo.login.email} / ${demo.login.password}`);

    if (customers > 0) {
      const workspaceId = args.workspace ?? demo.workspaceId;
      console.log(`Generating ${customers.toLocaleString('en')} customers into ${workspaceId} (seed ${seed}) …`);
      let lastPrint = 0;
      const rows = (p: Omit<GenerateProgress, 'target' | 'elapsedMs'>) => p.customers + p.orders + p.orderItems + p.events + p.customerTags;
      const result = await generateCustomers(db, {
        workspaceId,
        customers,
        seed,
        eventsPerCustomer: wholeNumber('events-per-customer', args['events-per-customer'], undefined),
        ordersPerCustomer: wholeNumber('orders-per-customer', args['orders-per-customer'], undefined),
        concurrency: wholeNumber('concurrency', args.concurrency, undefined),
        chunkSize: wholeNumber('chunk-size', args['chunk-size'], undefined),
        onProgress(p) {
          if (p.elapsedMs - lastPrint < 2_000 && p.customers < p.target) return;
          lastPrint = p.elapsedMs;
          const pct = ((p.customers / p.target) * 100).toFixed(1).padStart(5);
          console.log(
            `  ${pct}%  ${p.customers.toLocaleString('en')} customers, ${rows(p).toLocaleString('en')} rows, ` +
              `${Math.round(rows(p) / (p.elapsedMs / 1000)).toLocaleString('en')} rows/s, ${seconds(p.elapsedMs)}`,
          );
        },
      });
      const total = rows(result);
      console.log(
        `Generated ${result.customers.toLocaleString('en')} customers, ${result.orders.toLocaleString('en')} orders, ` +
          `${result.orderItems.toLocaleString('en')} order items, ${result.events.toLocaleString('en')} events, ` +
          `${result.customerTags.toLocaleString('en')} customer tags: ${total.toLocaleString('en')} rows in ${seconds(result.elapsedMs)} ` +
          `(${Math.round(total / (result.elapsedMs / 1000)).toLocaleString('en')} rows/s, ` +
          `${Math.round(result.customers / (result.elapsedMs / 1000)).toLocaleString('en')} customers/s)`,
      );
    }
    console.log(`Done in ${seconds(performance.now() - started)}`);
  } finally {
    await db.close();
  }
}

// Exit explicitly: a timer the schema engine leaves behind would otherwise hold the process ~10 s.
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
