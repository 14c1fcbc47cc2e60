import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        // graphql 16 has no exports map: Node loads its CommonJS build for Pothos and yoga, so the tests
        // must load that same build or its types come from "another realm".
        resolve: { alias: [{ find: /^graphql$/, replacement: 'graphql/index.js' }] },
        test: {
          name: 'server',
          include: ['{api,schema,prisma,plugins,e2e}/**/*.test.ts'],
          exclude: ['**/node_modules/**'],
          globalSetup: ['./prisma/src/vitest-global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      // The admin's component tests: Vue, happy-dom, its own config.
      './admin/vite.config.ts',
    ],
    pool: 'forks',
    // Two cores: more workers than that only thrash, and each PGlite-backed file holds its own database.
    maxWorkers: 2,
  },
});
