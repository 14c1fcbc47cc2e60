// `pnpm db:migration:new <name>` | `pnpm db:migrate` | `pnpm db:check`.
// pnpm runs package scripts inside prisma/, but COURTYARD_DATA_DIR (and the default
// ./.courtyard/data) mean the folder the user ran pnpm from, which pnpm passes as INIT_CWD.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const { relative } = await import('node:path');
const { createDb, defaultDataDir } = await import('../client.ts');
const { checkMigrations, createMigration, migrate } = await import('./index.ts');

const usage = `Usage:
  pnpm db:migration:new <name>   write a migration with what schema.prisma adds to prisma/migrations
  pnpm db:migrate                apply pending migrations (DATABASE_URL, else PGlite in COURTYARD_DATA_DIR)
  pnpm db:check                  fail when schema.prisma has changes no migration contains`;

const show = (path: string) => relative(process.cwd(), path) || '.';

function describeTarget(): string {
  const url = process.env.DATABASE_URL;
  if (!url) return `the embedded database in ${show(defaultDataDir())}`;
  const { hostname, port, pathname } = new URL(url);
  return `PostgreSQL at ${hostname}${port ? `:${port}` : ''}${pathname}`;
}

async function deploy(): Promise<number> {
  const target = describeTarget();
  const db = await createDb();
  try {
    const { applied } = await migrate(db);
    if (applied.length === 0) console.log(`No pending migrations: ${target} is up to date.`);
    else console.log(`Applied ${applied.length} migration(s) to ${target}:\n${applied.map((n) => `  ${n}`).join('\n')}`);
    return 0;
  } finally {
    await db.close();
  }
}

async function newMigration(name: string | undefined): Promise<number> {
  if (!name) {
    console.error(`A migration needs a name, e.g. pnpm db:migration:new add_order_notes\n\n${usage}`);
    return 2;
  }
  const folder = await createMigration(name);
  if (!folder) {
    console.log('schema.prisma and the migrations already match: no migration written.');
    return 0;
  }
  console.log(`Wrote ${show(folder)}/migration.sql. Review it, commit it, then run pnpm db:migrate.`);
  return 0;
}

async function check(): Promise<number> {
  const { upToDate, sql } = await checkMigrations();
  if (upToDate) {
    console.log('The migrations match schema.prisma.');
    return 0;
  }
  console.log(sql.trimEnd());
  console.error(
    '\nschema.prisma has changes that no migration contains (the SQL above).\n' +
      'Run `pnpm db:migration:new <name>` to write them as a migration, and commit it.',
  );
  return 1;
}

const [command, ...args] = process.argv.slice(2);
try {
  const commands: Record<string, () => Promise<number>> = {
    new: () => newMigration(args[0]),
    deploy,
    check,
  };
  const runCommand = command ? commands[command] : undefined;
  if (!runCommand) {
    console.error(usage);
    process.exitCode = 2;
  } else {
    process.exitCode = await runCommand();
  }
} catch (error) {
  // Engine errors end with a Rust span trace ("   0: schema_engine…") that only helps engine developers.
  const message = error instanceof Error ? error.message.split(/\n\s+0: /)[0] : String(error);
  console.error(`${command} failed: ${message}`);
  process.exitCode = 1;
}
