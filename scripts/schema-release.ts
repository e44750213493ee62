import { relative } from 'node:path';
import { composeSupergraph, ROOT } from './composition';
import { RELEASED_SCHEMA_FILE, SCHEMA_CHANGELOG_FILE, recordRelease } from './schema-contract';

// `npm run schema:release [-- <label>]`: records the current API schema as released, if the check passes.
async function main(): Promise<number> {
  const label = process.argv[2] ?? new Date().toISOString().slice(0, 10);
  const outcome = await recordRelease({ api: composeSupergraph().api, label, releasedFile: RELEASED_SCHEMA_FILE, changelogFile: SCHEMA_CHANGELOG_FILE });
  if (outcome.refused) {
    console.error(`Cannot release:\n${outcome.refused}`);
    return 1;
  }
  if (!outcome.released) console.log('No changes since the released schema: nothing to release.');
  else console.log(`released ${label}: wrote ${relative(ROOT, RELEASED_SCHEMA_FILE)} and ${relative(ROOT, SCHEMA_CHANGELOG_FILE)}`);
  return 0;
}

main().then((code) => process.exit(code));
