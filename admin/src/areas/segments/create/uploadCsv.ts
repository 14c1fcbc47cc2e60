// importSegmentCsv as a GraphQL multipart request sent with XMLHttpRequest, so a large file shows
// its upload progress (fetch cannot report it).
import { graphql } from '@/gql';
import { multipartBody } from '@/graphql/multipart';
import type { ImportSegmentCsvMutation } from '@/gql/graphql';
import { authorizationHeader } from '@/session';

export const ImportSegmentCsvDocument = graphql(`
  mutation ImportSegmentCsv($input: ImportSegmentCsvInput!) {
    importSegmentCsv(input: $input) {
      __typename
      ... on ImportSegmentCsvPayload {
        encoding rowCount matchedCount addedCount unmatchedCount problemCount
        segment { id name size }
        unmatched { line value kind message }
        problems { line value kind message }
      }
      ... on ValidationError { message fields { path field message } }
      ... on ConflictError { message field }
      ... on NotFoundError { message field }
    }
  }
`);

export type ImportResult = ImportSegmentCsvMutation['importSegmentCsv'];

export function uploadSegmentCsv(input: { name: string; description?: string | null }, file: File, onProgress: (ratio: number) => void): Promise<ImportResult> {
  const form = multipartBody(ImportSegmentCsvDocument, { input: { ...input, file: null } }, 'input.file', file);
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/graphql');
    for (const [k, v] of Object.entries(authorizationHeader())) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new Error('network error'));
    xhr.onload = () => {
      try {
        const body = JSON.parse(xhr.responseText) as { data?: ImportSegmentCsvMutation; errors?: Array<{ message: string }> };
        if (body.errors?.length) reject(new Error(body.errors.map((e) => e.message).join('; ')));
        else resolve(body.data!.importSegmentCsv);
      } catch {
        reject(new Error(`HTTP ${xhr.status}`));
      }
    };
    xhr.send(form);
  });
}
