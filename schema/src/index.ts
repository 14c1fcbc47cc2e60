// Builds the schema: each domain file registers its types, queries and mutations on the builder.
import { builder } from './builder.ts';
import { describeConnections } from './describe-connections.ts';
import './scalars.ts';
import './error-types.ts';
import './workspace.ts';
import './auth.ts';
import './customer.ts';
import './customer-mutations.ts';
import './tag.ts';
import './event.ts';
import './order.ts';
import './segment.ts';
import './segment-subscription.ts';
import './segment-csv.ts';
import './journey.ts';
import './journey-node-types.ts';
import './journey-stats.ts';
import './journey-mutations.ts';
import './journey-enroll.ts';
import './journey-subscription.ts';
import './journey-simulate.ts';
import './channel.ts';
import './staff.ts';
import './segment-repurchase.ts';
import './campaign.ts';
import './campaign-audience.ts';
import './campaign-mutations.ts';
import './campaign-subscription.ts';

export const schema = describeConnections(builder.toSchema({ sortSchema: true }));

export { ApiKeyCache, authenticate, createContext, type AuthInfo, type Context } from './context.ts';
export { createPubSub, type CourtyardPubSub, type CourtyardTopics } from './pubsub.ts';
export { CourtyardError, InputError } from './errors.ts';
