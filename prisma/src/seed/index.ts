// Demo and benchmark data: `seedDemo` for the workspace `pnpm start` shows, `generateCustomers`
// for bulk fake customers (`pnpm db:seed --customers 1000000`).
export { DEMO_LOGIN, DEMO_WORKSPACE_NAME, seedDemo, type DemoSeedResult, type SeedDemoOptions } from './demo.ts';
export { phoneForIndex } from './chunk.ts';
export {
  generateCustomers,
  type GenerateCounts,
  type GenerateOptions,
  type GenerateProgress,
  type GenerateResult,
} from './generate.ts';
export { DEMO_TAXONOMY, PRODUCTS, type TagGroupSpec } from './catalog.ts';
