import { graphql } from '@/gql';

export const MarketplacePlugins = graphql(`
  query MarketplacePlugins($search: String, $category: String) {
    marketplace(search: $search, category: $category, first: 60) {
      totalCount
      edges { node { id pluginId icon categories installCount name { zhCN en } description { zhCN en } publisher { name } installation { id status } } }
    }
    marketplaceCategories
  }
`);


export const PluginDetail = graphql(`
  query MarketplacePlugin($id: ID!) {
    plugin(id: $id) {
      id pluginId icon categories installCount name { zhCN en } description { zhCN en }
      publisher { name email url }
      support { email url }
      installation { id status version { version } }
      listedVersion { id version }
      requestedScopes { name scope description { zhCN en } }
      versions { id version status changelog publishedAt nodes { id kind title { zhCN en } description { zhCN en } } }
    }
  }
`);

export const InstallPlugin = graphql(`
  mutation MarketplaceInstall($input: InstallPluginInput!) {
    installPlugin(input: $input) {
      __typename
      ... on InstalledPlugin { token installation { id status plugin { id installCount installation { id status } } } }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);

export const Installations = graphql(`
  query MarketplaceInstallations {
    installations(first: 100) {
      edges { node {
        id status
        plugin { id pluginId icon name { zhCN en } }
        version { version }
        grantedScopes { name scope description { zhCN en } }
        availableUpgrade { needsConsent version { version scopes { scope } } addedScopes { name scope description { zhCN en } } }
      } }
    }
  }
`);

export const UpgradeInstallation = graphql(`
  mutation MarketplaceUpgrade($input: UpgradeInstallationInput!) {
    upgradeInstallation(input: $input) {
      __typename
      ... on Installation { id version { version } availableUpgrade { needsConsent } }
      ... on ConsentRequiredError { addedScopes { name scope description { zhCN en } } }
      ... on Error { message code }
    }
  }
`);

export const UninstallPlugin = graphql(`
  mutation MarketplaceUninstall($id: ID!) {
    uninstallPlugin(id: $id) {
      __typename
      ... on UninstalledPlugin { installation { id status } journeys { name inDraft publishedVersions } }
      ... on Error { message code }
    }
  }
`);

export const ReviewQueue = graphql(`
  query MarketplaceReviewQueue {
    pluginReviewQueue(first: 100) {
      edges { node {
        id version changelog publishedAt scopesGrew
        plugin { id pluginId name { zhCN en } publisher { name } }
        scopes { name scope description { zhCN en } }
        addedScopes { name }
        nodes { id kind title { zhCN en } }
      } }
    }
  }
`);

export const ReviewVersion = graphql(`
  mutation MarketplaceReview($id: ID!, $decision: PluginReviewDecision!, $reason: String) {
    reviewPluginVersion(id: $id, decision: $decision, reason: $reason) {
      __typename
      ... on PluginVersion { id status rejectionReason }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);
