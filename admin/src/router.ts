// Routes: sign-in outside the shell, every area's routes inside it. Signed-out visitors go to /login.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router';
import { areas } from '@/areas';
import { session } from '@/session';

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/sign-in/SignInPage.vue'), meta: { public: true } },
  { path: '/accept-invitation', name: 'accept-invitation', component: () => import('@/sign-in/AcceptInvitationPage.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/layout/AppShell.vue'),
    children: [
      { path: '', redirect: areas[0]?.path ?? '/login' },
      ...areas.flatMap((a) => a.routes),
      { path: ':pathMatch(.*)*', name: 'not-found', component: () => import('@/layout/NotFoundPage.vue') },
    ],
  },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach((to) => {
  if (!to.meta.public && !session.current) return { name: 'login', query: to.fullPath !== '/' ? { next: to.fullPath } : {} };
  if ((to.name === 'login' || to.name === 'accept-invitation') && session.current && !to.query.token) return '/';
  return true;
});
