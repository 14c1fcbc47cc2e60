// For component tests: mount inside the app's i18n, Naive UI's message and dialog providers, a
// router, and an urql client whose answers come from a table by operation name (requests recorded,
// with their Authorization header); subscriptions open and deliver only what a test pushes.
import { mount } from '@vue/test-utils';
import urql, { Client, fetchExchange, subscriptionExchange } from '@urql/vue';
import { NDialogProvider, NMessageProvider } from 'naive-ui';
import { defineComponent, h, type Component } from 'vue';
import { createMemoryHistory, createRouter, type RouteRecordRaw } from 'vue-router';
import { i18n } from '@/i18n';

export interface Request { operationName: string; variables: Record<string, unknown>; authorization: string | null }
export type Answers = Record<string, (variables: Record<string, unknown>) => unknown>;

/** A fetch that answers GraphQL requests with `{ data: answers[operationName](variables) }`. */
export function fakeGraphql(answers: Answers) {
  const requests: Request[] = [];
  const fetch = async (url: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    // Short queries travel as GET (urql's default), mutations as a POST body.
    const params = new URL(String(url), 'http://localhost').searchParams;
    const body = (init?.body ? JSON.parse(String(init.body)) : { operationName: params.get('operationName'), variables: JSON.parse(params.get('variables') ?? '{}') }) as {
      operationName: string; variables?: Record<string, unknown>;
    };
    const request = { operationName: body.operationName, variables: body.variables ?? {}, authorization: new Headers(init?.headers).get('authorization') };
    requests.push(request);
    const answer = answers[body.operationName];
    const payload = answer ? { data: answer(request.variables) } : { errors: [{ message: `no answer for ${body.operationName}` }] };
    return new Response(JSON.stringify(payload), { headers: { 'content-type': 'application/json' } });
  };
  return { fetch, requests, named: (name: string) => requests.filter((r) => r.operationName === name) };
}

type Sink = { next: (result: { data?: Record<string, unknown> | null }) => void };

/** Subscriptions that stay open and deliver what the test pushes, by operation name. */
function testSubscriptions() {
  const sinks = new Map<string, Set<Sink>>();
  const exchange = subscriptionExchange({
    forwardSubscription: (request) => ({
      subscribe: (sink: Sink) => {
        const name = /subscription\s+(\w+)/.exec(request.query ?? '')?.[1] ?? '';
        const set = sinks.get(name) ?? new Set<Sink>();
        set.add(sink);
        sinks.set(name, set);
        return { unsubscribe: () => void set.delete(sink) };
      },
    }),
  });
  const push = (operationName: string, data: Record<string, unknown>) => {
    for (const sink of sinks.get(operationName) ?? []) sink.next({ data });
  };
  return { exchange, push };
}

export interface MountOptions {
  locale?: 'zh-CN' | 'en';
  /** Where the router starts. Default `/`. */
  path?: string;
  /** Routes besides the catch-all (for components that read route params). */
  routes?: RouteRecordRaw[];
}

export async function mountInApp(component: Component, props: Record<string, unknown>, answers: Answers = {}, options: MountOptions = {}) {
  i18n.global.locale.value = options.locale ?? 'zh-CN';
  const gql = fakeGraphql(answers);
  const subscriptions = testSubscriptions();
  const client = new Client({ url: 'http://localhost/graphql', exchanges: [fetchExchange, subscriptions.exchange], fetch: gql.fetch as typeof fetch });
  const router = createRouter({ history: createMemoryHistory(), routes: [...(options.routes ?? []), { path: '/:any(.*)*', component: { render: () => null } }] });
  await router.push(options.path ?? '/');
  const Host = defineComponent({ setup: () => () => h(NMessageProvider, null, { default: () => h(NDialogProvider, null, { default: () => h(component, props) }) }) });
  const wrapper = mount(Host, { global: { plugins: [i18n, router, [urql, client]] }, attachTo: document.body });
  return { wrapper, gql, router, text: () => document.body.textContent ?? '', push: subscriptions.push };
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
