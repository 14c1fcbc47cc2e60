// The one place Pothos is set up: plugins, context, scalars and the Prisma model types.
import SchemaBuilder from '@pothos/core';
import ErrorsPlugin from '@pothos/plugin-errors';
import PrismaPlugin from '@pothos/plugin-prisma';
import RelayPlugin from '@pothos/plugin-relay';
import ScopeAuthPlugin from '@pothos/plugin-scope-auth';
import ValidationPlugin from '@pothos/plugin-validation';
import type { Scope } from '@courtyard/db';
import type PrismaTypes from '@courtyard/db/pothos-types';
import { getDatamodel } from '@courtyard/db/pothos-types';
import { GraphQLError } from 'graphql';
import type { Context } from './context.ts';
import { InputError, issuesFromStandardSchema, type InvalidValue } from './errors.ts';

export type AuthScopes = { [S in Scope]: boolean } & {
  /** Any caller with a valid API key or session. */
  authenticated: boolean;
  /** A signed-in member (not an API key). */
  member: boolean;
};

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  AuthScopes: AuthScopes;
  DefaultFieldNullability: false;
  DefaultInputFieldRequiredness: false;
  Scalars: {
    ID: { Input: string; Output: string | number | bigint };
    // Inputs that fail to parse arrive as InvalidValue and are reported by the resolver's checks.
    DateTime: { Input: Date | InvalidValue; Output: Date | string };
    Date: { Input: Date | InvalidValue; Output: Date | string };
    JSON: { Input: unknown; Output: unknown };
    JSONObject: { Input: Record<string, unknown> | InvalidValue; Output: unknown };
    Money: { Input: bigint | InvalidValue; Output: bigint | number };
    File: { Input: File; Output: never };
  };
}>({
  defaultFieldNullability: false,
  plugins: [ScopeAuthPlugin, ErrorsPlugin, ValidationPlugin, PrismaPlugin, RelayPlugin],
  prisma: {
    client: (ctx) => ctx.prisma,
    dmmf: getDatamodel(),
    exposeDescriptions: true,
    filterConnectionTotalCount: true,
    onUnusedQuery: process.env.NODE_ENV === 'production' ? null : 'warn',
    maxConnectionSize: 100,
    defaultConnectionSize: 20,
  },
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodeQueryOptions: { description: 'Fetches any object of the caller\'s workspace by its global ID; null when it does not exist or belongs to another workspace.' },
    nodesQueryOptions: { description: 'Fetches several objects of the caller\'s workspace by their global IDs, in the same order; null for each that does not exist or belongs to another workspace.' },
    idFieldOptions: { description: 'The globally unique, opaque ID of this object (Relay global object identification).' },
    pageInfoTypeOptions: { description: 'Where a page of a connection sits in the whole list (Relay cursor connections).' },
    nodeTypeOptions: { description: 'An object with a globally unique ID that `node(id:)` can fetch.' },
    cursorFieldOptions: { description: 'Opaque cursor of this edge, for `after` / `before`.' },
    nodeFieldOptions: { description: 'The object at this edge.' },
    edgesFieldOptions: { description: 'The objects of this page with their cursors.' },
    pageInfoFieldOptions: { description: 'Where this page sits in the whole list.' },
    hasNextPageFieldOptions: { description: 'Whether more items follow this page.' },
    hasPreviousPageFieldOptions: { description: 'Whether items precede this page.' },
    startCursorFieldOptions: { description: 'Cursor of the first item of the page; null when the page is empty.' },
    endCursorFieldOptions: { description: 'Cursor of the last item of the page; null when the page is empty.' },
    firstArgOptions: { description: 'Return the first N items (at most 100; default 20).' },
    lastArgOptions: { description: 'Return the last N items (at most 100).' },
    afterArgOptions: { description: 'Return items after this cursor (from pageInfo.endCursor or an edge).' },
    beforeArgOptions: { description: 'Return items before this cursor.' },
  },
  scopeAuth: {
    authorizeOnSubscribe: true,
    authScopes: (ctx) => ctx.authScopes(),
    unauthorizedError: (_parent, ctx, info, result) => {
      if (!ctx.auth) {
        return new GraphQLError('Authentication required: send `Authorization: Bearer <API key or session token>`.', {
          extensions: { code: 'UNAUTHENTICATED', field: info.fieldName },
        });
      }
      const needed = missingScopes(result.failure);
      return new GraphQLError(
        `Not allowed: ${info.parentType.name}.${info.fieldName} needs the scope ${needed.join(' or ') || 'it was declared with'}. Use an API key or a member role that holds it.`,
        { extensions: { code: 'FORBIDDEN', field: info.fieldName, requiredScopes: needed } },
      );
    },
  },
  errors: {
    defaultTypes: [],
    // Mutations return their payload object directly as a member of the result union.
    directResult: true,
    defaultUnionOptions: {
      name: ({ fieldName }) => `${fieldName.charAt(0).toUpperCase()}${fieldName.slice(1)}Result`,
    },
  },
  validation: {
    validationError: (result) => new InputError(issuesFromStandardSchema(result.issues)),
  },
});

/** The scope names behind a scope-auth failure, however nested. */
function missingScopes(failure: unknown): string[] {
  const f = failure as { kind?: string; scope?: string; failures?: unknown[] };
  if (f?.kind === 'AuthScope' && f.scope) return [f.scope];
  return [...new Set((f?.failures ?? []).flatMap(missingScopes))];
}

builder.queryType({ description: 'Reads. Every field answers only from the caller\'s workspace.' });
builder.mutationType({ description: 'Writes. Every mutation acts only on the caller\'s workspace and returns a result union whose error members say what to fix.' });
builder.subscriptionType({ description: 'Live updates over graphql-ws (WebSocket) or Server-Sent Events on the same /graphql endpoint.' });
