// The GraphQL application: schema, per-request context and auth, limits and error masking.
// Transport-free: server.ts serves it over HTTP and WebSocket; tests call `yoga.fetch`.
import type { Db } from '@courtyard/db';
import { JourneyRuntime, type RuntimeOptions } from '@courtyard/runtime';
import {
  authenticate,
  authenticatePartner,
  createContext,
  createPubSub,
  isPartnerCredential,
  useInstallationLimits,
  ApiKeyCache,
  CourtyardError,
  InputError,
  schema,
  type AuthInfo,
  type CourtyardPubSub,
} from '@courtyard/schema';
import { costLimitPlugin } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesPlugin } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthPlugin } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesPlugin } from '@escape.tech/graphql-armor-max-directives';
import { maxTokensPlugin } from '@escape.tech/graphql-armor-max-tokens';
import { GraphQLError } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { onMembershipChange } from '@courtyard/db/segments';
import { QueryCache, useQueryCache, type QueryCacheOptions } from './query-cache.ts';

export interface GraphQLLimits {
  /** Deepest selection nesting. Default 12. */
  maxDepth: number;
  /** Aliases per operation. Default 30. */
  maxAliases: number;
  /** Lexical tokens per document. Default 5,000. */
  maxTokens: number;
  /** Estimated cost per operation (objects 2, scalars 1, times depth). Default 50,000. */
  maxCost: number;
  /** Directives per operation. Default 50. */
  maxDirectives: number;
}

export const DEFAULT_LIMITS: GraphQLLimits = { maxDepth: 12, maxAliases: 30, maxTokens: 5_000, maxCost: 50_000, maxDirectives: 50 };

export interface AppOptions {
  db: Db;
  /** Pub/sub for subscriptions. Default: in-process (use the Redis one from pubsub.ts to share across nodes). */
  pubsub?: CourtyardPubSub;
  /** GraphQL limits; each defaults as in DEFAULT_LIMITS. */
  limits?: Partial<GraphQLLimits>;
  /** Serve GraphiQL on GET /graphql from a browser. Default true. */
  graphiql?: boolean;
  /** Log unexpected errors to stderr. Default true. */
  logErrors?: boolean;
  /**
   * Options of the app's journey engine (its db, onProgress and onCampaignProgress are the app's). The engine is
   * created here but only works in the background once `runtime.start()` is called. Default: {}.
   */
  runtime?: Omit<RuntimeOptions, 'db' | 'onProgress' | 'onCampaignProgress' | 'onInstallCallback' | 'onWeComChange'>;
  /** The query result cache (query-cache.ts); each option defaults as in DEFAULT_QUERY_CACHE. `ttlMs: 0` turns it off. */
  queryCache?: Partial<QueryCacheOptions>;
}

export type ServerContext = { connectionParams?: Record<string, unknown>; authorization?: string | null };

export interface App {
  yoga: YogaServerInstance<ServerContext, Record<string, unknown>>;
  pubsub: CourtyardPubSub;
  db: Db;
  /** The journey engine; every request's context carries it. */
  runtime: JourneyRuntime;
  /** Results of queries, per workspace data version. */
  queryCache: QueryCache;
  /** Stops listening for changes (segment memberships, other nodes). */
  close(): void;
}

// A GraphQL error a client can act on keeps its message and gets a code; anything else is masked.
function maskError(error: unknown, logErrors: boolean): Error {
  const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
  if (original instanceof CourtyardError) {
    const extensions: Record<string, unknown> = { code: original.code };
    if (original instanceof InputError) extensions.fields = original.issues.map((i) => ({ path: i.path, field: i.path.join('.'), message: i.message }));
    return new GraphQLError(original.message, { ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}), extensions });
  }
  if (original instanceof Error && original.name === 'PothosValidationError' && /cursor/i.test(original.message)) {
    return new GraphQLError(`${original.message}. Use a cursor from pageInfo or an edge of this connection (fields \`after\` / \`before\`).`, {
      ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
      extensions: { code: 'INVALID_INPUT', fields: [{ path: ['after'], field: 'after', message: 'invalid cursor' }] },
    });
  }
  if (original instanceof GraphQLError) return original;
  if (error instanceof GraphQLError && !error.originalError) return error;
  if (logErrors) console.error(original);
  return new GraphQLError('Unexpected error.', {
    ...(error instanceof GraphQLError ? { nodes: error.nodes, path: error.path } : {}),
    extensions: { code: 'INTERNAL_SERVER_ERROR' },
  });
}

/**
 * Documents refused by a validation rule (the GraphQL Armor limits among them) are client errors:
 * GraphQL over HTTP answers them with 400, like any other invalid document.
 */
