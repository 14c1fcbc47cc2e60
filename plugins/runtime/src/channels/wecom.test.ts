// The wecom channel's pure parts: how messages become mass-send tasks, and its config. Sending
// through the stand-in, confirmations, the quota and retries are tested end to end in
// api/test/wecom-mass-sends.test.ts (a database and a stand-in on a real port).
import { describe, expect, it } from 'vitest';
import { openChannel, parseChannelConfig } from './index.ts';
import { outboundMessage, outboundMessages } from './test-messages.ts';
import { planTasks, taskBody } from './wecom.ts';

const staff = (id: string, wecomUserId: string | null) => ({ id, name: `Staff ${id}`, wecomUserId });

describe('WeCom channel', () => {
  it('plans one mass-send task per sender for the same text', () => {
    const messages = [
      outboundMessage(1, { body: 'New tea', customer: { ownerStaff: staff('s1', 'lina') } }),
      outboundMessage(2, { body: 'New tea', customer: { ownerStaff: staff('s2', 'wangwei') } }),
      outboundMessage(3, { body: 'New tea', customer: { ownerStaff: staff('s1', 'lina') } }),
    ];
    expect(planTasks(messages, new Set()).map(taskBody)).toEqual([
      { chat_type: 'single', external_userid: ['wmExternal1', 'wmExternal3'], sender: 'lina', text: { content: 'New tea' } },
      { chat_type: 'single', external_userid: ['wmExternal2'], sender: 'wangwei', text: { content: 'New tea' } },
    ]);
  });

  it('different texts, different sources, and the same customer twice are separate tasks', () => {
    expect(planTasks(outboundMessages(3), new Set())).toHaveLength(3);
    const twice = [outboundMessage(1, { body: 'Hi' }), outboundMessage(1, { body: 'Hi', deliveryId: 'delivery-1b' })];
    expect(planTasks(twice, new Set()).map((t) => t.recipients.map((r) => r.externalUserId))).toEqual([['wmExternal1'], ['wmExternal1']]);
    const a = { campaignId: 'c1', campaignRunId: 'r1', journeyId: null, nodeId: null };
    const b = { campaignId: null, campaignRunId: null, journeyId: 'j1', nodeId: 'send' };
    const sources = new Map<string, typeof a | typeof b>([['delivery-1', a], ['delivery-2', b]]);
    const tasks = planTasks([outboundMessage(1, { body: 'Hi' }), outboundMessage(2, { body: 'Hi' })], new Set(), sources);
    expect(tasks.map((t) => t.source)).toEqual([a, b]);
  });

  it("splits one sender's customers into tasks of at most 10,000 and leaves skipped messages out", () => {
    const tasks = planTasks(outboundMessages(10_001, { body: 'Same text for all' }), new Set([0]));
    expect(tasks.map((t) => t.recipients.length)).toEqual([10_000]);
    expect(planTasks(outboundMessages(10_002, { body: 'Same text for all' }), new Set()).map((t) => t.recipients.length)).toEqual([10_000, 2]);
  });

  it('passes WeCom attachments through with the text', () => {
    const link = { msgtype: 'link', link: { title: '春茶上新', url: 'https://tea.example/spring' } };
    expect(taskBody(planTasks([outboundMessage(1, { body: '春茶到了', attachments: [link] })], new Set())[0]!)).toMatchObject({ text: { content: '春茶到了' }, attachments: [link] });
  });

  it("needs no config (the workspace's WeCom connection) and refuses half of an explicit one", () => {
    expect(parseChannelConfig('wecom', {})).toEqual({});
    expect(parseChannelConfig('wecom', { corpId: 'ww1', secret: 's' })).toEqual({ corpId: 'ww1', secret: 's' });
    expect(() => parseChannelConfig('wecom', { corpId: 'ww1' })).toThrow(/secret: give the app's secret/);
  });

  it('without the runtime (no database to record tasks in) a send fails for good', async () => {
    await expect(openChannel('wecom', {}).send([outboundMessage(1)])).rejects.toMatchObject({ final: true });
  });
});
