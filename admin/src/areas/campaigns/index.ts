import { MegaphoneOutline } from '@vicons/ionicons5';
import { defineArea } from '../area';
import en from './messages.en';
import zhCN from './messages.zh-CN';

export default defineArea({
  key: 'campaigns',
  order: 50,
  icon: MegaphoneOutline,
  path: '/campaigns',
  routes: [
    { path: '/campaigns', name: 'campaigns', component: () => import('./list/CampaignListPage.vue') },
    { path: '/campaigns/new', name: 'campaigns-new', component: () => import('./wizard/CampaignWizardPage.vue') },
    { path: '/campaigns/:id/edit', name: 'campaigns-edit', component: () => import('./wizard/CampaignWizardPage.vue'), props: true },
    { path: '/campaigns/:id', name: 'campaigns-progress', component: () => import('./progress/CampaignProgressPage.vue'), props: true },
    { path: '/campaigns/:id/results', name: 'campaigns-results', component: () => import('./results/CampaignResultsPage.vue'), props: true },
  ],
  messages: { 'zh-CN': zhCN, en },
});
