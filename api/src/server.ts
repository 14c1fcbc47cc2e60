// HTTP and WebSocket on one port: GraphQL over HTTP (and SSE) through yoga, graphql-ws on /graphql.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GraphQLError, type DocumentNode, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { App } from './app.ts';
import { createAdminHandler, type AdminOptions } from './serve-admin.ts';
import { createLargeRequestGate, enforceBodyLimit, rejectDeclaredTooLarge, type LargeRequestGateOptions, type RequestLimitOptions } from './use-request-limits.ts';
import { createWeComCallbackHandler, type WeComCallbackHandler, type WeComCallbackOptions } from './wecom-callback.ts';

type Enveloped = { execute: (args: ExecutionArgs) => never; subscribe: (args: ExecutionArgs) => never };

export interface RunningServer {
  server: Server;
  url: string;
  /** WeCom callbacks on /wecom/callback/<workspaceId> and the worker that processes them. */
  wecom: WeComCallbackHandler;
  port: number;
  close(): Promise<void>;
}

export async function startServer(
  app: App,
  options: {
    port: number;
    host?: string;
    /** Serve the built admin on other paths; default false. */
    admin?: AdminOptions | boolean;
    /** WeCom callback worker options; each defaults as documented in wecom-callback.ts. */
    wecom?: WeComCallbackOptions;
  } & RequestLimitOptions &
    LargeRequestGateOptions,
): Promise<RunningServer> {
  const { yoga } = app;
  const admin = options.admin ? createAdminHandler(options.admin === true ? {} : options.admin) : null;
  const wecom = createWeComCallbackHandler({ db: app.db, pubsub: app.pubsub, runtime: app.runtime, workspaces: app.runtime.workspaces }, options.wecom);
  const gate = createLargeRequestGate(options);
  const server = createServer((req, res) => {
    const path = req.url?.split('?')[0] ?? '/';
    if (wecom.handle(req, res)) return;
    if (admin && path !== yoga.graphqlEndpoint && path !== '/health' && (req.method === 'GET' || req.method === 'HEAD')) {
      admin(req, res);
      return;
    }
    if (!rejectDeclaredTooLarge(req, res, options)) return;
    gate.admit(req, res, () => {
      if (enforceBodyLimit(req, res, options)) void yoga(req, res);
    });
  });
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const wsServer = useServer(
    {
      // The enveloped execute/subscribe of each operation travel in rootValue (yoga's graphql-ws recipe).
      execute: (args: ExecutionArgs) => (args.rootValue as Enveloped).execute(args),
      subscribe: (args: ExecutionArgs) => (args.rootValue as Enveloped).subscribe(args),
      onSubscribe: async (ctx, _id, params) => {
        const upgradeAuth = ctx.extra.request.headers.authorization ?? null;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
          connectionParams: ctx.connectionParams ?? {},
          authorization: (ctx.connectionParams?.authorization as string | undefined) ?? upgradeAuth,
        });
        let document: DocumentNode;
        try {
          document = parse(params.query);
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError(String(error))];
        }
        const errors = validate(schema, document);
        if (errors.length) return errors;
        let contextValue: unknown;
        try {
          contextValue = await contextFactory();
        } catch (error) {
          return [error instanceof GraphQLError ? error : new GraphQLError('Could not authenticate the subscription.')];
        }
        return {
          schema,
          operationName: params.operationName,
          document,
          variableValues: params.variables,
          contextValue,
          rootValue: { execute, subscribe },
        };
      },
    },
    wss,
  );
  await new Promise<void>((resolve) => server.listen(options.port, options.host ?? '0.0.0.0', resolve));
  const port = (server.address() as AddressInfo).port;
  wecom.start();
  return {
    server,
    wecom,
    port,
    url: `http://localhost:${port}${yoga.graphqlEndpoint}`,
    async close() {
      await wecom.stop();
      await wsServer.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
