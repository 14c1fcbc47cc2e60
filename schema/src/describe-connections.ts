// Connection and edge types are generated per field; give them (and their totalCount) descriptions
// so every part of the schema reads well in GraphiQL.
import { isObjectType, type GraphQLSchema } from 'graphql';

export function describeConnections(schema: GraphQLSchema): GraphQLSchema {
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type)) continue;
    const fields = type.getFields();
    if (type.name.endsWith('ConnectionEdge')) {
      const node = fields.node?.type.toString().replace(/!$/, '');
      type.description ??= `One ${node} in a page, with its cursor.`;
    } else if (type.name.endsWith('Connection') && fields.edges) {
      const node = type.name.replace(/Connection$/, '');
      type.description ??= `A page of ${node} (Relay cursor connection).`;
      if (fields.totalCount) fields.totalCount.description ??= 'How many items the whole list has, across all pages.';
    }
  }
  const query = schema.getQueryType()?.getFields();
  for (const arg of [...(query?.node?.args ?? []), ...(query?.nodes?.args ?? [])]) {
    arg.description ??= arg.name === 'id' ? 'A global ID from any object\'s `id` field.' : 'Global IDs from objects\' `id` fields.';
  }
  return schema;
}
