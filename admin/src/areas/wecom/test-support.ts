// For this area's component tests: mount inside the app's i18n, Naive UI's message and dialog
// providers, a router, and an urql client whose answers come from a table by operation name
// (requests recorded).
import { mount } from '@vue/test-utils';
import urql, { Client, fetchExchange, subscriptionExchange } from '@urql/vue';
import { NDialogProvider, NMessageProvider } from 'naive-ui';
import { defineComponent, h, type Component } from 'vue';
import { createMemoryHistory, createRouter } from 'vue-router';
import { i18n } from '@/i18n';

export interface Request { operationName: string; variables: Record<string, unknown> }
export type Answers = Record<string, (variables: Record<string, unknown>) => unknown>;

export function fakeGraphql(answers: Answers) {
  const requests: Request[] = [];
  const fetch = async (url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    // Short queries travel as GET (urql's default), mutations as a POST body.
    const params = new URL(String(url), 'http://localhost').searchParams;
    const body = (init?.body ? JSON.parse(String(init.body)) : { operationName: params.get('operationName'), variables: JSON.parse(params.get('variables') ?? '{}') }) as {
      operationName: string; variables?: Record<string, unknown>;
    };
    const request = { operationName: body.operationName, variables: body.variables ?? {} };
    requests.push(request);
    const answer = answers[body.operationName];
    const payload = answer ? { data: answer(request.variables) } : { errors: [{ message: `no answer for ${body.operationName}` }] };
    return new Response(JSON.stringify(payload), { headers: { 'content-type': 'application/json' } });
  };
  return { fetch, requests, named: (name: string) => requests.filter((r) => r.operationName === name) };
}

/** Subscriptions open and never deliver (the screens under test poll). */
const quietSubscriptions = subscriptionExchange({ forwardSubscription: () => ({ subscribe: () => ({ unsubscribe: () => {} }) }) });

export async function mountWith(component: Component, props: Record<string, unknown>, answers: Answers = {}, options: { locale?: 'zh-CN' | 'en'; path?: string } = {}) {
  i18n.global.locale.value = options.locale ?? 'zh-CN';
  const gql = fakeGraphql(answers);
  const client = new Client({ url: 'http://localhost/graphql', exchanges: [fetchExchange, quietSubscriptions], fetch: gql.fetch as typeof fetch });
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/wecom/codes/:id', component: { render: () => null } }, { path: '/:any(.*)*', component: { render: () => null } }] });
  await router.push(options.path ?? '/wecom');
  const Host = defineComponent({ setup: () => () => h(NMessageProvider, null, { default: () => h(NDialogProvider, null, { default: () => h(component, props) }) }) });
  const wrapper = mount(Host, { global: { plugins: [i18n, router, [urql, client]] }, attachTo: document.body });
  return { wrapper, gql, router, text: () => document.body.textContent ?? '' };
}

/** Waits until `check` passes (requests answer on later ticks), failing with its last error. */
export async function until(check: () => void, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return check();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}

export const testid = (id: string) => document.body.querySelector<HTMLElement>(`[data-testid="${id}"]`);
export const input = (id: string) => testid(id)?.querySelector<HTMLInputElement | HTMLTextAreaElement>('input, textarea') ?? null;

/** Types into a Naive UI input (its inner <input>/<textarea>) the way a person does. */
export function type(id: string, value: string) {
  const el = input(id);
  if (!el) throw new Error(`no input ${id}`);
  el.value = value;
  el.dispatchEvent(new Event('input', { bubbles: true }));
}

export const viewer = (scopes: string[] = ['WECOM_READ', 'WECOM_WRITE']) => ({ WeComViewer: () => ({ viewer: { __typename: 'Viewer', scopes } }) });
