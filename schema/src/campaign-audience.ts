// Before sending: how big the audience is after each exclusion, and what a variant reads like for
// a sample customer. Nothing is stored.
import { randomUUID } from 'node:crypto';
import { renderTemplate } from '@courtyard/plugin-sdk';
import { loadCustomers } from '@courtyard/runtime';
import { estimateAudience, loadAudienceSettings, type AudienceEstimate } from '@courtyard/runtime/campaigns';
import { builder } from './builder.ts';
import { checkedDefinition, findCampaign, parseCampaignDefinition } from './campaign-definition.ts';
import { InputError, NotFoundError } from './errors.ts';
import { resultUnion } from './error-types.ts';
import { decodeId } from './validation.ts';

export const AudienceEstimateRef = builder.objectRef<AudienceEstimate>('AudienceEstimate').implement({
  description: 'A campaign audience counted step by step; each exclusion counts the customers it removes among those the steps before it left.',
  fields: (t) => ({
    inSegments: t.exposeInt('inSegments', { description: 'Customers in at least one of the chosen segments.' }),
    excludedBySegments: t.exposeInt('excludedBySegments', { description: 'Removed for being in an exclusion segment.' }),
    blacklisted: t.exposeInt('blacklisted', { description: 'Removed for being blacklisted.' }),
    noConsent: t.exposeInt('noConsent', { description: 'Removed for having no marketing consent (marketing messages only).' }),
    riskTagged: t.exposeInt('riskTagged', { description: 'Removed for carrying one of the workspace\'s campaign-excluded (risk) tags.' }),
    overFrequencyCap: t.exposeInt('overFrequencyCap', { description: 'Removed for having reached the daily frequency cap today.' }),
    audience: t.exposeInt('audience', { description: 'Who the campaign would reach, control group included.' }),
    holdout: t.exposeInt('holdout', { description: 'Of them, the control group (recorded, not sent to).' }),
    toSend: t.exposeInt('toSend', { description: 'Messages that would be queued: audience − holdout.' }),
  }),
});

const MessagePreviewRef = builder.objectRef<{ subject: string | null; body: string }>('CampaignMessagePreview').implement({
  description: 'A variant rendered for one customer, as they would receive it.',
  fields: (t) => ({
    subject: t.exposeString('subject', { nullable: true, description: 'The rendered subject; null when the variant has none.' }),
    body: t.exposeString('body', { description: 'The rendered text.' }),
  }),
});

builder.queryFields((t) => ({
  estimateAudience: t.field({
    type: AudienceEstimateRef,
    description: 'Counts the audience a campaign definition would reach now, after every exclusion, without storing anything. A bad definition answers with the fields to fix.',
    authScopes: { 'campaigns:read': true },
    args: {
      definition: t.arg({ type: 'JSONObject', required: true, description: 'A campaign definition (see CampaignInput.definition).' }),
      campaignId: t.arg.id({ description: 'The campaign it is for: its control group is then counted exactly as a start would draw it.' }),
    },
    errors: { types: [InputError, NotFoundError], union: resultUnion('estimating an audience') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const definition = await checkedDefinition(ctx, workspaceId, args.definition, ['definition']);
      const campaignId = args.campaignId == null ? randomUUID() : (await findCampaign(ctx, String(args.campaignId), ['campaignId'])).id;
      const settings = await loadAudienceSettings(ctx.db.query, workspaceId);
      return estimateAudience(ctx.db.query, settings, campaignId, definition);
    },
  }),
  previewCampaignMessage: t.field({
    type: MessagePreviewRef,
    description: 'Renders one variant of a campaign definition for a sample customer, without sending or storing anything.',
    authScopes: { 'campaigns:read': true, 'customers:read': true },
    args: {
      definition: t.arg({ type: 'JSONObject', required: true, description: 'A campaign definition (see CampaignInput.definition).' }),
      variantKey: t.arg.string({ required: true, description: 'The key of the variant to render, e.g. "A".' }),
      customerId: t.arg.id({ required: true, description: 'The sample customer.' }),
    },
    errors: { types: [InputError, NotFoundError], union: resultUnion('previewing a campaign message') },
    resolve: async (_root, args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const definition = parseCampaignDefinition(args.definition, ['definition']);
      const index = definition.content.variants.findIndex((v) => v.key === args.variantKey);
      if (index < 0) {
        throw new InputError({ path: ['variantKey'], message: `no variant "${args.variantKey}"; the definition has ${definition.content.variants.map((v) => `"${v.key}"`).join(', ')}`, code: 'not_found' });
      }
      const customerId = decodeId(String(args.customerId), 'Customer', ['customerId']);
      const customer = (await loadCustomers(ctx.db.query, workspaceId, [customerId])).get(customerId);
      if (!customer) throw new NotFoundError('customer', 'customerId', String(args.customerId));
      const variant = definition.content.variants[index]!;
      const scope = { customer, links: definition.content.links };
      return { subject: variant.subject ? renderTemplate(variant.subject, scope) : null, body: renderTemplate(variant.body, scope) };
    },
  }),
}));
