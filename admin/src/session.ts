// The signed-in member's session, kept in localStorage so a reload stays signed in.
import { reactive, readonly } from 'vue';

export interface Session {
  token: string;
  expiresAt: string;
  memberName: string;
  email: string;
  workspaceId: string;
  workspaceName: string;
}

const STORAGE_KEY = 'courtyard.session';

function load(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (!raw) return null;
    const s = JSON.parse(raw) as Session;
    return new Date(s.expiresAt).getTime() > Date.now() ? s : null;
  } catch {
    return null;
  }
}

const state = reactive<{ current: Session | null }>({ current: load() });

export const session = readonly(state);

export function setSession(next: Session | null): void {
  state.current = next;
  if (next) localStorage.setItem(STORAGE_KEY, JSON.stringify(next));
  else localStorage.removeItem(STORAGE_KEY);
}

export function authorizationHeader(): Record<string, string> {
  return state.current ? { authorization: `Bearer ${state.current.token}` } : {};
}

/** The stored session from a login, sign-up, invitation or workspace-switch result. */
export function sessionFromPayload(p: { token: string; expiresAt: string; member: { name: string; email: string }; workspace: { id: string; name: string } }): Session {
  return { token: p.token, expiresAt: p.expiresAt, memberName: p.member.name, email: p.member.email, workspaceId: p.workspace.id, workspaceName: p.workspace.name };
}
