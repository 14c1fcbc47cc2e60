import { ChatbubblesOutline } from '@vicons/ionicons5';
import { defineArea } from '../area';
import en from './messages.en';
import zhCN from './messages.zh-CN';

export default defineArea({
  key: 'wecom',
  order: 55,
  icon: ChatbubblesOutline,
  path: '/wecom',
  scope: 'WECOM_READ',
  routes: [
    {
      path: '/wecom',
      component: () => import('./WeComLayout.vue'),
      children: [
        { path: '', name: 'wecom', redirect: '/wecom/codes' },
        { path: '/wecom/codes', name: 'wecom-codes', component: () => import('./codes/LiveCodesPage.vue') },
        { path: '/wecom/welcome', name: 'wecom-welcome', component: () => import('./welcome/WelcomeLibraryPage.vue') },
        { path: '/wecom/staff', name: 'wecom-staff', component: () => import('./staff/WeComStaffPage.vue') },
        { path: '/wecom/mass-sends', name: 'wecom-mass-sends', component: () => import('./mass-sends/MassSendsPage.vue') },
        { path: '/wecom/outreach', name: 'wecom-outreach', component: () => import('./outreach/OutreachPage.vue') },
        { path: '/wecom/moments', name: 'wecom-moments', component: () => import('./moments/MomentsPage.vue') },
        { path: '/wecom/group-sends', name: 'wecom-group-sends', component: () => import('./group-sends/GroupSendsPage.vue') },
        { path: '/wecom/quota', name: 'wecom-quota', component: () => import('./quota/QuotaPage.vue') },
        { path: '/wecom/connection', name: 'wecom-connection', component: () => import('./connection/ConnectionPage.vue') },
      ],
    },
    { path: '/wecom/codes/:id', name: 'wecom-code', component: () => import('./codes/LiveCodePage.vue') },
  ],
  messages: { 'zh-CN': zhCN, en },
});
