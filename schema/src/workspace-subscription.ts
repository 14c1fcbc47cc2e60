// workspaceChanged: something in the viewer's workspace changed (on any node): a WeCom callback
// was processed, a task was read back from WeCom, a journey or campaign moved … — the cue for a
// screen to read again what it shows, instead of polling. At most one message a second, and only
// the viewer's workspace: other workspaces' changes are dropped before anything is sent.
import { Repeater } from 'graphql-yoga';
import { builder } from './builder.ts';

const COALESCE_MS = 1_000;

interface Changed {
  at: Date;
}

/** One message per interval at most while changes of `workspaceId` keep coming (the first at once). */
export function workspaceChanges(source: AsyncIterable<string>, workspaceId: string, intervalMs = COALESCE_MS) {
  return new Repeater<Changed>(async (push, stop) => {
    const iterator = source[Symbol.asyncIterator]();
    let lastSent = 0;
    let timer: NodeJS.Timeout | undefined;
    const flush = () => {
      timer = undefined;
      lastSent = Date.now();
      void push({ at: new Date(lastSent) });
    };
    void stop.then(() => {
      clearTimeout(timer);
      void iterator.return?.();
    });
    for (;;) {
      const next = await Promise.race([iterator.next(), stop.then(() => ({ done: true as const, value: undefined }))]);
      if (next.done) break;
      if (next.value !== workspaceId) continue;
      timer ??= setTimeout(flush, Math.max(0, lastSent + intervalMs - Date.now()));
    }
    stop();
  });
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
