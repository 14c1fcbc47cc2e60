// The drawer's reads and writes of one customer.
import { graphql } from '@/gql';

export const CustomerDetailQuery = graphql(`
  query CustomerDetail($id: ID!) {
    customer(id: $id) {
      id name phone email wecomExternalId unionId gender birthday city sourceChannel lifecycleStage
      marketingConsent blacklisted attributes orderCount totalSpent lastOrderAt createdAt updatedAt
      tagAssignments { source createdAt tag { id name color group { id name } } }
    }
  }
`);

export const CustomerLiveSubscription = graphql(`
  subscription CustomerLive($id: ID!) {
    customerUpdated(id: $id) { customerId change }
  }
`);

export const UpdateCustomerMutation = graphql(`
  mutation UpdateCustomerProfile($id: ID!, $input: CustomerPatch!) {
    updateCustomer(id: $id, input: $input) {
      __typename
      ... on Customer { id name phone email wecomExternalId unionId gender birthday city sourceChannel lifecycleStage marketingConsent blacklisted updatedAt }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on ConflictError { field }
    }
  }
`);

export const DeleteCustomerMutation = graphql(`
  mutation DeleteCustomer($id: ID!) {
    deleteCustomer(id: $id) { __typename ... on Deleted { deletedId } ... on Error { message } }
  }
`);

export const TagOneMutation = graphql(`
  mutation TagOneCustomer($input: TaggingInput!) {
    tagCustomers(input: $input) { __typename ... on TaggingResult { changedAssignments } ... on Error { message } }
  }
`);

export const UntagOneMutation = graphql(`
  mutation UntagOneCustomer($input: TaggingInput!) {
    untagCustomers(input: $input) { __typename ... on TaggingResult { changedAssignments } ... on Error { message } }
  }
`);

export const CustomerEventsQuery = graphql(`
  query CustomerEvents($id: ID!, $first: Int!) {
    customer(id: $id) {
      id
      events(first: $first) { totalCount edges { node { id type properties occurredAt } } }
    }
  }
`);

export const CustomerOrdersQuery = graphql(`
  query CustomerOrders($id: ID!, $first: Int!) {
    customer(id: $id) {
      id
      orders(first: $first) {
        totalCount
        edges { node { id platform externalId status total paid currency placedAt items { productName quantity } } }
      }
    }
  }
`);

export const CustomerMessagesQuery = graphql(`
  query CustomerMessages($id: ID!, $first: Int!) {
    customer(id: $id) {
      id
      deliveries(first: $first) {
        totalCount
        edges { node { id channel subject body status error createdAt sentAt campaign { id name } journey { id name } } }
      }
    }
  }
`);

export const CustomerJourneysQuery = graphql(`
  query CustomerJourneys($id: ID!, $first: Int!) {
    customer(id: $id) {
      id
      enrollments(first: $first) {
        totalCount
        edges { node { id status nodeId enteredAt endedAt exitReason lastError journey { id name } } }
      }
    }
  }
`);
