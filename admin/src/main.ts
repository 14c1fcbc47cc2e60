import { createApp } from 'vue';
import urql from '@urql/vue';
import App from './App.vue';
import { createAdminClient } from './graphql/client';
import { i18n } from './i18n';
import { router } from './router';

document.documentElement.lang = i18n.global.locale.value;
createApp(App).use(i18n).use(router).use(urql, createAdminClient()).mount('#app');
