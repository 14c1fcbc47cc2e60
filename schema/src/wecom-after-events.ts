// What follows WeCom changes once they are committed: segments see them, and event-triggered
// journeys enroll, as with ingestEvents.
import type { IngestedEvent } from '@courtyard/runtime';
import { recheckAfterChange } from './segment-membership.ts';
import type { WeComProcessDeps } from './wecom-callbacks.ts';

/** After the commit: segments see the events and event-triggered journeys enroll, as with ingestEvents. */
export async function afterWeComEvents(deps: WeComProcessDeps, workspaceId: string, customerIds: string[], events: IngestedEvent[], tagsChanged = false) {
  if (!events.length && !tagsChanged) return;
  const causes = [...new Set(events.map((e) => `event:${e.type}` as const)), ...(tagsChanged ? (['tags'] as const) : [])];
  await recheckAfterChange(deps, workspaceId, customerIds, causes).catch((error: Error) => (deps.log ?? console.warn)(`segment recheck after WeCom callbacks failed: ${error.message}`));
  if (events.length) await deps.runtime.onEvents(workspaceId, events).catch((error: Error) => (deps.log ?? console.warn)(`journey triggers for WeCom events failed: ${error.message}`));
}
