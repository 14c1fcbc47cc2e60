import { PricetagsOutline } from '@vicons/ionicons5';
import { defineArea } from '../area';
import en from './messages.en';
import zhCN from './messages.zh-CN';

export default defineArea({
  key: 'tags',
  order: 25,
  icon: PricetagsOutline,
  path: '/tags',
  routes: [{ path: '/tags', name: 'tags', component: () => import('./TagsPage.vue') }],
  messages: { 'zh-CN': zhCN, en },
});
