// How an installation's call log and partner callbacks read: which words and which tag colour.
import type { PluginCallbackStatus } from '@/gql/graphql';

export type TagType = 'success' | 'error' | 'warning' | 'info' | 'default';

/** The message key under `marketplace.callbacks.events` for a callback type (installation.created → created); null when unknown. */
export function callbackEventKey(type: string | null | undefined): string | null {
  const m = /^installation\.(created|upgraded|secret_rotated|deleted)$/.exec(type ?? '');
  return m ? m[1]! : null;
}

export function callbackTagType(status: PluginCallbackStatus): TagType {
  return status === 'delivered' ? 'success' : status === 'failed' ? 'error' : 'warning';
}

/** A call's result tag: ok, or the failure's code (timeout, circuit-open…) so the reason shows at a glance. */
export function callResult(call: { ok: boolean; errorCode?: string | null }): { type: TagType; code: string | null } {
  return call.ok ? { type: 'success', code: null } : { type: 'error', code: call.errorCode ?? null };
}
