export { CampaignDefinition, SendWindow, Variant, checkDefinitionShape, type CampaignDefinitionInput, type CampaignIssue } from './definition.ts';
export { estimateAudience, loadAudienceSettings, snapshotAudience, type AudienceEstimate, type AudienceSettings } from './audience.ts';
export { CampaignError, changeCampaignState, checkCampaign, nextOccurrence, parseDefinition, runDueCampaigns, startRun, type CampaignAction, type StartedRun } from './lifecycle.ts';
export { dispatchCampaigns, type CampaignDispatchDeps } from './dispatch.ts';
export { campaignResults, holdoutResults, type CampaignResultRow, type HoldoutResult, type ResultsGroupBy, type ResultsScope } from './results.ts';
export { linkReceipts, RECEIPT_EVENTS } from './receipts.ts';
export { windowState, type WindowState } from './windows.ts';
