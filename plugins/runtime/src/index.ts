export { JourneyRuntime, runtimeOptionsFromEnv, type RuntimeOptions } from './runtime.ts';
export { NodeRegistry, builtinRegistry } from './registry.ts';
export { installedNode, isInstalledNode, workspaceRegistry, type InstalledNode, type InstalledPlugin } from './installed.ts';
export type { EnrollEntry, EnrollResult } from './engine/enroll.ts';
export type { IngestedEvent } from './engine/triggers.ts';
export { queueMessages } from './engine/messages.ts';
export { quietUntil, dayStart, nextDayStart } from './engine/clock.ts';
export { loadCustomers } from './engine/customers.ts';
export { normalizeRefs, toUuid } from './journey/refs.ts';
