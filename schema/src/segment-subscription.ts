// segmentChanged: a segment's entries and exits as they happen, coalesced to at most one message
// a second so a bulk change does not flood a dashboard.
import { encodeGlobalID } from '@pothos/plugin-relay';
import { builder } from './builder.ts';
import { COALESCE_MS, coalesce } from './coalesce.ts';
import type { SegmentChangedMessage } from './pubsub.ts';
import { decodeId } from './validation.ts';

/** Most recent entries/exits carried per message; counts cover all of them. */
const LAST_CHANGES = 20;

interface Coalesced {
  segmentId: string;
  workspaceId: string;
  entered: string[];
  exited: string[];
  enteredCount: number;
  exitedCount: number;
  at: Date;
}

function merge(into: Coalesced | null, message: SegmentChangedMessage, workspaceId: string): Coalesced {
  const base = into ?? { segmentId: message.segmentId, workspaceId, entered: [], exited: [], enteredCount: 0, exitedCount: 0, at: new Date() };
  return {
    ...base,
    entered: [...base.entered, ...message.entered].slice(-LAST_CHANGES),
    exited: [...base.exited, ...message.exited].slice(-LAST_CHANGES),
    enteredCount: base.enteredCount + message.entered.length,
    exitedCount: base.exitedCount + message.exited.length,
    at: new Date(),
  };
}

/** Entries and exits of one segment, gathered into at most one message per interval. */
export function segmentChanges(source: AsyncIterable<SegmentChangedMessage>, segmentId: string, workspaceId: string, intervalMs = COALESCE_MS) {
  return coalesce(source, {
    keep: (m) => m.segmentId === segmentId,
    fold: (pending: Coalesced | undefined, m) => merge(pending ?? null, m, workspaceId),
    emit: (gathered) => gathered,
    intervalMs,
  });
}

const SegmentChangedRef = builder.objectRef<Coalesced>('SegmentChanged').implement({
  description: 'Entries to and exits from a segment since the previous message (at most one message a second).',
  fields: (t) => ({
    segment: t.prismaField({
      type: 'Segment',
      nullable: true,
      description: 'The segment now, with its size; null if it was deleted.',
      resolve: (query, m, _a, ctx) => ctx.prisma.segment.findFirst({ ...query, where: { id: m.segmentId, workspaceId: m.workspaceId } }),
    }),
    enteredCount: t.exposeInt('enteredCount', { description: 'Customers who entered since the previous message.' }),
    exitedCount: t.exposeInt('exitedCount', { description: 'Customers who left since the previous message.' }),
    entered: t.prismaField({
      type: ['Customer'],
      description: `The last (up to ${LAST_CHANGES}) customers who entered.`,
      resolve: (query, m, _a, ctx) => ctx.prisma.customer.findMany({ ...query, where: { id: { in: m.entered }, workspaceId: m.workspaceId } }),
    }),
    exitedIds: t.idList({ description: `Global IDs of the last (up to ${LAST_CHANGES}) customers who left.`, resolve: (m) => m.exited.map((id) => encodeGlobalID('Customer', id)) }),
    at: t.expose('at', { type: 'DateTime', description: 'When this message was put together.' }),
  }),
});

builder.subscriptionFields((t) => ({
  segmentChanged: t.field({
    type: SegmentChangedRef,
    description: 'Live entries and exits of one segment, coalesced to at most one message a second.',
    authScopes: { 'segments:read': true },
    args: { id: t.arg.id({ required: true, description: 'The segment.' }) },
    subscribe: (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const segmentId = decodeId(String(args.id), 'Segment', ['id']);
      return segmentChanges(ctx.pubsub.subscribe('segmentChanged', workspaceId), segmentId, workspaceId);
    },
    resolve: (message) => message,
  }),
}));
