// What the connection form sends: secrets only when typed (a left-out secret keeps its stored
// value), the base URL only when changed (empty resets it to WeCom's).
import type { ConnectWeComInput } from '@/gql/graphql';

export interface ConnectionForm { corpId: string; agentSecret: string; callbackToken: string; encodingAesKey: string; baseUrl: string }

export function connectionInput(form: ConnectionForm, storedBaseUrl: string | null): ConnectWeComInput {
  const input: ConnectWeComInput = { corpId: form.corpId.trim() };
  if (form.agentSecret.trim()) input.agentSecret = form.agentSecret.trim();
  if (form.callbackToken.trim()) input.callbackToken = form.callbackToken.trim();
  if (form.encodingAesKey.trim()) input.encodingAesKey = form.encodingAesKey.trim();
  const baseUrl = form.baseUrl.trim();
  if (baseUrl !== (storedBaseUrl ?? '')) input.baseUrl = baseUrl || null;
  return input;
}
