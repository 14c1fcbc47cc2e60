import { SettingsOutline } from '@vicons/ionicons5';
import { defineArea } from '../area';
import en from './messages.en';
import zhCN from './messages.zh-CN';

export default defineArea({
  key: 'settings',
  order: 90,
  icon: SettingsOutline,
  path: '/settings',
  scope: 'WORKSPACE_READ',
  routes: [
    {
      path: '/settings',
      component: () => import('./SettingsLayout.vue'),
      children: [
        { path: '', name: 'settings', redirect: '/settings/general' },
        { path: '/settings/general', name: 'settings-general', component: () => import('./general/GeneralPage.vue') },
        { path: '/settings/members', name: 'settings-members', component: () => import('./members/MembersPage.vue') },
        { path: '/settings/api-keys', name: 'settings-api-keys', component: () => import('./api-keys/ApiKeysPage.vue') },
        { path: '/settings/staff', name: 'settings-staff', component: () => import('./staff/StaffPage.vue') },
        { path: '/settings/channels', name: 'settings-channels', component: () => import('./channels/ChannelsPage.vue') },
      ],
    },
  ],
  messages: { 'zh-CN': zhCN, en },
});
