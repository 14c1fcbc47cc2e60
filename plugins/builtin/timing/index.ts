import { defineAction, defineCondition, step, z } from '@courtyard/plugin-sdk';
import { addDuration, doc, Duration } from '../fields.ts';
import { locateInWindows, WindowsConfig } from './windows.ts';

export const WaitConfig = z.object({
  duration: Duration.meta(doc('等待时长，如 2 小时、3 天', 'How long to wait, e.g. 2 hours or 3 days')),
});
export type WaitConfig = z.infer<typeof WaitConfig>;

export const waitAction = defineAction({
  id: 'courtyard.wait',
  version: '1.0.0',
  title: { 'zh-CN': '等待', en: 'Wait' },
  description: { 'zh-CN': '等待一段时间后继续，如 3 天后发送回访消息', en: 'Waits for a while before going on, e.g. 3 days before a follow-up' },
  icon: 'clock',
  config: WaitConfig,
  waits: true,
  async run({ items, config, ctx }) {
    if (config.duration.amount === 0) return items.map(() => step.next('next'));
    const until = addDuration(ctx.now(), config.duration, ctx.workspace.timeZone);
    return items.map(() => step.wait(until, 'next'));
  },
});

export const waitUntilWindowAction = defineAction({
  id: 'courtyard.wait-until-window',
  version: '1.0.0',
  title: { 'zh-CN': '等到指定时段', en: 'Wait until a time window' },
  description: {
    'zh-CN': '在指定时段内（如午休 12:00–14:00、晚间 19:00–22:00）才继续，不在时段内则等到下一个时段开始',
    en: 'Goes on only inside the time windows (e.g. 12:00–14:00, 19:00–22:00); otherwise waits for the next one to open',
  },
  icon: 'calendar-clock',
  config: WindowsConfig,
  waits: true,
  async run({ items, config, ctx }) {
    const where = locateInWindows(ctx.now(), config, config.timeZone ?? ctx.workspace.timeZone);
    return items.map(() => (where.inside ? step.next('next') : step.wait(where.nextStart, 'next')));
  },
});

export const timeWindowCondition = defineCondition({
  id: 'courtyard.time-window',
  version: '1.0.0',
  title: { 'zh-CN': '时间段判断', en: 'Time of day' },
  description: { 'zh-CN': '按当前是否在指定星期和时段内分流，如工作日 9:00–18:00', en: 'Branches on whether now falls in the time windows and weekdays, e.g. weekdays 9:00–18:00' },
  icon: 'sun',
  config: WindowsConfig,
  async run({ items, config, ctx }) {
    const where = locateInWindows(ctx.now(), config, config.timeZone ?? ctx.workspace.timeZone);
    return items.map(() => (where.inside ? 'yes' : 'no'));
  },
});

export const timingNodes = [waitAction, waitUntilWindowAction, timeWindowCondition];
