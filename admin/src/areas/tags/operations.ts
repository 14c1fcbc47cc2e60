// The tags area's GraphQL operations (typed by codegen).
import { graphql } from '@/gql';

export const TagTaxonomyQuery = graphql(`
  query TagTaxonomy {
    tagGroups { id name kind description tags { id name color customerCount } }
  }
`);

export const CreateTagGroupMutation = graphql(`
  mutation CreateTagGroup($input: TagGroupInput!) {
    createTagGroup(input: $input) {
      __typename
      ... on TagGroup { id name kind description tags { id } }
      ... on ValidationError { message fields { field message } }
      ... on ConflictError { message field }
    }
  }
`);

export const UpdateTagGroupMutation = graphql(`
  mutation UpdateTagGroup($id: ID!, $input: TagGroupPatch!) {
    updateTagGroup(id: $id, input: $input) {
      __typename
      ... on TagGroup { id name kind description }
      ... on ValidationError { message fields { field message } }
      ... on ConflictError { message field }
      ... on NotFoundError { message field }
    }
  }
`);

export const DeleteTagGroupMutation = graphql(`
  mutation DeleteTagGroup($id: ID!) { deleteTagGroup(id: $id) { __typename ... on Deleted { deletedId } ... on Error { message } } }
`);

export const CreateTagMutation = graphql(`
  mutation CreateTag($input: TagInput!) {
    createTag(input: $input) {
      __typename
      ... on Tag { id name color customerCount group { id } }
      ... on ValidationError { message fields { field message } }
      ... on ConflictError { message field }
      ... on NotFoundError { message field }
    }
  }
`);

export const UpdateTagMutation = graphql(`
  mutation UpdateTag($id: ID!, $input: TagPatch!) {
    updateTag(id: $id, input: $input) {
      __typename
      ... on Tag { id name color customerCount group { id } }
      ... on ValidationError { message fields { field message } }
      ... on ConflictError { message field }
      ... on NotFoundError { message field }
    }
  }
`);

export const DeleteTagMutation = graphql(`
  mutation DeleteTag($id: ID!) { deleteTag(id: $id) { __typename ... on Deleted { deletedId } ... on Error { message } } }
`);

export const MergeTagsMutation = graphql(`
  mutation MergeTags($input: MergeTagsInput!) {
    mergeTags(input: $input) {
      __typename
      ... on MergeTagsPayload { target { id name customerCount } deletedTagIds customersRetagged segmentsUpdated }
      ... on ValidationError { message fields { field message } }
      ... on NotFoundError { message field }
    }
  }
`);
