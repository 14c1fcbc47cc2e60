// Prisma's WebAssembly schema engine, loaded by hand: its package is built for bundlers (it
// imports the .wasm file as a module), and the native engine the Prisma CLI uses cannot be
// downloaded on our machines. See /work/shared/notes/prisma-offline.md.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { bindMigrationAwareSqlAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import * as bg from '@prisma/schema-engine-wasm/schema_engine_bg';
import type { SchemaEngine } from '@prisma/schema-engine-wasm/schema_engine_bg';

export type { SchemaEngine };

// The root tsconfig's libs (ES2023, no DOM) do not describe WebAssembly; this is all we use of it.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
};

interface PanicRegistry {
  message: string;
  set_message(message: string): void;
  get(): string;
}

const globals = globalThis as { PRISMA_WASM_PANIC_REGISTRY?: PanicRegistry };

let loaded = false;

// The glue module keeps one wasm instance for the whole process, so instantiate it only once.
function load(): void {
  if (loaded) return;
  // The engine's panic hook writes its message here; without it a panic becomes an unreadable TypeError.
  globals.PRISMA_WASM_PANIC_REGISTRY ??= {
    message: '',
    set_message(this: PanicRegistry, message: string) {
      this.message = message;
    },
    get(this: PanicRegistry) {
      return this.message;
    },
  };
  const require = createRequire(import.meta.url);
  const glue = require.resolve('@prisma/schema-engine-wasm/schema_engine_bg');
  const bytes = readFileSync(join(dirname(glue), 'schema_engine_bg.wasm'));
  const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), { './schema_engine_bg.js': bg });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  loaded = true;
}

/** Empty filters: every table and enum in the database belongs to schema.prisma. */
export const noFilters = { externalTables: [], externalEnums: [] };

/**
 * Runs `fn` with an engine that talks to the database behind `adapterFactory` and knows the
 * schema file; frees the engine (and its wasm memory) afterwards, whatever happens.
 */
export async function withEngine<T>(
  adapterFactory: SqlMigrationAwareDriverAdapterFactory,
  schema: { path: string; content: string },
  fn: (engine: SchemaEngine) => Promise<T>,
): Promise<T> {
  load();
  const log = process.env.COURTYARD_MIGRATE_DEBUG ? (line: string) => console.error('[schema-engine]', line) : () => undefined;
  const engine = await bg.SchemaEngine.new(
    { datamodels: [[schema.path, schema.content]] },
    log,
    bindMigrationAwareSqlAdapterFactory(adapterFactory),
  );
  try {
    return await fn(engine);
  } finally {
    engine.free();
  }
}
