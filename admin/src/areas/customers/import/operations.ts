// What an import sends: customer batches, tag lookups and creation, and tagging by id.
import type { Client } from '@urql/vue';
import { graphql } from '@/gql';
import type { CustomerInput } from '@/gql/graphql';
import type { ImportPorts, ItemOutcome } from './run-import';

const UpsertCustomersMutation = graphql(`
  mutation ImportCustomers($customers: [CustomerInput!]!) {
    upsertCustomers(customers: $customers) {
      __typename
      ... on UpsertCustomersPayload {
        results { index created customer { id } error { message fields { path message } } }
      }
      ... on Error { message }
    }
  }
`);

export const ImportTagsQuery = graphql(`
  query ImportTags {
    tagGroups { id name tags { id name } }
  }
`);

const CreateTagGroupMutation = graphql(`
  mutation ImportCreateTagGroup($input: TagGroupInput!) {
    createTagGroup(input: $input) { __typename ... on TagGroup { id } ... on Error { message } }
  }
`);

const CreateTagMutation = graphql(`
  mutation ImportCreateTag($input: TagInput!) {
    createTag(input: $input) { __typename ... on Tag { id name } ... on Error { message } }
  }
`);

const TagImportedMutation = graphql(`
  mutation ImportTagCustomers($input: TaggingInput!) {
    tagCustomers(input: $input) { __typename ... on TaggingResult { changedAssignments } ... on Error { message } }
  }
`);

const TAG_COLORS = ['#2080F0', '#18A058', '#F0A020', '#D03050', '#8A2BE2', '#13C2C2', '#EB2F96', '#FA8C16'];

/** Lower-cased, trimmed: 「VIP」 and 「vip」 in a file name the same tag. */
export const tagKey = (name: string) => name.trim().toLowerCase();

/** The import's API calls, for runImport. `groupName` is where missing tags are created. */
export function importPorts(client: Client, groupName: string): ImportPorts {
  const fail = (message: string | undefined): never => {
    throw new Error(message ?? 'request failed');
  };
  return {
    async upsert(inputs: CustomerInput[]): Promise<ItemOutcome[]> {
      const res = await client.mutation(UpsertCustomersMutation, { customers: inputs }).toPromise();
      const payload = res.data?.upsertCustomers;
      if (payload?.__typename !== 'UpsertCustomersPayload') return fail(res.error?.message.replace(/^\[\w+\]\s*/, '') ?? (payload && 'message' in payload ? payload.message : undefined));
      return payload.results.map((r) => ({
        customerId: r.customer?.id ?? null,
        created: r.created,
        errors: r.error ? (r.error.fields.length ? r.error.fields.map((f) => ({ field: f.path.slice(2).join('.'), message: f.message })) : [{ field: '', message: r.error.message }]) : [],
      }));
    },
    async tag(tagId, customerIds) {
      const res = await client.mutation(TagImportedMutation, { input: { tagIds: [tagId], customerIds } }).toPromise();
      const r = res.data?.tagCustomers;
      if (r?.__typename !== 'TaggingResult') fail(res.error?.message ?? (r && 'message' in r ? r.message : undefined));
    },
    async resolveTags(names) {
      const out = new Map<string, { id: string } | { error: string }>();
      const res = await client.query(ImportTagsQuery, {}, { requestPolicy: 'network-only' }).toPromise();
      if (!res.data) {
        for (const n of names) out.set(n, { error: res.error?.message ?? 'tags could not be read' });
        return out;
      }
      const known = new Map<string, string>();
      for (const g of res.data.tagGroups) for (const tag of g.tags) if (!known.has(tagKey(tag.name))) known.set(tagKey(tag.name), tag.id);
      const missing = names.filter((n) => !known.has(tagKey(n)));
      let groupId = res.data.tagGroups.find((g) => g.name === groupName)?.id ?? null;
      if (missing.length && !groupId) {
        const g = await client.mutation(CreateTagGroupMutation, { input: { name: groupName, kind: 'basic' } }).toPromise();
        const created = g.data?.createTagGroup;
        if (created?.__typename === 'TagGroup') groupId = created.id;
        else for (const n of missing) out.set(n, { error: g.error?.message ?? (created && 'message' in created ? created.message : 'tag group could not be created') });
      }
      let i = 0;
      for (const name of names) {
        const id = known.get(tagKey(name));
        if (id) out.set(name, { id });
        else if (groupId) {
          const r = await client.mutation(CreateTagMutation, { input: { groupId, name: name.trim(), color: TAG_COLORS[i++ % TAG_COLORS.length] } }).toPromise();
          const tag = r.data?.createTag;
          if (tag?.__typename === 'Tag') {
            known.set(tagKey(name), tag.id);
            out.set(name, { id: tag.id });
          } else out.set(name, { error: r.error?.message ?? (tag && 'message' in tag ? tag.message : 'tag could not be created') });
        }
      }
      return out;
    },
  };
}
