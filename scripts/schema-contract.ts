import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { ChangeType, CriticalityLevel, diff, type Change } from '@graphql-inspector/core';
import {
  buildSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isSpecifiedScalarType,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLArgument,
  type GraphQLEnumValue,
  type GraphQLNamedType,
  type GraphQLSchema,
  type GraphQLType,
} from 'graphql';
import { ROOT } from './composition';

/** The API schema as last released to partners; `npm run schema:release` rewrites it. */
export const RELEASED_SCHEMA_FILE = join(ROOT, 'schema', 'released', 'api.graphql');
/** Every release's changes, newest last. */
export const SCHEMA_CHANGELOG_FILE = join(ROOT, 'schema', 'CHANGELOG.md');

export interface SchemaFinding {
  /** inspector's change type (`FIELD_REMOVED`, ...) or `DEPRECATION_WITHOUT_REPLACEMENT`. */
  type: string;
  /** Schema coordinate of what changed, e.g. `Query.me` or `Query.user.id`. */
  path: string;
  message: string;
  /** For a refused change: how to make it without breaking anyone. */
  wayThrough?: string;
}

export interface SchemaVerdict {
  /** Changes that break released clients: the check fails when there is any. */
  breaking: SchemaFinding[];
  /** Removals the deprecation policy allows (deprecated in the released schema, replacement named). */
  plannedRemovals: SchemaFinding[];
  /** Changes that may change behaviour for released clients (a new enum value, a new default). */
  dangerous: SchemaFinding[];
  safe: SchemaFinding[];
}

const REMOVALS = new Set<string>([
  ChangeType.FieldRemoved,
  ChangeType.InputFieldRemoved,
  ChangeType.EnumValueRemoved,
  ChangeType.FieldArgumentRemoved,
]);

const WAY_THROUGH = {
  removal:
    'deprecate it first with @deprecated(reason: "Use `replacement` instead."), release that schema (npm run schema:release), and remove it in a later release',
  type: 'add a new field with the new type beside this one, deprecate this one naming the new field, release, then remove the old one',
  argument:
    'keep the argument optional (nullable, or with a default); to require it, add a new field with the required argument and deprecate this one naming it',
  typeRemoval: 'deprecate every field and argument that returns or takes this type first (naming their replacements), release, then remove them together with the type',
  other: 'make the change additive: add the new element beside the old one, deprecate the old one naming the new one, release, then remove the old one',
  deprecation: 'name the replacement in the reason in backticks, as a sibling (`newField`) or a coordinate (`Type.field`) that exists in the schema',
};

function wayThrough(change: Change): string {
  if (REMOVALS.has(change.type)) return WAY_THROUGH.removal;
  if (change.type === ChangeType.TypeRemoved) return WAY_THROUGH.typeRemoval;
  if (change.type === ChangeType.FieldTypeChanged || change.type === ChangeType.InputFieldTypeChanged) return WAY_THROUGH.type;
  if (change.type === ChangeType.FieldArgumentTypeChanged || change.type === ChangeType.FieldArgumentAdded || change.type === ChangeType.InputFieldAdded) {
    return WAY_THROUGH.argument;
  }
  return WAY_THROUGH.other;
}

type Member = GraphQLField<unknown, unknown> | GraphQLInputField | GraphQLArgument | GraphQLEnumValue;

/** The field, input field, enum value or argument at a schema coordinate (`Type.member` or `Type.field.arg`). */
function memberAt(schema: GraphQLSchema, path: string): { member: Member; siblings: readonly Member[] } | undefined {
  const [typeName, memberName, argName] = path.split('.');
  const type = schema.getType(typeName);
  if (!type || !memberName) return undefined;
  let siblings: readonly Member[];
  if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) siblings = Object.values(type.getFields());
  else if (isEnumType(type)) siblings = type.getValues();
  else return undefined;
  const member = siblings.find((m) => m.name === memberName);
  if (!member) return undefined;
  if (argName === undefined) return { member, siblings };
  const args = 'args' in member ? member.args : [];
  const arg = args.find((a) => a.name === argName);
  return arg ? { member: arg, siblings: args } : undefined;
}

