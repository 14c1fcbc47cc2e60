import { graphql } from '@/gql';

export const CampaignOverview = graphql(`
  query CampaignOverview($id: ID!) {
    campaign(id: $id) {
      id name description status kind cron scheduledAt nextRunAt lastError definition createdAt
      progress { total queued sent delivered failed skipped replied clicked heldOut cancelled }
      runs(first: 10) { totalCount edges { node { id number status occurrence startedAt finishedAt planned heldOut counts { sent failed } } } }
    }
    workspace { id timeZone }
  }
`);

export const CampaignDeliveries = graphql(`
  query CampaignDeliveries($id: ID!) {
    deliveries(campaignId: $id, first: 10) {
      totalCount
      edges { node { id status variant error sentAt createdAt customer { id name phone } } }
    }
  }
`);

export const PauseCampaign = graphql(`mutation ProgressPauseCampaign($id: ID!) { pauseCampaign(id: $id) { __typename ... on Campaign { id status } ... on Error { message code } } }`);
export const ResumeCampaign = graphql(`mutation ProgressResumeCampaign($id: ID!) { resumeCampaign(id: $id) { __typename ... on Campaign { id status } ... on Error { message code } } }`);
export const CancelCampaign = graphql(`mutation ProgressCancelCampaign($id: ID!) { cancelCampaign(id: $id) { __typename ... on Campaign { id status } ... on Error { message code } } }`);
export const DeleteCampaign = graphql(`mutation ProgressDeleteCampaign($id: ID!) { deleteCampaign(id: $id) { __typename ... on Deleted { deletedId } ... on Error { message code } } }`);
export const StartNow = graphql(`mutation ProgressStartCampaign($id: ID!) { startCampaign(id: $id) { __typename ... on StartCampaignPayload { planned } ... on Error { message code } } }`);
