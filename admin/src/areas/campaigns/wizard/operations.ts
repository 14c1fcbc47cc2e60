// The wizard's reads and writes. Mutation results carry every typed error the wizard shows.
import { graphql } from '@/gql';

export const LoadCampaign = graphql(`
  query CampaignForWizard($id: ID!) {
    campaign(id: $id) { id name description status kind cron scheduledAt definition }
  }
`);

export const CreateCampaign = graphql(`
  mutation WizardCreateCampaign($input: CampaignInput!) {
    createCampaign(input: $input) {
      __typename
      ... on Campaign { id status kind }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on ConflictError { field }
    }
  }
`);

export const UpdateCampaign = graphql(`
  mutation WizardUpdateCampaign($id: ID!, $patch: CampaignPatch!) {
    updateCampaign(id: $id, patch: $patch) {
      __typename
      ... on Campaign { id status kind }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on ConflictError { field }
      ... on NotFoundError { field }
    }
  }
`);

export const StartCampaign = graphql(`
  mutation WizardStartCampaign($id: ID!) {
    startCampaign(id: $id) {
      __typename
      ... on StartCampaignPayload { planned heldOut campaign { id status } }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
      ... on EmptyAudienceError { field }
    }
  }
`);

export const ScheduleCampaign = graphql(`
  mutation WizardScheduleCampaign($id: ID!, $at: DateTime) {
    scheduleCampaign(id: $id, at: $at) {
      __typename
      ... on Campaign { id status kind scheduledAt nextRunAt }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);
