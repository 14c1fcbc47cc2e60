// Phone-number outreach (手机号拓客): add-friend tasks for staff, their states and the per-staff summary.
import { graphql } from '@/gql';

const OutreachTaskFields = graphql(`
  fragment WeComOutreachTaskFields on WeComOutreachTask {
    id phone source day status expiresAt addedAt matchedExternalUserId matchedCustomerId createdAt
    staff { id name wecomUserId }
  }
`);
void OutreachTaskFields;

export const OutreachTasksQuery = graphql(`
  query WeComOutreachTasks($staffId: ID, $status: WeComOutreachStatus, $day: String, $after: String) {
    wecomOutreachTasks(first: 50, after: $after, staffId: $staffId, status: $status, day: $day) {
      edges { node { ...WeComOutreachTaskFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
`);

export const OutreachSummaryQuery = graphql(`
  query WeComOutreachSummary {
    wecomOutreachSummary { staffUserId pending added expired today unmatchedAdds staff { id name } }
  }
`);

export const CreateOutreachTasksMutation = graphql(`
  mutation CreateWeComOutreachTasks($input: CreateWeComOutreachTasksInput!) {
    createWeComOutreachTasks(input: $input) {
      __typename
      ... on CreateWeComOutreachTasksPayload {
        created rejected
        items { index phone errorCode errorMessage task { id day staff { id name } } }
      }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on NotFoundError { field }
    }
  }
`);
