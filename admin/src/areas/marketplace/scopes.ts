// Texts by the admin's language, and the consent rule: every requested scope ticked.

export interface Localized { zhCN: string; en: string }
export interface ScopeInfo { name: string; scope: string; description: Localized }

export function localized(text: Localized | null | undefined, locale: string): string {
  if (!text) return '';
  return locale === 'en' ? text.en || text.zhCN : text.zhCN || text.en;
}

/** The scopes to send as the grant, only when every one has been ticked; null otherwise. */
export function grantFromConsent(requested: readonly ScopeInfo[], ticked: ReadonlySet<string>): string[] | null {
  if (requested.some((s) => !ticked.has(s.scope))) return null;
  return requested.map((s) => s.scope);
}

export interface ManifestProblem { path: string; message: string }

/** Problems from a publish ValidationError, the path without the `manifest.` prefix, sorted by path. */
export function manifestProblems(fields: readonly { field: string; message: string }[]): ManifestProblem[] {
  return fields
    .map((f) => ({ path: f.field.replace(/^manifest\.?/, '') || '(manifest)', message: f.message }))
    .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
}

/** Parses pasted manifest text: the object, or the parse error message. */
export function parseManifest(text: string): { ok: true; value: Record<string, unknown> } | { ok: false; message: string } {
  try {
    const value: unknown = JSON.parse(text);
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { ok: false, message: 'expected an object' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (e) {
    return { ok: false, message: (e as Error).message };
  }
}
