import { afterEach, describe, expect, it, vi } from 'vitest';
import { createLogDriver, logDriver } from './log.ts';
import { outboundMessage, outboundMessages } from './test-messages.ts';

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe('log channel', () => {
  it('reports every message sent as log:<deliveryId>', async () => {
    const results = await logDriver.open({}).send(outboundMessages(3));
    expect(results).toEqual([
      { status: 'sent', providerMessageId: 'log:delivery-1' },
      { status: 'sent', providerMessageId: 'log:delivery-2' },
      { status: 'sent', providerMessageId: 'log:delivery-3' },
    ]);
  });

  it('writes one JSON line per message to the sink, with the label', async () => {
    const lines: string[] = [];
    const driver = createLogDriver({ sink: (batch) => lines.push(...batch) });
    await driver.open({ label: 'staging' }).send([outboundMessage(1), outboundMessage(2, { subject: null })]);
    expect(lines.map((l) => JSON.parse(l))).toEqual([
      {
        channel: 'log', label: 'staging', deliveryId: 'delivery-1', idempotencyKey: 'journey-1:enrollment-1:node-send:0', workspaceId: 'workspace-1',
        customerId: 'customer-1', subject: 'Spring tea is here', body: 'Hello Customer 1, the new harvest has arrived.', attachments: [],
      },
      expect.objectContaining({ deliveryId: 'delivery-2', subject: null }),
    ]);
  });

  it('prints nothing by default and prints the lines when COURTYARD_LOG_CHANNEL=stdout', async () => {
    vi.stubEnv('COURTYARD_LOG_CHANNEL', '');
    const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await logDriver.open({}).send([outboundMessage(1)]);
    expect(write).not.toHaveBeenCalled();

    vi.stubEnv('COURTYARD_LOG_CHANNEL', 'stdout');
    await logDriver.open({}).send([outboundMessage(1), outboundMessage(2)]);
    expect(write).toHaveBeenCalledTimes(1);
    const printed = String(write.mock.calls[0]![0]).trimEnd().split('\n').map((l) => JSON.parse(l).deliveryId);
    expect(printed).toEqual(['delivery-1', 'delivery-2']);
  });

  it('takes 100,000 messages without a sink quickly', async () => {
    const messages = outboundMessages(100_000);
    const channel = logDriver.open({});
    const started = performance.now();
    const results = await channel.send(messages);
    expect(results).toHaveLength(100_000);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