/**
 * Why a deprecation's reason does not name its replacement, or undefined when it does: the
 * reason must name, in backticks, a sibling (`newField`) or a coordinate (`Type.field`) that
 * exists in `schema` and is not itself deprecated.
 */
export function replacementProblem(schema: GraphQLSchema, path: string, reason: string | null | undefined): string | undefined {
  const own = path.split('.');
  const references = [...(reason ?? '').matchAll(/`([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)?)(?:\([^`]*\))?`/g)].map((m) => m[1]);
  if (!references.length) return `its deprecation reason ${JSON.stringify(reason ?? '')} does not name a replacement in backticks`;
  for (const reference of references) {
    const target = reference.includes('.') ? memberAt(schema, reference) : undefined;
    if (target && !target.member.deprecationReason) return undefined;
    if (!reference.includes('.')) {
      const sibling = memberAt(schema, [...own.slice(0, -1), reference].join('.'));
      if (sibling && reference !== own[own.length - 1] && !sibling.member.deprecationReason) return undefined;
    }
  }
  return `its deprecation reason names ${references.map((r) => `\`${r}\``).join(', ')}, which is not a current, undeprecated part of the schema`;
}

/** Every deprecated field, argument, input field and enum value of a schema, by coordinate. */
function deprecations(schema: GraphQLSchema): Array<{ path: string; reason: string }> {
  const found: Array<{ path: string; reason: string }> = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (type.name.startsWith('__')) continue;
    if (isEnumType(type)) {
      for (const value of type.getValues()) if (value.deprecationReason != null) found.push({ path: `${type.name}.${value.name}`, reason: value.deprecationReason });
    }
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (field.deprecationReason != null) found.push({ path: `${type.name}.${field.name}`, reason: field.deprecationReason });
        for (const arg of 'args' in field ? field.args : []) {
          if (arg.deprecationReason != null) found.push({ path: `${type.name}.${field.name}.${arg.name}`, reason: arg.deprecationReason });
        }
      }
    }
  }
  return found;
}

const namedTypeOf = (type: GraphQLType): string => getNamedType(type).name;

/** Coordinates of every field, argument and input field of `schema` whose type is `typeName`. */
function referencesTo(schema: GraphQLSchema, typeName: string): string[] {
  const found: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (namedTypeOf(field.type) === typeName) found.push(`${type.name}.${field.name}`);
      for (const arg of 'args' in field ? field.args : []) if (namedTypeOf(arg.type) === typeName) found.push(`${type.name}.${field.name}.${arg.name}`);
    }
  }
  return found;
}

/**
 * Compares the current API schema with the released one (GraphQL Inspector's diff) and applies
 * the deprecation policy: a removal passes only when the released schema deprecated the element
 * with a reason naming a replacement that still exists; every deprecation must name one.
 */
export async function checkSchemaChange(releasedSdl: string, currentSdl: string): Promise<SchemaVerdict> {
  const released = buildSchema(releasedSdl);
  const current = buildSchema(currentSdl);
  const verdict: SchemaVerdict = { breaking: [], plannedRemovals: [], dangerous: [], safe: [] };
  const removed = new Set<string>();

  for (const change of await diff(released, current)) {
    const finding: SchemaFinding = { type: change.type, path: change.path ?? '', message: change.message };
    if (REMOVALS.has(change.type) && change.path) {
      const before = memberAt(released, change.path);
      const problem = before?.member.deprecationReason == null
        ? 'it was not deprecated in the released schema'
        : replacementProblem(current, change.path, before.member.deprecationReason);
      if (!problem) {
        removed.add(change.path);
        verdict.plannedRemovals.push(finding);
        continue;
      }
      verdict.breaking.push({ ...finding, message: `${change.message}: ${problem}`, wayThrough: wayThrough(change) });
      continue;
    }
    if (change.criticality.level === CriticalityLevel.Breaking) verdict.breaking.push({ ...finding, wayThrough: wayThrough(change) });
    else if (change.criticality.level === CriticalityLevel.Dangerous) verdict.dangerous.push(finding);
    else verdict.safe.push(finding);
  }

  // A type may go once everything that returned or took it went by the deprecation path.
  verdict.breaking = verdict.breaking.filter((finding) => {
    if (finding.type !== ChangeType.TypeRemoved) return true;
    const users = referencesTo(released, finding.path);
    if (!users.length || !users.every((path) => removed.has(path) || removed.has(path.split('.').slice(0, 2).join('.')))) return true;
    verdict.plannedRemovals.push({ type: finding.type, path: finding.path, message: finding.message });
    return false;
  });

  for (const { path, reason } of deprecations(current)) {
    const problem = replacementProblem(current, path, reason);
    if (problem) {
      verdict.breaking.push({
        type: 'DEPRECATION_WITHOUT_REPLACEMENT',
        path,
        message: `'${path}' is deprecated, but ${problem}`,
        wayThrough: WAY_THROUGH.deprecation,
      });
    }
  }
  return verdict;
}

/** Coordinates of every type, field, argument and enum value of the schema without a description. */
export function undescribed(schema: GraphQLSchema): string[] {
  const missing: string[] = [];
  const described = (what: { description?: string | null }) => Boolean(what.description?.trim());
  for (const type of Object.values(schema.getTypeMap()) as GraphQLNamedType[]) {
    if (type.name.startsWith('__') || isSpecifiedScalarType(type)) continue;
    if (!described(type)) missing.push(type.name);
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        if (!described(field)) missing.push(`${type.name}.${field.name}`);
        for (const arg of 'args' in field ? field.args : []) if (!described(arg)) missing.push(`${type.name}.${field.name}(${arg.name}:)`);
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) if (!described(value)) missing.push(`${type.name}.${value.name}`);
  }
  return missing;
}

/** The verdict as a reviewer reads it: breaking changes with their way through, then the rest. */
export function formatVerdict(verdict: SchemaVerdict): string {
  const lines: string[] = [];
  const section = (title: string, findings: SchemaFinding[]) => {
    if (!findings.length) return;
    lines.push(`${title} (${findings.length}):`);
    for (const f of findings) {
      lines.push(`  - ${f.type} ${f.path}: ${f.message}`);
      if (f.wayThrough) lines.push(`      way through: ${f.wayThrough}`);
    }
  };
  section('Breaking changes', verdict.breaking);
  section('Removals after deprecation', verdict.plannedRemovals);
  section('Dangerous changes', verdict.dangerous);
  section('Safe changes', verdict.safe);
  return lines.length ? lines.join('\n') : 'No changes since the released schema.';
}

const CHANGELOG_HEADER = `# API schema changelog

