// Runs the coupon plugin as its own HTTP server: the process a partner deploys.
//
//   PORT                        port to listen on (default 4100; 0 picks a free one)
//   HOST                        address to listen on (default 127.0.0.1)
//   PUBLIC_URL                  where Courtyard reaches this server (default http://HOST:PORT), for the manifest
//   COURTYARD_CALLBACK_SECRET   the plugin's secret from publishing: verifies installation callbacks
//   COURTYARD_SECRET            optional: one secret for every installation's batches (development)
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPluginServer } from '@courtyard/plugin-sdk';
import { couponManifest, couponNodes } from './plugin.ts';
import { CouponStore } from './store.ts';

const callbackSecret = process.env.COURTYARD_CALLBACK_SECRET;
const devSecret = process.env.COURTYARD_SECRET;
if (!callbackSecret && !devSecret) {
  console.error('Set COURTYARD_CALLBACK_SECRET (the plugin secret shown when you published it), or COURTYARD_SECRET for development.');
  process.exit(1);
}

const store = new CouponStore();
/**
 * Each installation's signing secrets, GraphQL URL and token, as its callbacks deliver them (a
 * real partner stores them encrypted, in a database).
 */
const installations = new Map<string, { workspaceId: string; secrets: string[]; graphqlUrl?: string; token?: string }>();

const server = createServer();
const host = process.env.HOST ?? '127.0.0.1';
server.listen(Number(process.env.PORT ?? 4100), host, () => {
  const { port } = server.address() as AddressInfo;
  const baseUrl = process.env.PUBLIC_URL ?? `http://${host}:${port}`;
  const handler = createPluginServer(
    { nodes: couponNodes(store), manifest: couponManifest(baseUrl) },
    {
      secrets: (id) => installations.get(id)?.secrets ?? (devSecret ? [devSecret] : undefined),
      credentials: (id) => {
        const found = installations.get(id);
        return found?.graphqlUrl && found.token ? { graphqlUrl: found.graphqlUrl, token: found.token } : undefined;
      },
      callbackSecret: callbackSecret ?? devSecret,
      hooks: {
        installed: (e) => void installations.set(e.installationId, { workspaceId: e.workspace.id, secrets: [e.credentials.signingSecret], graphqlUrl: e.credentials.graphqlUrl, token: e.credentials.token }),
        // The old secret stays valid next to the new one until Courtyard signs with the new one only.
        secretRotated: (e) =>
          void installations.set(e.installationId, {
            workspaceId: e.workspace.id,
            secrets: [e.credentials.signingSecret, ...(installations.get(e.installationId)?.secrets.slice(0, 1) ?? [])],
            graphqlUrl: e.credentials.graphqlUrl,
            token: e.credentials.token,
          }),
        upgraded: (e) => {
          if (e.credentials) installations.set(e.installationId, { workspaceId: e.workspace.id, secrets: [e.credentials.signingSecret], graphqlUrl: e.credentials.graphqlUrl, token: e.credentials.token });
        },
        uninstalled: (e) => {
          installations.delete(e.installationId);
          store.dropWorkspace(e.workspace.id);
        },
      },
    },
  );
  server.on('request', handler);
  // Tests and process managers read this line for the address.
  console.log(`example-coupons listening on ${baseUrl}`);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => server.close(() => process.exit(0)));
