// `pnpm secrets:reseal`: after a key rotation, every sealed value (WeCom credentials, journey node
// secrets in drafts and published versions) is opened with the key that sealed it and sealed again
// under COURTYARD_SECRET_KEY; journey secrets still in plain text (saved before sealing existed,
// kept by versions published then) are sealed too. Run it with the old key in COURTYARD_SECRET_KEY_PREVIOUS; once it
// reports nothing left unopened, the old key can go. Safe to run again: values already under the
// current key are left alone, and so is anything no key opens (named, exit code 1).
import { createDb } from '@courtyard/db';
import { resealJourneySecrets } from '@courtyard/runtime/journey';
import { resealWeComConnections } from '@courtyard/schema';

// pnpm runs package scripts from the package folder; the data folder is relative to where they typed.
if (process.env.INIT_CWD) process.chdir(process.env.INIT_CWD);

const db = await createDb();
try {
  const reports = [
    ['WeCom credentials', await resealWeComConnections(db)],
    ['journey node secrets', await resealJourneySecrets(db)],
  ] as const;
  for (const [what, r] of reports) console.log(`${what}: ${r.resealed} value(s) sealed again under the current key, ${r.current} already under it, ${r.plain} found in plain text and sealed; not opened: ${r.unopened.length}`);
  const unopened = reports.flatMap(([, r]) => r.unopened);
  for (const line of unopened) console.log(`  not opened (left as it is): ${line}`);
  if (unopened.length) {
    console.log('Give the key that sealed them in COURTYARD_SECRET_KEY_PREVIOUS and run again, or enter those secrets again.');
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
