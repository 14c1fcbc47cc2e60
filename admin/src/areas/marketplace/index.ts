import { StorefrontOutline } from '@vicons/ionicons5';
import { defineArea } from '../area';
import en from './messages.en';
import zhCN from './messages.zh-CN';

export default defineArea({
  key: 'marketplace',
  order: 60,
  icon: StorefrontOutline,
  path: '/marketplace',
  routes: [
    { path: '/marketplace', name: 'marketplace', component: () => import('./MarketplacePage.vue') },
    { path: '/marketplace/partner', name: 'marketplace-partner', component: () => import('./PartnerPage.vue') },
    { path: '/marketplace/plugins/:id', name: 'marketplace-plugin', component: () => import('./PluginPage.vue') },
  ],
  messages: { 'zh-CN': zhCN, en },
});
