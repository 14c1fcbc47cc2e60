export { createApp, DEFAULT_LIMITS, type App, type AppOptions, type GraphQLLimits } from './app.ts';
export { startServer, type RunningServer } from './server.ts';
export { createAppPubSub } from './pubsub.ts';
