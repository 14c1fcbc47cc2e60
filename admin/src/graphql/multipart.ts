// A GraphQL multipart request body (the spec graphql-yoga reads): the operation with the file's
// variable null, a map naming where the file goes, and the file itself.
import { print, type DocumentNode } from 'graphql';

export function multipartBody(document: DocumentNode, variables: Record<string, unknown>, filePath: string, file: File): FormData {
  const form = new FormData();
  form.set('operations', JSON.stringify({ query: print(document), variables }));
  form.set('map', JSON.stringify({ 0: [`variables.${filePath}`] }));
  form.set('0', file, file.name);
  return form;
}
