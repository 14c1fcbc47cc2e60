// One urql client: queries and mutations over HTTP, subscriptions over graphql-ws on the same path.
// The session token travels as a header (HTTP) and in connectionParams (WebSocket).
import { Client, cacheExchange, fetchExchange, mapExchange, subscriptionExchange } from '@urql/vue';
import { createClient as createWsClient, type Client as WsClient } from 'graphql-ws';
import { authorizationHeader, setSession } from '@/session';

let ws: WsClient | null = null;

function wsClient(): WsClient {
  if (!ws) {
    const url = new URL('/graphql', window.location.href);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    ws = createWsClient({
      url: url.toString(),
      lazy: true,
      retryAttempts: Infinity,
      shouldRetry: () => true,
      connectionParams: () => authorizationHeader(),
    });
  }
  return ws;
}

/** Closes the live connection, so the next subscription connects with the current session. */
export function resetLiveConnection(): void {
  void ws?.dispose();
  ws = null;
}

export function createAdminClient(): Client {
  return new Client({
    url: '/graphql',
    requestPolicy: 'cache-and-network',
    fetchOptions: () => ({ headers: authorizationHeader() }),
    exchanges: [
      cacheExchange,
      // A revoked or expired session signs out instead of failing every request.
      mapExchange({
        onError(error) {
          const unauthenticated = error.response?.status === 401 || error.graphQLErrors.some((e) => e.extensions?.code === 'UNAUTHENTICATED');
          if (unauthenticated) {
            setSession(null);
            if (!window.location.pathname.startsWith('/login')) window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`);
          }
        },
      }),
      fetchExchange,
      subscriptionExchange({
        forwardSubscription: (request) => {
          const input = { ...request, query: request.query || '' };
          return {
            subscribe: (sink) => ({ unsubscribe: wsClient().subscribe(input, sink) }),
          };
        },
      }),
    ],
  });
}
