// A worker node: runs journeys (steps, waits, outbox, schedules) without serving the API.
// `pnpm --filter @courtyard/runtime worker` with DATABASE_URL set; any number can run at once.
import { createDb } from '@courtyard/db';
import { JourneyRuntime } from './runtime.ts';

if (!process.env.DATABASE_URL) {
  // The embedded database belongs to one process (the API's); separate workers need PostgreSQL.
  console.error('A worker node needs DATABASE_URL (PostgreSQL). With the embedded database, `pnpm start` runs the workers itself.');
  process.exit(2);
}
const db = await createDb();
const scoped = process.env.COURTYARD_WORKSPACES?.split(',').filter(Boolean);
const runtime = new JourneyRuntime({
  db,
  leaseMs: Number(process.env.COURTYARD_LEASE_MS ?? 60_000),
  concurrency: Number(process.env.COURTYARD_WORKER_CONCURRENCY ?? 2),
  claimLimit: Number(process.env.COURTYARD_CLAIM_LIMIT ?? 1000),
  pollMs: Number(process.env.COURTYARD_POLL_MS ?? 200),
  ...(scoped?.length ? { workspaces: new Set(scoped) } : {}),
  log: (message) => console.warn(message),
});
await runtime.start();
console.log('journey worker running');

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await runtime.stop();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
