// Issues from the API are in English; the builder names them in the admin's language by code and
// keeps the API's text for detail.
import type { NodeIssue } from './model';

type T = (key: string, params?: Record<string, unknown>) => string;

export function issueText(issue: NodeIssue, t: T, locale: string): string {
  if (locale === 'en') return issue.message;
  const text = t(`journeys.issueCode.${issue.code}`, { field: issue.field ?? '' });
  return text.startsWith('journeys.issueCode.') ? issue.message : text;
}

export function issuesByNode(issues: NodeIssue[]): Map<string, NodeIssue[]> {
  const out = new Map<string, NodeIssue[]>();
  for (const i of issues) if (i.nodeId) out.set(i.nodeId, [...(out.get(i.nodeId) ?? []), i]);
  return out;
}
