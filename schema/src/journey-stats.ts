// What happened inside a journey: counts per node and port, and one customer's path.
import { enrollmentPath, type NodeStats } from '@courtyard/runtime/journey';
import { builder } from './builder.ts';
import type { Context } from './context.ts';

const PortCountRef = builder.objectRef<{ port: string; count: number }>('JourneyPortCount').implement({
  description: 'How many completed steps of a node left through one port.',
  fields: (t) => ({
    port: t.exposeString('port', { description: 'The port id, e.g. next, yes, no, or a branch id.' }),
    count: t.exposeInt('count', { description: 'Steps that left through it.' }),
  }),
});

export const JourneyNodeStatsRef = builder.objectRef<NodeStats>('JourneyNodeStats').implement({
  description: 'Counts of one node of a journey, over all its versions.',
  fields: (t) => ({
    nodeId: t.exposeString('nodeId', { description: 'The node id of the graph.' }),
    entered: t.exposeInt('entered', { description: 'Customers who reached the node: finished there, or inside it now.' }),
    waiting: t.exposeInt('waiting', { description: 'Inside the node now: waiting, or due to run.' }),
    completed: t.exposeInt('completed', { description: 'Steps that completed and moved on through a port.' }),
    failed: t.exposeInt('failed', { description: 'Steps that failed after their retries.' }),
    exited: t.exposeInt('exited', { description: 'Customers who left the journey at this node (goal reached, exit, archived).' }),
    byPort: t.field({ type: [PortCountRef], description: 'Completed steps by the port they left through.', resolve: (s) => s.byPort }),
  }),
});

const StepStatusEnum = builder.enumType('JourneyStepStatus', {
  description: 'The outcome of one step.',
  values: {
    completed: { value: 'completed', description: 'The node ran and the customer left through `port`.' },
    retrying: { value: 'retrying', description: 'The node failed and will be tried again.' },
    failed: { value: 'failed', description: 'The node failed after its retries; the customer stopped here.' },
    exited: { value: 'exited', description: 'The customer left the journey at this node.' },
  } as const,
});

type Step = Awaited<ReturnType<typeof enrollmentPath>>[number];

export const JourneyStepRef = builder.objectRef<Step>('JourneyStep').implement({
  description: 'One step of a customer\'s path through a journey.',
  fields: (t) => ({
    nodeId: t.exposeString('nodeId', { description: 'The node.' }),
    visit: t.exposeInt('visit', { description: 'Which step of the enrollment this was (0 for the trigger).' }),
    attempt: t.exposeInt('attempt', { description: 'The try of this step, from 1.' }),
    status: t.field({ type: StepStatusEnum, description: 'The outcome.', resolve: (s) => s.status as 'completed' | 'retrying' | 'failed' | 'exited' }),
    port: t.exposeString('port', { nullable: true, description: 'The port taken, for a completed step.' }),
    error: t.exposeString('error', { nullable: true, description: 'What went wrong, for a failed or retried step.' }),
    startedAt: t.expose('startedAt', { type: 'DateTime', description: 'When the step started.' }),
    finishedAt: t.expose('finishedAt', { type: 'DateTime', description: 'When it finished.' }),
  }),
});

export function enrollmentSteps(ctx: Pick<Context, 'db'>, enrollmentId: string) {
  return enrollmentPath(ctx.db, enrollmentId);
}
