import { SpeedometerOutline } from '@vicons/ionicons5';
import { defineArea } from '../area';
import en from './messages.en';
import zhCN from './messages.zh-CN';

export default defineArea({
  key: 'dashboard',
  order: 10,
  icon: SpeedometerOutline,
  path: '/dashboard',
  routes: [{ path: '/dashboard', name: 'dashboard', component: () => import('./DashboardPage.vue') }],
  messages: { 'zh-CN': zhCN, en },
});