Every release of the client-facing API schema (\`schema/released/api.graphql\`), newest last.
Written by \`npm run schema:release\`; see the README's "Schema releases and deprecation" for the policy.
`;

/**
 * Records `api` as the released schema and appends its changes to the changelog, unless the
 * check refuses it (breaking changes, missing descriptions) or nothing changed.
 */
export async function recordRelease(options: { api: string; label: string; releasedFile: string; changelogFile: string }): Promise<{ released: boolean; refused?: string }> {
  const missing = undescribed(buildSchema(options.api));
  if (missing.length) return { released: false, refused: `without a description: ${missing.join(', ')}` };
  const first = !existsSync(options.releasedFile);
  const verdict = first ? undefined : await checkSchemaChange(readFileSync(options.releasedFile, 'utf8'), options.api);
  if (verdict?.breaking.length) return { released: false, refused: formatVerdict(verdict) };
  const entry = [`\n## ${options.label}\n`];
  if (!verdict) entry.push('First recorded release.\n');
  else {
    const list = (title: string, findings: SchemaFinding[]) => {
      if (findings.length) entry.push(`### ${title}\n${findings.map((f) => `- \`${f.path}\`: ${f.message}`).join('\n')}\n`);
    };
    list('Removed after deprecation', verdict.plannedRemovals);
    list('Dangerous', verdict.dangerous);
    list('Added and changed', verdict.safe);
    if (entry.length === 1) return { released: false };
  }
  mkdirSync(dirname(options.releasedFile), { recursive: true });
  writeFileSync(options.releasedFile, `# Released API schema (${options.label}), recorded by \`npm run schema:release\`. Do not edit.\n${options.api.replace(/^#.*\n/, '')}`);
  if (!existsSync(options.changelogFile)) writeFileSync(options.changelogFile, CHANGELOG_HEADER);
  appendFileSync(options.changelogFile, entry.join('\n'));
  return { released: true };
}
