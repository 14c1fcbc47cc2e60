// This area's component tests mount in the app as admin/src/testing/mount.ts does, starting at /wecom.
import type { Component } from 'vue';
import { mountInApp, testid, type Answers } from '@/testing/mount';

export { fakeGraphql, testid, until, type Answers, type Request } from '@/testing/mount';

export function mountWith(component: Component, props: Record<string, unknown>, answers: Answers = {}, options: { locale?: 'zh-CN' | 'en'; path?: string } = {}) {
  return mountInApp(component, props, answers, { ...options, path: options.path ?? '/wecom', routes: [{ path: '/wecom/codes/:id', component: { render: () => null } }] });
}

export const input = (id: string) => testid(id)?.querySelector<HTMLInputElement | HTMLTextAreaElement>('input, textarea') ?? null;

/** Types into a Naive UI input (its inner <input>/<textarea>) the way a person does. */
export function type(id: string, value: string) {
  const el = input(id);
  if (!el) throw new Error(`no input ${id}`);
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

export const viewer = (scopes: string[] = ['WECOM_READ', 'WECOM_WRITE']) => ({ WeComViewer: () => ({ viewer: { __typename: 'Viewer', scopes } }) });
