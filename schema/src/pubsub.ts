import { createPubSub, type PubSub } from 'graphql-yoga';

export interface CustomerUpdatedMessage {
  customerId: string;
  change: 'created' | 'updated' | 'deleted' | 'tagged';
}

/** Topics are per workspace: a subscriber can only ever receive its own workspace's messages. */
export interface SegmentChangedMessage {
  segmentId: string;
  entered: string[];
  exited: string[];
}

/** Steps moved customers through a journey; subscribers re-read its counts (coalesced). */
export interface JourneyProgressMessage {
  journeyId: string;
}

/** A campaign's deliveries moved on (sent, failed, a run started or finished); subscribers re-read its counts (coalesced). */
export interface CampaignProgressMessage {
  campaignId: string;
}

export type CourtyardTopics = {
  customerUpdated: [workspaceId: string, message: CustomerUpdatedMessage];
  segmentChanged: [workspaceId: string, message: SegmentChangedMessage];
  journeyProgress: [workspaceId: string, message: JourneyProgressMessage];
  campaignProgress: [workspaceId: string, message: CampaignProgressMessage];
  /** A revoked API key, so every API node drops it from its cache at once. */
  apiKeyRevoked: [apiKeyId: string];
  /** Something in this workspace changed on some node: cached query results of it are stale. */
  workspaceDataChanged: [workspaceId: string];
};

export type CourtyardPubSub = PubSub<CourtyardTopics>;

export { createPubSub };
