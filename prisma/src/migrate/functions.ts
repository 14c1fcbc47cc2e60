// SQL functions schema.prisma's defaults call (`@default(dbgenerated("uuid_v7()"))`). Prisma knows
// nothing of them, so a migration the tool writes that uses one before any migration has defined
// it gets the definition first (a new database's first migration, or the migration adding the
// first such default).

export const SQL_FUNCTIONS: Record<string, string> = {
  uuid_v7: `-- A time-ordered UUID (RFC 9562 version 7): 48 bits of Unix milliseconds, then random bits. Rows
-- keyed by it are written at the right edge of their primary key instead of a random leaf page.
CREATE OR REPLACE FUNCTION uuid_v7() RETURNS uuid
LANGUAGE sql VOLATILE PARALLEL SAFE AS $$
  SELECT encode(
    set_bit(set_bit(
      overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
      52, 1), 53, 1),
    'hex')::uuid
$$;
`,
};

/** `sql` with the definitions of the functions it calls that none of `earlier` defines, in front. */
export function withFunctionDefinitions(sql: string, earlier: string[]): string {
  const missing = Object.entries(SQL_FUNCTIONS).filter(
    ([name]) => new RegExp(`\\b${name}\\(\\)`).test(sql) && !earlier.some((text) => text.includes(`FUNCTION ${name}(`)),
  );
  return missing.length ? `${missing.map(([, definition]) => definition).join('\n')}\n${sql}` : sql;
}
