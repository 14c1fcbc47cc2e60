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

// Whether the signed-in member reviews plugin versions: the review tab shows only then.
export const ViewerOperator = graphql(`
  query MarketplaceViewerOperator {
    viewer { platformOperator }
  }
`);

// What uninstalling would leave without the plugin's nodes, asked before the brand confirms.
export const InstallationUsage = graphql(`
  query MarketplaceInstallationUsage($id: ID!) {
    node(id: $id) { ... on Installation { id usedBy { journey { id } name inDraft publishedVersions } } }
  }
`);

// The call log (newest first, a page at a time) and the callbacks the partner was sent.
export const InstallationActivity = graphql(`
  query MarketplaceInstallationActivity($id: ID!, $first: Int!, $after: String) {
    node(id: $id) {
      ... on Installation {
        id tokenPrefix
        calls(first: $first, after: $after) {
          edges { cursor node { startedAt kind nodeId eventType pluginVersion batchSize ok httpStatus latencyMs attempts errorCode error } }
          pageInfo { hasNextPage endCursor }
        }
        callbacks { type status attempts lastError createdAt deliveredAt nextAttemptAt }
      }
    }
  }
`);

export const RotateInstallationSecret = graphql(`
  mutation MarketplaceRotateInstallationSecret($id: ID!) {
    rotateInstallationSecret(id: $id) {
      __typename
      ... on Installation { id tokenPrefix callbacks { type status attempts lastError createdAt deliveredAt nextAttemptAt } }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
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
