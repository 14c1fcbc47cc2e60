// The Prisma CLI downloads a native schema engine at start, which these machines cannot.
// `generate` needs no engine; pointing at /bin/false makes any command that would need it fail loudly.
// Migrations go through the project's own tool (src/migrate), on Prisma's WebAssembly engine.
import { defineConfig } from 'prisma/config';

process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= '/bin/false';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
});
