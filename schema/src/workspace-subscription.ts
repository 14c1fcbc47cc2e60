// workspaceChanged: something in the viewer's workspace changed (on any node): a WeCom callback
// was processed, a task was read back from WeCom, a journey or campaign moved … — the cue for a
// screen to read again what it shows, instead of polling. At most one message a second, and only
// the viewer's workspace: other workspaces' changes are dropped before anything is sent.
import { builder } from './builder.ts';
import { COALESCE_MS, coalesce } from './coalesce.ts';

interface Changed {
  at: Date;
}

/** One message per interval at most while changes of `workspaceId` keep coming (the first at once). */
export function workspaceChanges(source: AsyncIterable<string>, workspaceId: string, intervalMs = COALESCE_MS) {
  return coalesce(source, { keep: (id) => id === workspaceId, fold: () => true, emit: (): Changed => ({ at: new Date() }), intervalMs });
}

const ChangedRef = builder.objectRef<Changed>('WorkspaceChanged').implement({
  description: 'Something in the workspace changed: read again what you show.',
  fields: (t) => ({
    at: t.expose('at', { type: 'DateTime', description: 'When the message was sent.' }),
  }),
});

builder.subscriptionFields((t) => ({
  workspaceChanged: t.field({
    type: ChangedRef,
    description:
      'A message when data of the workspace changed (customers, WeCom tasks read back, journeys, campaigns …), at most one a second: the cue to read a screen again rather than poll it.',
    authScopes: { authenticated: true },
    subscribe: (_root, _args, ctx) => workspaceChanges(ctx.pubsub.subscribe('workspaceDataChanged'), ctx.workspaceId()),
    resolve: (message) => message,
  }),
}));
