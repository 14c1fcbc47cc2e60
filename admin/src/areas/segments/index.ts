import { LayersOutline } from '@vicons/ionicons5';
import { defineArea } from '../area';
import en from './messages.en';
import zhCN from './messages.zh-CN';

const Editor = () => import('./editor/SegmentEditorPage.vue');

export default defineArea({
  key: 'segments',
  order: 30,
  icon: LayersOutline,
  path: '/segments',
  routes: [
    { path: '/segments', name: 'segments', component: () => import('./list/SegmentListPage.vue') },
    { path: '/segments/new', name: 'segments-new', component: Editor },
    { path: '/segments/import', name: 'segments-import', component: () => import('./create/SegmentCsvPage.vue') },
    { path: '/segments/repurchase', name: 'segments-repurchase', component: () => import('./create/RepurchasePage.vue') },
    { path: '/segments/:id', name: 'segment', component: () => import('./detail/SegmentDetailPage.vue') },
    { path: '/segments/:id/edit', name: 'segment-edit', component: Editor },
  ],
  messages: { 'zh-CN': zhCN, en },
});
