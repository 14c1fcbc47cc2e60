// Typed operations from the API's printed schema: `graphql(...)` in any .ts/.vue file returns a
// TypedDocumentNode, so urql knows each query's result and variables.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../schema/schema.graphql',
  documents: ['src/**/*.{ts,vue}', '!src/gql/**/*'],
  ignoreNoDocuments: true,
  generates: {
    './src/gql/': {
      preset: 'client',
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', JSON: 'unknown', Date: 'string', BigInt: 'string' },
      },
      presetConfig: { fragmentMasking: false },
    },
  },
};
export default config;
