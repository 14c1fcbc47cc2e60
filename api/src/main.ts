// `pnpm start`: migrate the database, seed the demo workspace the first time, serve the API.
import { createDb } from '@courtyard/db';
import { migrate } from '@courtyard/db/migrate';
import { seedDemo } from '@courtyard/db/seed';
import { runtimeOptionsFromEnv } from '@courtyard/runtime';
import { createApp } from './app.ts';
import { startEventLoopReport } from './event-loop-report.ts';
import { createAppPubSub } from './pubsub.ts';
import { queryCacheOptionsFromEnv } from './query-cache.ts';
import { startSegmentScheduler } from './segment-scheduler.ts';
import { startServer } from './server.ts';
import { shareWeComBudgets } from './wecom-budgets.ts';
import { startDemoWeCom } from './wecom-demo.ts';

// pnpm runs package scripts from the package folder; paths the user gave are relative to where they typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const started = Date.now();
const port = Number(process.env.PORT ?? 4000);
const db = await createDb();
const { applied } = await migrate(db);
if (applied.length) console.log(`Applied ${applied.length} migration(s): ${applied.join(', ')}`);

const demo = process.env.COURTYARD_SEED === 'false' ? null : await seedDemo(db, { demoApiKey: process.env.COURTYARD_DEMO_API_KEY || undefined });
const pubsub = createAppPubSub();
// WeCom's call budgets counted with every other node through Redis (REDIS_URL), else in this process.
const wecomBudgets = shareWeComBudgets();
// Partners call back here; behind a proxy or on another host, set COURTYARD_PUBLIC_URL.
const runtimeOptions = { graphqlUrl: `http://localhost:${port}/graphql`, ...runtimeOptionsFromEnv() };
const app = createApp({ db, pubsub: pubsub.pubsub, runtime: runtimeOptions, queryCache: queryCacheOptionsFromEnv() });
// WeCom callbacks: customers processed side by side and callbacks claimed a pass (defaults 16 and 200).
const wecomTuning = { concurrency: Number(process.env.COURTYARD_WECOM_CALLBACK_CONCURRENCY) || undefined, batch: Number(process.env.COURTYARD_WECOM_CALLBACK_BATCH) || undefined };
const server = await startServer(app, { port, admin: true, wecom: Object.fromEntries(Object.entries(wecomTuning).filter(([, v]) => v !== undefined)) });
const stopScheduler = startSegmentScheduler(db, pubsub.pubsub);
// No WeCom corp configured for the demo workspace: run it against a stand-in (COURTYARD_WECOM_STANDIN=false turns this off).
const wecomStandIn = demo && process.env.COURTYARD_WECOM_STANDIN !== 'false' ? await startDemoWeCom(db, demo.workspaceId, server.port) : null;
// COURTYARD_WORKERS=0 makes a node that only serves the API; journeys then run on other nodes.
const workers = process.env.COURTYARD_WORKERS !== '0';
if (workers) await app.runtime.start();
// COURTYARD_EVENT_LOOP_REPORT_MS=N prints how busy this process's JavaScript thread was every N ms.
const loopReportMs = Number(process.env.COURTYARD_EVENT_LOOP_REPORT_MS);
const stopLoopReport = loopReportMs > 0 ? startEventLoopReport(loopReportMs) : null;

console.log(`\nCourtyard is running on ${db.kind === 'pglite' ? 'embedded PGlite' : 'PostgreSQL'} (ready in ${((Date.now() - started) / 1000).toFixed(1)} s)`);
console.log(`  Admin:                    http://localhost:${server.port}/`);
console.log(`  GraphQL API and GraphiQL: ${server.url}`);
console.log(`  Subscriptions:            ws://localhost:${server.port}/graphql (graphql-ws) or SSE on the same URL`);
if (wecomStandIn) console.log(`  WeCom stand-in:           ${wecomStandIn.url} (demo workspace connected; simulate a scan: POST ${wecomStandIn.url}/__standin/simulateScan {"config_id":"…"})`);
console.log(`  Journey workers:          ${workers ? 'running' : 'off on this node (COURTYARD_WORKERS=0)'}`);
if (demo) {
  console.log(`  Admin login:              ${demo.login.email} / ${demo.login.password}`);
  if (demo.apiKey) console.log(`  Demo API key:             ${demo.apiKey}   (Authorization: Bearer <key>)`);
  else console.log('  Demo API key:             shown when it was created; set COURTYARD_DEMO_API_KEY to choose one, or call createApiKey');
}

let stopping = false;
async function stop(signal: string) {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: shutting down`);
  stopScheduler();
  stopLoopReport?.();
  await wecomStandIn?.close();
  await server.close();
  app.close();
  await app.runtime.stop();
  await pubsub.close();
  wecomBudgets.close();
  await db.close();
  process.exit(0);
}
process.on('SIGINT', () => void stop('SIGINT'));
process.on('SIGTERM', () => void stop('SIGTERM'));
