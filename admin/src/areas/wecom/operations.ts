// The WeCom area's reads and writes.
import { graphql } from '@/gql';

export const WeComViewerQuery = graphql(`
  query WeComViewer {
    viewer { scopes }
  }
`);

export const WeComConnectionQuery = graphql(`
  query WeComConnection {
    wecomConnection { corpId agentSecretHint baseUrl callbackPath status lastError lastCheckedAt updatedAt }
  }
`);

export const ConnectWeComMutation = graphql(`
  mutation ConnectWeCom($input: ConnectWeComInput!) {
    connectWeCom(input: $input) {
      __typename
      ... on WeComConnection { corpId agentSecretHint baseUrl callbackPath status lastError lastCheckedAt updatedAt }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on WeComRejectedError { field wecomCode }
    }
  }
`);

export const WeComStaffQuery = graphql(`
  query WeComStaff {
    staff { id staffId name wecomUserId active }
  }
`);

export const LiveCodesQuery = graphql(`
  query WeComLiveCodes($channel: WeComLiveCodeChannel) {
    wecomLiveCodes(first: 100, channel: $channel) {
      edges {
        node {
          id liveCodeId name channel assignment currentUserIds createdAt
          staff { userId }
          welcome { text coupon link { title url } miniprogram { title } }
          stats { day adds deletes netAdds }
        }
      }
    }
  }
`);

const LiveCodeFields = graphql(`
  fragment WeComLiveCodeFields on WeComLiveCode {
    id liveCodeId name channel assignment backupUserIds currentUserIds dailyAddLimit skipVerify tagIds state configId qrCodeUrl createdAt
    staff { userId schedule { weekdays start end } }
    welcome { text coupon link { title url desc picUrl } miniprogram { title appId page picMediaId } }
  }
`);
void LiveCodeFields;

export const LiveCodeQuery = graphql(`
  query WeComLiveCode($id: ID!) {
    node(id: $id) {
      __typename
      ... on WeComLiveCode {
        ...WeComLiveCodeFields
        qrImage(format: PNG)
        stats { day adds deletes netAdds }
      }
    }
  }
`);

export const LiveCodeStatsQuery = graphql(`
  query WeComLiveCodeStats($id: ID!) {
    node(id: $id) { __typename ... on WeComLiveCode { id currentUserIds stats { day adds deletes netAdds } } }
  }
`);

export const ChannelCustomersQuery = graphql(`
  query WeComChannelCustomers($filter: CustomerFilter!) {
    customers(first: 10, filter: $filter) {
      totalCount
      edges { node { id name wecomExternalId createdAt tags { id name color } } }
    }
  }
`);

export const CreateLiveCodeMutation = graphql(`
  mutation CreateWeComLiveCode($input: WeComLiveCodeInput!) {
    createWeComLiveCode(input: $input) {
      __typename
      ... on WeComLiveCode { ...WeComLiveCodeFields }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on WeComRejectedError { field wecomCode }
      ... on UnknownVariableError { field variable known }
    }
  }
`);

export const UpdateLiveCodeMutation = graphql(`
  mutation UpdateWeComLiveCode($id: ID!, $input: WeComLiveCodeInput!) {
    updateWeComLiveCode(id: $id, input: $input) {
      __typename
      ... on WeComLiveCode { ...WeComLiveCodeFields }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on WeComRejectedError { field wecomCode }
      ... on UnknownVariableError { field variable known }
    }
  }
`);

export const DeleteLiveCodeMutation = graphql(`
  mutation DeleteWeComLiveCode($id: ID!) {
    deleteWeComLiveCode(id: $id) {
      __typename
      ... on Deleted { deletedId }
      ... on Error { message code }
    }
  }
`);

export const CustomerLiveSubscription = graphql(`
  subscription WeComCustomersLive {
    customerUpdated { customerId change }
  }
`);

export const QuotaSettingsQuery = graphql(`
  query WeComQuotaSettings {
    wecomQuotaSettings { period limit effectiveLimit action massSendHours }
  }
`);

export const UpdateQuotaSettingsMutation = graphql(`
  mutation UpdateWeComQuotaSettings($input: WeComQuotaSettingsInput!) {
    updateWeComQuotaSettings(input: $input) {
      __typename
      ... on WeComQuotaSettings { period limit effectiveLimit action massSendHours }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);

export const CustomerQuotasQuery = graphql(`
  query WeComCustomerQuotas($text: String) {
    customers(first: 20, filter: { identities: [wecom], text: $text }) {
      totalCount
      edges { node { id name wecomExternalId wecomQuota { used limit remaining period periodEnd } } }
    }
  }
`);

export const MassSendsQuery = graphql(`
  query WeComMassSends($status: WeComMassSendStatus) {
    wecomMassSends(first: 100, status: $status) {
      edges {
        node {
          id staffUserId status reconciling reconcileUntil recipients sent failed notSent waiting createdAt expiresAt settledAt lastError nodeId withdrawnAt
          campaign { id name }
          journey { id name }
        }
      }
    }
  }
`);

export const RemindMassSendMutation = graphql(`
  mutation RemindWeComMassSend($id: ID!) {
    remindWeComMassSend(id: $id) {
      __typename
      ... on WeComMassSend { id status waiting }
      ... on Error { message code }
      ... on WeComRejectedError { wecomCode }
    }
  }
`);

export const WithdrawMassSendMutation = graphql(`
  mutation WithdrawWeComMassSend($id: ID!) {
    withdrawWeComMassSend(id: $id) {
      __typename
      ... on WeComMassSend { id status withdrawnAt }
      ... on Error { message code }
    }
  }
`);

export const TransfersQuery = graphql(`
  query WeComTransfers {
    wecomTransfers(first: 50) {
      edges { node { id status mode createdAt takeoverAt settledAt failReason lastError customer { id name wecomExternalId } fromStaff { id name } toStaff { id name } } }
    }
  }
`);

export const TransferCustomersMutation = graphql(`
  mutation TransferWeComCustomers($input: TransferCustomersInput!) {
    transferCustomers(input: $input) {
      __typename
      ... on TransferCustomersPayload { waiting failed }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on WeComRejectedError { field wecomCode }
      ... on WeComLimitError { field rule limit over }
    }
  }
`);

export const WorkspaceChangedSubscription = graphql(`
  subscription WorkspaceChanged {
    workspaceChanged { at }
  }
`);
