// Group-chat mass sends: one WeCom task per group owner, which the owner confirms in their app.
import { graphql } from '@/gql';

const GroupSendFields = graphql(`
  fragment WeComGroupSendFields on WeComGroupSend {
    id ownerUserId chatIds sentChatIds content status createdAt expiresAt settledAt error lastError
  }
`);
void GroupSendFields;

export const GroupSendsQuery = graphql(`
  query WeComGroupSends($after: String) {
    wecomGroupSends(first: 50, after: $after) {
      edges { node { ...WeComGroupSendFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const CreateGroupSendsMutation = graphql(`
  mutation CreateWeComGroupSends($input: WeComGroupSendInput!) {
    createWeComGroupSends(input: $input) {
      __typename
      ... on CreateWeComGroupSendsPayload { sends { ...WeComGroupSendFields } }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on NotFoundError { field }
      ... on WeComRejectedError { field wecomCode }
    }
  }
`);

export const GroupChatsQuery = graphql(`
  query WeComGroupChats($ownerUserIds: [String!]) {
    wecomGroupChats(ownerUserIds: $ownerUserIds) { chatId name ownerUserId customerCount }
  }
`);

export const SyncGroupChatsMutation = graphql(`
  mutation SyncWeComGroupChats {
    syncWeComGroupChats {
      __typename
      ... on WeComGroupChatSyncResult { groups dismissed }
      ... on Error { message code }
    }
  }
`);
