// Moments (朋友圈) tasks: staff members asked to publish a post, each one's publish state.
import { graphql } from '@/gql';

const MomentFields = graphql(`
  fragment WeComMomentFields on WeComMoment {
    id status text attachments day createdAt expiresAt settledAt error lastError
    tasks { staffUserId status settledAt }
  }
`);
void MomentFields;

export const MomentsQuery = graphql(`
  query WeComMoments($after: String) {
    wecomMoments(first: 20, after: $after) {
      edges { node { ...WeComMomentFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const WorkspaceTimeZoneQuery = graphql(`
  query WeComWorkspaceTimeZone {
    viewer { workspace { id timeZone } }
  }
`);

export const CreateMomentMutation = graphql(`
  mutation CreateWeComMoment($input: WeComMomentInput!) {
    createWeComMoment(input: $input) {
      __typename
      ... on WeComMoment { ...WeComMomentFields }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on NotFoundError { field }
      ... on WeComRejectedError { field wecomCode }
      ... on WeComLimitError { field rule limit over }
    }
  }
`);
