// The limits Courtyard applies to staff tasks: add-friend tasks per staff member a day and their
// expiry, and brand moments a customer may see a day.
import { graphql } from '@/gql';

export const TaskLimitsQuery = graphql(`
  query WeComTaskLimits {
    wecomStaffTaskSettings { outreachPerStaffDay outreachExpiryDays momentsPerCustomerDay confirmHours }
  }
`);

export const UpdateTaskLimitsMutation = graphql(`
  mutation UpdateWeComTaskLimits($input: WeComStaffTaskSettingsInput!) {
    updateWeComStaffTaskSettings(input: $input) {
      __typename
      ... on WeComStaffTaskSettings { outreachPerStaffDay outreachExpiryDays momentsPerCustomerDay confirmHours }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);
