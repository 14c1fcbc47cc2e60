import { GitBranchOutline } from '@vicons/ionicons5';
import { defineArea } from '../area';
import en from './messages.en';
import zhCN from './messages.zh-CN';

export default defineArea({
  key: 'journeys',
  order: 40,
  icon: GitBranchOutline,
  path: '/journeys',
  scope: 'JOURNEYS_READ',
  routes: [
    { path: '/journeys', name: 'journeys', component: () => import('./JourneysPage.vue') },
    { path: '/journeys/:id', name: 'journeys-builder', component: () => import('./builder/JourneyBuilderPage.vue') },
  ],
  messages: { 'zh-CN': zhCN, en },
});
