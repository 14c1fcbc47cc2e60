import { defineAction, step, z } from '@courtyard/plugin-sdk';
import { doc, RecordId } from '../fields.ts';

export const EnterJourneyConfig = z.object({
  journeyId: RecordId.meta(doc('要进入的旅程（使用其已发布版本）', 'Journey to enter (its published version)')),
  data: z
    .record(z.string(), z.json())
    .default({})
    .meta(doc('传给新旅程的数据，可在其中以 trigger.data 使用', 'Data handed to the other journey, available there as trigger.data')),
});
export type EnterJourneyConfig = z.infer<typeof EnterJourneyConfig>;

export const enterJourneyAction = defineAction({
  id: 'courtyard.enter-journey',
  version: '1.0.0',
  title: { 'zh-CN': '进入其他旅程', en: 'Enter another journey' },
  description: { 'zh-CN': '让客户进入另一个旅程，并在本旅程继续往下走', en: 'Enrolls the customer in another journey and goes on in this one' },
  icon: 'route',
  config: EnterJourneyConfig,
  scopes: ['journeys:write'],
  async run({ items, config, ctx }) {
    const data = Object.keys(config.data).length ? config.data : undefined;
    const entered = await ctx.journeys.enroll(
      config.journeyId,
      items.map((item) => (data ? { item, data } : { item })),
    );
    // The other journey's entry rules may turn some away; that is its decision, not a failure here.
    if (entered < items.length) ctx.log(`${items.length - entered} of ${items.length} customers did not enter journey ${config.journeyId}`);
    return items.map(() => step.next('next'));
  },
});

export const ExitConfig = z.object({
  reason: z.string().max(200).default('').meta(doc('退出原因（记录在旅程日志中）', 'Why customers leave here (kept in the journey log)')),
});
export type ExitConfig = z.infer<typeof ExitConfig>;

export const exitAction = defineAction({
  id: 'courtyard.exit',
  version: '1.0.0',
  title: { 'zh-CN': '退出旅程', en: 'Exit the journey' },
  description: { 'zh-CN': '客户在此离开旅程', en: 'The customer leaves the journey here' },
  icon: 'log-out',
  config: ExitConfig,
  ports: [],
  async run({ items, config }) {
    return items.map(() => step.exit(config.reason || 'reached the exit node'));
  },
});

export const journeyNodes = [enterJourneyAction, exitAction];
