// Partner calls: their own urql client with the partner key (kept in sessionStorage, apart from the member session).
import { Client, fetchExchange } from '@urql/vue';
import { ref } from 'vue';
import { graphql } from '@/gql';

const STORAGE = 'courtyard.partnerKey';
export const partnerKey = ref<string | null>(sessionStorage.getItem(STORAGE));
export function setPartnerKey(key: string | null): void {
  partnerKey.value = key;
  if (key) sessionStorage.setItem(STORAGE, key); else sessionStorage.removeItem(STORAGE);
}

export const partnerClient = new Client({
  url: '/graphql',
  requestPolicy: 'network-only',
  fetchOptions: (): RequestInit => ({ headers: partnerKey.value ? { authorization: `Bearer ${partnerKey.value}` } : ({} as Record<string, string>) }),
  exchanges: [fetchExchange],
});

export const PartnerSignUp = graphql(`
  mutation MarketplacePartnerSignUp($input: SignUpPartnerInput!) {
    signUpPartner(input: $input) {
      __typename
      ... on PartnerCredential { key }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);

export const PartnerLogin = graphql(`
  mutation MarketplacePartnerLogin($input: LoginPartnerInput!) {
    loginPartner(input: $input) {
      __typename
      ... on PartnerCredential { key }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);

export const PartnerHome = graphql(`
  query MarketplacePartnerHome {
    partner {
      id name viewerRole
      plugins { id pluginId name { zhCN en } listed callbackSecret versions { id version status rejectionReason publishedAt reviewedAt scopesGrew } }
    }
  }
`);

export const PublishVersion = graphql(`
  mutation MarketplacePublish($manifest: JSON!, $changelog: String) {
    publishPluginVersion(manifest: $manifest, changelog: $changelog) {
      __typename
      ... on PluginVersion { id version status plugin { pluginId } }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on ConflictError { field }
    }
  }
`);

export const RotateCallbackSecret = graphql(`
  mutation MarketplaceRotateCallbackSecret($pluginId: ID!) {
    rotatePluginCallbackSecret(pluginId: $pluginId) {
      __typename
      ... on Plugin { id callbackSecret }
      ... on Error { message code }
    }
  }
`);
