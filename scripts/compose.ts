import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { API_SCHEMA_FILE, ROOT, SUPERGRAPH_FILE, composeSupergraph } from './composition';

// `npm run compose` writes schema/; `npm run compose -- --check` only says whether it is in sync.
const check = process.argv.includes('--check');
const { supergraph, api } = composeSupergraph();
let stale = false;
for (const [file, text] of [
  [SUPERGRAPH_FILE, supergraph],
  [API_SCHEMA_FILE, api],
] as const) {
  let current = '';
  try {
    current = readFileSync(file, 'utf8');
  } catch {
    // missing counts as stale
  }
  if (current === text) continue;
  stale = true;
  if (check) console.error(`${relative(ROOT, file)} is out of date: run npm run compose`);
  else {
    writeFileSync(file, text);
    console.log(`wrote ${relative(ROOT, file)}`);
  }
}
if (check && stale) process.exit(1);
if (!stale) console.log('schema/ is up to date');
