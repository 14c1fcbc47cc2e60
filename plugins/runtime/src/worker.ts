// A worker node: runs journeys (steps, waits, outbox, schedules) without serving the API.
// `pnpm --filter @courtyard/runtime worker` with DATABASE_URL set; any number can run at once.
import { createDb } from '@courtyard/db';
import { JourneyRuntime, runtimeOptionsFromEnv } from './runtime.ts';

if (!process.env.DATABASE_URL) {
  // The embedded database belongs to one process (the API's); separate workers need PostgreSQL.
  console.error('A worker node needs DATABASE_URL (PostgreSQL). With the embedded database, `pnpm start` runs the workers itself.');
  process.exit(2);
}
const db = await createDb();
const runtime = new JourneyRuntime({ db, ...runtimeOptionsFromEnv(), log: (message) => console.warn(message) });
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
