import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { buildSchema } from 'graphql';
import { composeSupergraph, ROOT } from './composition';
import { checkSchemaChange, formatVerdict, RELEASED_SCHEMA_FILE, SCHEMA_CHANGELOG_FILE, undescribed, type SchemaFinding } from './schema-contract';

const CHANGELOG_HEADER = `# API schema changelog

Every release of the client-facing API schema (\`schema/released/api.graphql\`), newest last.
Written by \`npm run schema:release\`; see the README's "Schema releases and deprecation" for the policy.
`;

// `npm run schema:release [-- <label>]`: records the current API schema as released, if the check passes.
async function main(): Promise<number> {
  const label = process.argv[2] ?? new Date().toISOString().slice(0, 10);
  const { api } = composeSupergraph();
  const missing = undescribed(buildSchema(api));
  if (missing.length) {
    console.error(`Cannot release: without a description: ${missing.join(', ')}`);
    return 1;
  }
  const first = !existsSync(RELEASED_SCHEMA_FILE);
  const verdict = first ? undefined : await checkSchemaChange(readFileSync(RELEASED_SCHEMA_FILE, 'utf8'), api);
  if (verdict?.breaking.length) {
    console.error(`Cannot release:\n${formatVerdict(verdict)}`);
    return 1;
  }
  const body = api.replace(/^#.*\n/, '');
  const entry = [`\n## ${label}\n`];
  if (!verdict) entry.push('First recorded release.\n');
  else {
    const list = (title: string, findings: SchemaFinding[]) => {
      if (findings.length) entry.push(`### ${title}\n${findings.map((f) => `- \`${f.path}\`: ${f.message}`).join('\n')}\n`);
    };
    list('Removed after deprecation', verdict.plannedRemovals);
    list('Dangerous', verdict.dangerous);
    list('Added and changed', verdict.safe);
    if (entry.length === 1) {
      console.log('No changes since the released schema: nothing to release.');
      return 0;
    }
  }
  mkdirSync(dirname(RELEASED_SCHEMA_FILE), { recursive: true });
  writeFileSync(RELEASED_SCHEMA_FILE, `# Released API schema (${label}), recorded by \`npm run schema:release\`. Do not edit.\n${body}`);
  if (!existsSync(SCHEMA_CHANGELOG_FILE)) writeFileSync(SCHEMA_CHANGELOG_FILE, CHANGELOG_HEADER);
  appendFileSync(SCHEMA_CHANGELOG_FILE, entry.join('\n'));
  console.log(`released ${label}: wrote ${relative(ROOT, RELEASED_SCHEMA_FILE)} and ${relative(ROOT, SCHEMA_CHANGELOG_FILE)}`);
  return 0;
}

main().then((code) => process.exit(code));
