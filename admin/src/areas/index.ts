// Every area folder with an index.ts, in menu order.
import type { Area } from './area';

const modules = import.meta.glob<{ default: Area }>('./*/index.ts', { eager: true });

export const areas: Area[] = Object.values(modules)
  .map((m) => m.default)
  .sort((a, b) => a.order - b.order);
