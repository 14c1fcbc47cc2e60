import { graphql } from '@/gql';

export const DashboardFigures = graphql(`
  query DashboardFigures {
    dashboard {
      timeZone customers newCustomersToday newCustomersYesterday buyers30d repeatBuyers30d repurchaseRate30d
      activeJourneys runningCampaigns scheduledCampaigns
      largestSegment { id name }
    }
    journeys(status: active, first: 6) { edges { node { id name enrolledCount insideCount } } }
    campaigns(status: running, first: 6) {
      edges { node { id name status progress { total queued sent delivered failed skipped replied clicked heldOut cancelled } } }
    }
  }
`);

export const JourneyLive = graphql(`
  subscription DashboardJourneyLive($id: ID!) {
    journeyProgress(journeyId: $id) { at journey { id enrolledCount insideCount } }
  }
`);

export const SegmentFlowStats = graphql(`
  query DashboardSegmentFlow($id: ID!, $from: Date!, $to: Date!) {
    segment(id: $id) { id name size stats(from: $from, to: $to) { date entered exited size } }
  }
`);

export const SegmentLive = graphql(`
  subscription DashboardSegmentLive($id: ID!) {
    segmentChanged(id: $id) { at enteredCount exitedCount }
  }
`);
