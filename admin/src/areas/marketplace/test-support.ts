// This area's component tests mount in the app as admin/src/testing/mount.ts does, starting at /marketplace.
import type { Component } from 'vue';
import { mountInApp, type Answers } from '@/testing/mount';

export { fakeGraphql, testid, until, type Answers, type Request } from '@/testing/mount';

export function mountWith(component: Component, props: Record<string, unknown>, answers: Answers = {}, locale: 'zh-CN' | 'en' = 'zh-CN') {
  return mountInApp(component, props, answers, { locale, path: '/marketplace' });
}
