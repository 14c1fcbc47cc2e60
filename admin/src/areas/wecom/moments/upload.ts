// uploadWeComMedia as a GraphQL multipart request: the file goes to WeCom through the API and comes
// back as the media_id a moment's attachment takes.
import { graphql } from '@/gql';
import { multipartBody } from '@/graphql/multipart';
import type { UploadWeComMediaMutation, WeComMediaType } from '@/gql/graphql';
import { authorizationHeader } from '@/session';

export const UploadWeComMediaDocument = graphql(`
  mutation UploadWeComMedia($file: File!, $type: WeComMediaType!) {
    uploadWeComMedia(file: $file, type: $type) {
      __typename
      ... on WeComMedia { mediaId type name size expiresAt }
      ... on Error { message code }
      ... on ValidationError { fields { field message } }
    }
  }
`);

export type UploadResult = UploadWeComMediaMutation['uploadWeComMedia'];

export async function uploadWeComMedia(file: File, type: WeComMediaType): Promise<UploadResult> {
  const form = multipartBody(UploadWeComMediaDocument, { file: null, type }, 'file', file);
  const res = await fetch('/graphql', { method: 'POST', body: form, headers: authorizationHeader() });
  const body = (await res.json()) as { data?: UploadWeComMediaMutation; errors?: Array<{ message: string }> };
  if (body.errors?.length || !body.data) throw new Error(body.errors?.map((e) => e.message).join('; ') || `HTTP ${res.status}`);
  return body.data.uploadWeComMedia;
}
