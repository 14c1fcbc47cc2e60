import { createManifest, type JourneyNode } from '@courtyard/plugin-sdk';
import { activityNodes } from './activity/index.ts';
import { attributeNodes } from './attributes/index.ts';
import { journeyNodes } from './journey/index.ts';
import { messageNodes } from './message/index.ts';
import { ownerNodes } from './owner/index.ts';
import { segmentNodes } from './segments/index.ts';
import { splitNodes } from './split/index.ts';
import { tagNodes } from './tags/index.ts';
import { timingNodes } from './timing/index.ts';
import { triggerNodes } from './triggers/index.ts';
import { waitForEventNodes } from './wait-for-event/index.ts';
import { webhookNodes } from './webhook/index.ts';

export * from './activity/index.ts';
export * from './attributes/index.ts';
export * from './journey/index.ts';
export * from './message/index.ts';
export * from './owner/index.ts';
export * from './segments/index.ts';
export * from './split/index.ts';
export * from './tags/index.ts';
export * from './timing/index.ts';
export * from './triggers/index.ts';
export * from './wait-for-event/index.ts';
export * from './webhook/index.ts';

const KIND_ORDER = ['trigger', 'condition', 'action'];

/** Every built-in node, in the order the admin's palette lists them: triggers, conditions, actions. */
export const builtinNodes: JourneyNode[] = [
  ...triggerNodes,
  ...attributeNodes,
  ...tagNodes,
  ...segmentNodes,
  ...activityNodes,
  ...splitNodes,
  ...timingNodes,
  ...waitForEventNodes,
  ...messageNodes,
  ...ownerNodes,
  ...webhookNodes,
  ...journeyNodes,
].sort((a, b) => KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind));

export const builtinManifest = createManifest({
  id: 'courtyard',
  version: '1.0.0',
  name: { 'zh-CN': 'Courtyard 内置节点', en: 'Courtyard built-in nodes' },
  description: {
    'zh-CN': '旅程的基础触发器、条件和动作：打标签、等待、发送消息、分配员工等',
    en: 'The basic journey triggers, conditions and actions: tags, waits, messages, owner assignment and more',
  },
  publisher: { name: 'Courtyard' },
  icon: 'courtyard',
  categories: ['core'],
  nodes: builtinNodes,
});