function useValidationStatus(): Plugin {
  return {
    onValidate: () => ({ result, setResult }) => {
      if (!result.length) return;
      setResult(
        result.map((e) =>
          e.extensions?.http
            ? e
            : new GraphQLError(e.message, { nodes: e.nodes, source: e.source, positions: e.positions, path: e.path, extensions: { ...e.extensions, code: 'GRAPHQL_VALIDATION_FAILED', http: { status: 400 } } }),
        ),
      );
    },
  };
}

export function createApp(options: AppOptions): App {
  const { db } = options;
  const pubsub = options.pubsub ?? (createPubSub() as CourtyardPubSub);
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const queryCache = new QueryCache(options.queryCache);
  // A change made here: cached reads of the workspace go stale on this node now, on the others
  // when the message reaches them (through Redis when set).
  const dataChanged = (workspaceId: string) => {
    queryCache.changed(workspaceId);
    pubsub.publish('workspaceDataChanged', workspaceId);
  };
  // Progress made by this node's workers reaches subscribers on every node (through Redis when set).
  const runtime = new JourneyRuntime({
    ...options.runtime,
    db,
    onProgress: (workspaceId, journeyId) => {
      dataChanged(workspaceId);
      pubsub.publish('journeyProgress', workspaceId, { journeyId });
    },
    onInstallCallback: (workspaceId) => dataChanged(workspaceId),
    // Transfers, outreach, moments and group sends the runtime's WeCom poller settled.
    onWeComChange: (workspaceId) => dataChanged(workspaceId),
    onCampaignProgress: (workspaceId, campaignId) => {
      dataChanged(workspaceId);
      pubsub.publish('campaignProgress', workspaceId, { campaignId });
    },
  });
  const stopMembership = onMembershipChange((_db, workspaceId) => dataChanged(workspaceId));
  const otherNodesChanges = pubsub.subscribe('workspaceDataChanged');
  void (async () => {
    for await (const workspaceId of otherNodesChanges) queryCache.changed(workspaceId);
  })();
  // A key revoked on any node is dropped from this node's cache at once (through Redis when set).
  const keyCache = new ApiKeyCache();
  void (async () => {
    for await (const apiKeyId of pubsub.subscribe('apiKeyRevoked')) keyCache.forget(apiKeyId);
  })();
  const logErrors = options.logErrors ?? true;
  // Report a limit as a validation error (400) instead of throwing out of validation.
  const reportLimit = {
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: [(ctx: { reportError(e: GraphQLError): void } | null, error: GraphQLError) => ctx?.reportError(error)],
  };
  const armor: Plugin[] = [
    maxDepthPlugin({ n: limits.maxDepth, ...reportLimit, flattenFragments: true }) as Plugin,
    maxAliasesPlugin({ n: limits.maxAliases, ...reportLimit }) as Plugin,
    maxTokensPlugin({ n: limits.maxTokens, exposeLimits: true }) as Plugin,
    costLimitPlugin({ maxCost: limits.maxCost, ...reportLimit }) as Plugin,
    maxDirectivesPlugin({ n: limits.maxDirectives, ...reportLimit }) as Plugin,
  ];
  const yoga = createYoga<ServerContext>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    // GraphiQL with its assets bundled, so it works without reaching a CDN. Loaded on the first
    // browser visit: its 18 MB of assets are no weight for a process that only serves the API.
    renderGraphiQL: async (opts) => (await import('@graphql-yoga/render-graphiql')).renderGraphiQL(opts),
    // Client errors are answered, not logged; maskError logs the unexpected ones.
    logging: false,
    graphiql: options.graphiql ?? true ? { title: 'Courtyard GraphQL API', shouldPersistHeaders: true } : false,
    plugins: [...armor, useValidationStatus(), useInstallationLimits(), useQueryCache(queryCache, (workspaceId) => pubsub.publish('workspaceDataChanged', workspaceId))],
    maskedErrors: { maskError: (error) => maskError(error, logErrors) },
    context: async (initial) => {
      const request = (initial as { request?: Request }).request;
      const params = initial.connectionParams ?? {};
      const header =
        initial.authorization ??
        request?.headers.get('authorization') ??
        ((params.authorization ?? params.Authorization) as string | undefined) ??
        null;
      // A partner key is a partner's, never a workspace's: such a request has no workspace at all.
      if (isPartnerCredential(header)) return createContext({ db, pubsub, runtime, auth: null, partner: await authenticatePartner(db.prisma, header) });
      const auth: AuthInfo | null = await authenticate(db.prisma, header, keyCache);
      return createContext({ db, pubsub, runtime, auth });
    },
  });
  return {
    yoga: yoga as App['yoga'],
    pubsub,
    db,
    runtime,
    queryCache,
    close() {
      stopMembership();
      void otherNodesChanges.return?.();
    },
  };
}
