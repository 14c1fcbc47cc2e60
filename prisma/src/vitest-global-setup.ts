// Vitest `globalSetup` for every package: `globalSetup: ['@courtyard/db/vitest-global-setup']`.
// Recreates and migrates TEST_DATABASE_URL once per run; nothing to do for embedded test databases.
import { setupTestDatabase } from './testing.ts';

export default function setup(): Promise<() => Promise<void>> {
  return setupTestDatabase();
}
