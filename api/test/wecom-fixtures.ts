// The harness of the WeCom API tests: a test app served on a free port, and workspaces connected to
// a WeCom stand-in of their own (a real HTTP server pushing callbacks to that app).
import { startWeComStandIn, type WeComStandIn, type WeComStandInOptions } from '@courtyard/wecom/standin';
import { TEST_CORP } from '@courtyard/wecom/standin/testing';
import { afterAll, beforeAll, expect } from 'vitest';
import { startServer, type RunningServer } from '../src/server.ts';
import type { WeComCallbackOptions } from '../src/wecom-callback.ts';
import { createTestApp, type TestApp, type TestWorkspace } from '../src/testing.ts';

process.env.COURTYARD_SECRET_KEY ??= 'courtyard-test-secret-key';

export interface WeComHarness {
  readonly app: TestApp;
  readonly server: RunningServer;
  /** A new workspace connected to a new stand-in (with `options`, e.g. its clock) that knows the given staff members. */
  connected(staff?: string[], options?: Partial<WeComStandInOptions>): Promise<{ ws: TestWorkspace; s: WeComStandIn }>;
}

/** Starts the app and server (its callback worker with `callbacks`) before the file's tests and closes them, with every stand-in, after. */
export function useWeComHarness(callbacks: WeComCallbackOptions = {}): WeComHarness {
  let app: TestApp;
  let server: RunningServer;
  const standIns: WeComStandIn[] = [];
  beforeAll(async () => {
    app = await createTestApp({ runtime: { wecom: { client: { rateLimitBlockMs: 300, busyBackoffMs: 10 }, pollMs: 60_000 } } });
    server = await startServer(app, { port: 0, host: '127.0.0.1', wecom: callbacks });
  });
  afterAll(async () => {
    await Promise.all(standIns.splice(0).map((s) => s.close()));
    await server?.close();
    await app?.close();
  });
  return {
    get app() {
      return app;
    },
    get server() {
      return server;
    },
    async connected(staff = ['zhangsan'], options = {}) {
      const ws = await app.workspace();
      const s = await startWeComStandIn({ ...TEST_CORP, ...options, callbackUrl: `http://127.0.0.1:${server.port}/wecom/callback/${ws.id}` });
      standIns.push(s);
      const r = await ws.gql(`mutation ($input: ConnectWeComInput!) { connectWeCom(input: $input) { __typename } }`, {
        input: { corpId: TEST_CORP.corpId, agentSecret: 'standin-secret', callbackToken: TEST_CORP.token, encodingAesKey: TEST_CORP.encodingAesKey, baseUrl: s.url },
      });
      expect(r.data.connectWeCom.__typename).toBe('WeComConnection');
      for (const userid of staff) s.addStaff({ userid });
      return { ws, s };
    },
  };
}
