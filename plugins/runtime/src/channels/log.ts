import { z } from 'zod';
import type { ChannelDriver, ChannelSendResult } from './types.ts';

/** The dry-run channel: journeys can be built and tested end to end without messaging anyone. */
export const LogChannelConfig = z.object({
  /** Shown in each logged line to tell several log channels apart; none by default. */
  label: z.string().trim().min(1).max(100).optional(),
});
export type LogChannelConfig = z.infer<typeof LogChannelConfig>;

/** Receives the lines of one `send` call, one JSON object per message. */
export type LogSink = (lines: string[]) => void;

/** Prints to stdout only when `COURTYARD_LOG_CHANNEL=stdout`, so benchmarks and tests stay quiet. */
function defaultSink(): LogSink | null {
  if (process.env.COURTYARD_LOG_CHANNEL !== 'stdout') return null;
  return (lines) => {
    process.stdout.write(lines.join('\n') + '\n');
  };
}

export function createLogDriver({ sink }: { sink?: LogSink } = {}): ChannelDriver<typeof LogChannelConfig> {
  return {
    type: 'log',
    title: { 'zh-CN': '日志（不发送）', en: 'Log (dry run)' },
    address: 'none',
    config: LogChannelConfig,
    open(config) {
      const write = sink ?? defaultSink();
      return {
        async send(messages) {
          // With no sink the channel must cost next to nothing: the journeys benchmark pushes
          // 100,000 messages through it, so nothing is serialised unless someone reads it.
          if (write) {
            write(messages.map((m) => JSON.stringify({
              channel: 'log',
              label: config.label ?? null,
              deliveryId: m.deliveryId,
              idempotencyKey: m.idempotencyKey,
              workspaceId: m.workspaceId,
              customerId: m.customer.id,
              subject: m.subject,
              body: m.body,
              attachments: m.attachments,
            })));
          }
          return messages.map((m): ChannelSendResult => ({ status: 'sent', providerMessageId: `log:${m.deliveryId}` }));
        },
      };
    },
  };
}

export const logDriver = createLogDriver();
