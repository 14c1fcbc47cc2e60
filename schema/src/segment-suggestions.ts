// segmentSuggestions: the values a workspace's data actually holds (event types, channels, SKUs,
// categories, platforms, custom attribute keys), so a rule builder can offer them while typing.
// Each list is read by skipping through an index (one probe per distinct value), so it stays cheap
// on millions of rows.
import { builder } from './builder.ts';

const LIMIT = 200;

interface Suggestions {
  eventTypes: string[];
  channels: string[];
  skus: string[];
  categories: string[];
  platforms: string[];
  attributeKeys: string[];
}

/** Distinct values of `column` in `table` for a workspace, by a loose index scan over (workspaceId, column). */
function distinctSql(table: string, column: string): string {
  return `WITH RECURSIVE v AS (
    (SELECT "${column}" AS value FROM "${table}" WHERE "workspaceId" = $1::uuid AND "${column}" IS NOT NULL ORDER BY "${column}" LIMIT 1)
    UNION ALL
    SELECT (SELECT "${column}" FROM "${table}" WHERE "workspaceId" = $1::uuid AND "${column}" > v.value ORDER BY "${column}" LIMIT 1) FROM v WHERE v.value IS NOT NULL)
  SELECT value FROM v WHERE value IS NOT NULL LIMIT ${LIMIT}`;
}

const SegmentSuggestionsRef = builder.objectRef<Suggestions>('SegmentSuggestions').implement({
  description: `Values seen in the workspace, for building segment conditions (at most ${LIMIT} of each, in order).`,
  fields: (t) => ({
    eventTypes: t.exposeStringList('eventTypes', { description: 'Event types customers have performed.' }),
    channels: t.exposeStringList('channels', { description: 'Customer source channels.' }),
    skus: t.exposeStringList('skus', { description: 'SKUs of order items.' }),
    categories: t.exposeStringList('categories', { description: 'Categories of order items.' }),
    platforms: t.exposeStringList('platforms', { description: 'Platforms orders came from.' }),
    attributeKeys: t.exposeStringList('attributeKeys', { description: 'Custom attribute keys, from a sample of recent customers.' }),
  }),
});

builder.queryFields((t) => ({
  segmentSuggestions: t.field({
    type: SegmentSuggestionsRef,
    description: 'Values seen in this workspace (event types, channels, SKUs, categories, platforms, attribute keys) to offer in a segment rule builder.',
    authScopes: { 'segments:read': true },
    resolve: async (_root, _args, ctx) => {
      const workspaceId = ctx.workspaceId();
      const list = async (sql: string) => (await ctx.db.query<{ value: string }>(sql, [workspaceId])).map((r) => r.value);
      const [eventTypes, channels, skus, categories, platforms, attributeKeys] = await Promise.all([
        list(distinctSql('Event', 'type')),
        list(distinctSql('Customer', 'sourceChannel')),
        list(distinctSql('OrderItem', 'sku')),
        list(distinctSql('OrderItem', 'category')),
        list(distinctSql('Order', 'platform')),
        list(`SELECT DISTINCT k AS value FROM (SELECT attributes FROM "Customer" WHERE "workspaceId" = $1::uuid ORDER BY "createdAt" DESC LIMIT 2000) c, jsonb_object_keys(c.attributes) k ORDER BY 1 LIMIT ${LIMIT}`),
      ]);
      return { eventTypes, channels, skus, categories, platforms, attributeKeys };
    },
  }),
}));
