import { PeopleOutline } from '@vicons/ionicons5';
import { defineArea } from '../area';
import en from './messages.en';
import zhCN from './messages.zh-CN';

const CustomersPage = () => import('./CustomersPage.vue');

export default defineArea({
  key: 'customers',
  order: 20,
  icon: PeopleOutline,
  path: '/customers',
  // The drawer of one customer opens over the list, so both paths show the same page.
  routes: [
    { path: '/customers', name: 'customers', component: CustomersPage },
    { path: '/customers/:id', name: 'customer', component: CustomersPage },
  ],
  messages: { 'zh-CN': zhCN, en },
});
