import { defineConfig } from 'vitest/config';

export default defineConfig({
  // graphql 16 has no exports map: Node loads its CommonJS build for Pothos and yoga, so the tests
  // must load that same build or its types come from "another realm".
  resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
  test: {
    include: ['{api,schema,prisma,plugins,e2e}/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['./prisma/src/vitest-global-setup.ts'],
    pool: 'forks',
    // Two cores: more workers than that only thrash, and each PGlite-backed file holds its own database.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
