// The segments area's GraphQL operations (typed by codegen).
import { graphql } from '@/gql';

export const SegmentListQuery = graphql(`
  query SegmentList($first: Int!, $after: String, $search: String, $type: SegmentType, $archived: Boolean) {
    segments(first: $first, after: $after, search: $search, type: $type, archived: $archived) {
      totalCount
      pageInfo { hasNextPage endCursor }
      edges { node { id name description type size timeDependent lastRefreshedAt archivedAt updatedAt } }
    }
  }
`);

export const DefinitionSchemaQuery = graphql(`
  query SegmentDefinitionSchema { segmentDefinitionSchema }
`);

export const SegmentForEditQuery = graphql(`
  query SegmentForEdit($id: ID!) { segment(id: $id) { id name description type definition } }
`);

export const CustomerTotalQuery = graphql(`
  query SegmentCustomerTotal { customers(first: 1) { totalCount } }
`);

export const PreviewSegmentQuery = graphql(`
  query PreviewSegment($definition: JSON!, $first: Int) {
    previewSegment(definition: $definition, first: $first) {
      __typename
      ... on SegmentPreview { count customers { id name phone email city } }
      ... on ValidationError { message fields { path message } }
    }
  }
`);


export const CreateSegmentMutation = graphql(`
  mutation CreateSegment($input: SegmentInput!) {
    createSegment(input: $input) {
      __typename
      ... on Segment { id name }
      ... on ValidationError { message fields { path field message } }
      ... on ConflictError { message field }
      ... on NotFoundError { message field }
    }
  }
`);

export const UpdateSegmentMutation = graphql(`
  mutation UpdateSegment($id: ID!, $input: SegmentPatch!) {
    updateSegment(id: $id, input: $input) {
      __typename
      ... on Segment { id name definition timeDependent }
      ... on ValidationError { message fields { path field message } }
      ... on ConflictError { message field }
      ... on NotFoundError { message field }
    }
  }
`);

export const SegmentSuggestionsQuery = graphql(`
  query SegmentSuggestions { segmentSuggestions { eventTypes channels skus categories platforms attributeKeys } }
`);

export const SegmentDetailQuery = graphql(`
  query SegmentDetail($id: ID!) {
    segment(id: $id) { id name description type definition size timeDependent lastRefreshedAt archivedAt createdAt updatedAt }
  }
`);

export const SegmentStatsQuery = graphql(`
  query SegmentStats($id: ID!, $from: Date!, $to: Date!) {
    segment(id: $id) { id stats(from: $from, to: $to) { date entered exited size } }
  }
`);

export const SegmentMembersQuery = graphql(`
  query SegmentMembers($id: ID!, $first: Int!, $after: String) {
    segment(id: $id) {
      id
      members(first: $first, after: $after) {
        totalCount
        pageInfo { hasNextPage endCursor }
        edges { node { id name phone email city lifecycleStage orderCount totalSpent createdAt } }
      }
    }
  }
`);

export const SegmentChangedSubscription = graphql(`
  subscription SegmentChanged($id: ID!) {
    segmentChanged(id: $id) { enteredCount exitedCount at segment { id size lastRefreshedAt } }
  }
`);

export const RefreshSegmentMutation = graphql(`
  mutation RefreshSegment($id: ID!) {
    refreshSegment(id: $id) {
      __typename
      ... on SegmentRefresh { entered exited segment { id size lastRefreshedAt } }
      ... on Error { message }
    }
  }
`);

export const ArchiveSegmentMutation = graphql(`
  mutation ArchiveSegment($id: ID!) { archiveSegment(id: $id) { __typename ... on Segment { id archivedAt } ... on Error { message } } }
`);

export const RestoreSegmentMutation = graphql(`
  mutation RestoreSegment($id: ID!) { restoreSegment(id: $id) { __typename ... on Segment { id archivedAt } ... on Error { message } } }
`);

export const DeleteSegmentMutation = graphql(`
  mutation DeleteSegment($id: ID!) { deleteSegment(id: $id) { __typename ... on Deleted { deletedId } ... on Error { message } } }
`);
