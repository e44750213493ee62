import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { buildSchema } from 'graphql';
import { composeSupergraph, ROOT } from './composition';
import { checkSchemaChange, formatVerdict, RELEASED_SCHEMA_FILE, undescribed } from './schema-contract';

// `npm run schema:check`: the subgraphs as they are now against the last released API schema.
async function main(): Promise<number> {
  const { api } = composeSupergraph();
  const verdict = await checkSchemaChange(readFileSync(RELEASED_SCHEMA_FILE, 'utf8'), api);
  console.log(`Compared with ${relative(ROOT, RELEASED_SCHEMA_FILE)}:\n${formatVerdict(verdict)}`);
  const missing = undescribed(buildSchema(api));
  if (missing.length) console.error(`\nWithout a description (${missing.length}):\n${missing.map((m) => `  - ${m}`).join('\n')}`);
  if (verdict.breaking.length) console.error('\nschema:check failed: the changes above would break released clients.');
  return verdict.breaking.length || missing.length ? 1 : 0;
}

main().then((code) => process.exit(code));
