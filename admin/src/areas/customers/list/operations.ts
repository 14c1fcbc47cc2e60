// The list's query: one page of customers with what each row shows.
import { graphql } from '@/gql';

export const CustomerListQuery = graphql(`
  query CustomerList($filter: CustomerFilter, $orderBy: CustomerOrderBy, $first: Int, $after: String) {
    customers(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges {
        node {
          id name phone email wecomExternalId unionId city sourceChannel lifecycleStage
          orderCount totalSpent lastOrderAt createdAt blacklisted marketingConsent
          tags { id name color }
        }
      }
    }
  }
`);

export const TagCustomersMutation = graphql(`
  mutation BulkTagCustomers($input: TaggingInput!) {
    tagCustomers(input: $input) {
      __typename
      ... on TaggingResult { matchedCustomers changedAssignments }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);

export const UntagCustomersMutation = graphql(`
  mutation BulkUntagCustomers($input: TaggingInput!) {
    untagCustomers(input: $input) {
      __typename
      ... on TaggingResult { matchedCustomers changedAssignments }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);
