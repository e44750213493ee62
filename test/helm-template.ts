import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';

/**
 * Renders a Helm chart's templates without helm (no helm binary can be installed on this
 * project's machines). It implements only the subset of Go template syntax our chart uses —
 * text/template actions with trim markers, `if`/`else`, `range` over lists and maps (maps in
 * sorted key order, dot rebound to the element), variables, pipelines and the functions in
 * FUNCTIONS — and refuses everything else, so a template that strays outside the subset fails
 * the test instead of rendering wrongly. It is stricter than helm on purpose: printing or
 * ranging over a value that is not set is an error (helm would print nothing), so every
 * template must reference only values that exist.
 */

type Value = unknown;
type Scope = Map<string, Value>;

interface TextNode { type: 'text'; text: string }
interface ActionNode { type: 'action'; pipeline: string }
interface IfNode { type: 'if'; pipeline: string; then: Node[]; otherwise: Node[] }
interface RangeNode { type: 'range'; keyVar?: string; valueVar?: string; pipeline: string; body: Node[] }
type Node = TextNode | ActionNode | IfNode | RangeNode;

export class TemplateError extends Error {
  constructor(file: string, message: string) {
    super(`${file}: ${message}`);
    this.name = 'TemplateError';
  }
}

interface Token { kind: 'text' | 'action'; value: string }

function tokenize(source: string, file: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let trimNext = false;
  while (i < source.length) {
    const open = source.indexOf('{{', i);
    let text = open < 0 ? source.slice(i) : source.slice(i, open);
    if (trimNext) text = text.replace(/^\s+/, '');
    if (open < 0) {
      tokens.push({ kind: 'text', value: text });
      break;
    }
    const close = source.indexOf('}}', open);
    if (close < 0) throw new TemplateError(file, `unclosed action at offset ${open}`);
    let inner = source.slice(open + 2, close);
    if (/^- /.test(inner) || inner === '-') {
      text = text.replace(/\s+$/, '');
      inner = inner.slice(1);
    }
    trimNext = false;
    if (/ -$/.test(inner)) {
      trimNext = true;
      inner = inner.slice(0, -1);
    }
    tokens.push({ kind: 'text', value: text });
    tokens.push({ kind: 'action', value: inner.trim() });
    i = close + 2;
  }
  return tokens;
}

function parseTemplate(source: string, file: string): Node[] {
  const tokens = tokenize(source, file);
  let pos = 0;
  const parseBlock = (terminators: string[]): { nodes: Node[]; end: string } => {
    const nodes: Node[] = [];
    while (pos < tokens.length) {
      const token = tokens[pos++];
      if (token.kind === 'text') {
        if (token.value) nodes.push({ type: 'text', text: token.value });
        continue;
      }
      const action = token.value;
      if (action.startsWith('/*')) {
        if (!action.endsWith('*/')) throw new TemplateError(file, `bad comment {{${action}}}`);
        continue;
      }
      const keyword = action.split(/\s+/, 1)[0];
      if (terminators.includes(keyword) && (keyword !== 'else' || action === 'else')) return { nodes, end: keyword };
      if (keyword === 'if') {
        const then = parseBlock(['else', 'end']);
        const otherwise = then.end === 'else' ? parseBlock(['end']).nodes : [];
        nodes.push({ type: 'if', pipeline: action.slice(2).trim(), then: then.nodes, otherwise });
      } else if (keyword === 'range') {
        const m = /^range\s+(?:(\$\w+)\s*(?:,\s*(\$\w+))?\s*:=\s*)?(.+)$/.exec(action);
        if (!m) throw new TemplateError(file, `bad range {{${action}}}`);
        const body = parseBlock(['end']);
        const [keyVar, valueVar] = m[2] ? [m[1], m[2]] : [undefined, m[1]];
        nodes.push({ type: 'range', keyVar, valueVar, pipeline: m[3], body: body.nodes });
      } else if (['else', 'end', 'with', 'define', 'template', 'block', 'define'].includes(keyword) || /:=|=/.test(action.replace(/"[^"]*"/g, ''))) {
        throw new TemplateError(file, `unsupported action {{${action}}}`);
      } else {
        nodes.push({ type: 'action', pipeline: action });
      }
    }
    if (terminators.length) throw new TemplateError(file, `missing {{end}}`);
    return { nodes, end: '' };
  };
  return parseBlock([]).nodes;
}

/** Splits on a separator outside double quotes and parentheses. */
function splitOutside(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '\\') i++;
      else if (c === '"') quoted = false;
    } else if (c === '"') quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (depth === 0 && separator.test(c)) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts.map((p) => p.trim()).filter((p) => p !== '');
}

function truthy(value: Value): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '') return false;
  if (Array.isArray(value)) return value.length > 0;
  if (typeof value === 'object') return Object.keys(value as object).length > 0;
  return true;
}

function requireScalar(value: Value, what: string): string | number | boolean {
  if (value === undefined || value === null) throw new Error(`${what} is not set`);
  if (typeof value === 'object') throw new Error(`${what} is a ${Array.isArray(value) ? 'list' : 'map'}: use toYaml`);
  return value as string | number | boolean;
}

function indent(spaces: number, text: string): string {
  const pad = ' '.repeat(spaces);
  return pad + text.split('\n').join(`\n${pad}`);
}

const FUNCTIONS: Record<string, (...args: Value[]) => Value> = {
  quote: (...args) => args.map((a) => JSON.stringify(String(requireScalar(a, 'quote argument')))).join(' '),
  upper: (s) => String(requireScalar(s, 'upper argument')).toUpperCase(),
  toYaml: (v) => {
    if (v === undefined) throw new Error('toYaml of a value that is not set');
    return stringifyYaml(v, { sortMapEntries: true }).replace(/\n$/, '');
  },
  indent: (n, s) => indent(Number(n), String(s)),
  nindent: (n, s) => `\n${indent(Number(n), String(s))}`,
  eq: (a, ...rest) => rest.some((b) => b === a),
  ne: (a, b) => a !== b,
  not: (a) => !truthy(a),
  default: (fallback, v) => (truthy(v) ? v : fallback),
};

class Renderer {
  constructor(
    private readonly file: string,
    private readonly root: Value,
  ) {}

  render(nodes: Node[], dot: Value, scope: Scope): string {
    let out = '';
    for (const node of nodes) {
      if (node.type === 'text') out += node.text;
      else if (node.type === 'action') out += this.print(this.pipeline(node.pipeline, dot, scope), node.pipeline);
      else if (node.type === 'if') {
        const branch = truthy(this.pipeline(node.pipeline, dot, scope)) ? node.then : node.otherwise;
        out += this.render(branch, dot, new Map(scope));
      } else {
        const collection = this.pipeline(node.pipeline, dot, scope);
        if (collection === undefined || collection === null) throw new TemplateError(this.file, `range over ${node.pipeline}, which is not set`);
        if (typeof collection !== 'object') throw new TemplateError(this.file, `range over ${node.pipeline}, which is not a list or map`);
        const entries: [Value, Value][] = Array.isArray(collection)
          ? collection.map((v, i) => [i, v])
          : Object.keys(collection as object)
              .sort()
              .map((k) => [k, (collection as Record<string, Value>)[k]]);
        for (const [key, value] of entries) {
          const inner = new Map(scope);
          if (node.keyVar) inner.set(node.keyVar, key);
          if (node.valueVar) inner.set(node.valueVar, value);
          out += this.render(node.body, value, inner);
        }
      }
    }
    return out;
  }

  private print(value: Value, source: string): string {
    try {
      return String(requireScalar(value, `{{ ${source} }}`));
    } catch (error) {
      throw new TemplateError(this.file, (error as Error).message);
    }
  }

  private pipeline(text: string, dot: Value, scope: Scope): Value {
    const commands = splitOutside(text, /\|/);
    if (!commands.length) throw new TemplateError(this.file, 'empty pipeline');
    let result: Value;
    commands.forEach((command, index) => {
      const words = splitOutside(command, /\s/);
      const [head, ...rest] = words;
      const args = rest.map((w) => this.operand(w, dot, scope));
      if (index > 0) args.push(result);
      if (/^[A-Za-z]\w*$/.test(head) && !['true', 'false', 'nil'].includes(head)) {
        const fn = FUNCTIONS[head];
        if (!fn) throw new TemplateError(this.file, `unsupported function ${head} in {{ ${text} }}`);
        try {
          result = fn(...args);
        } catch (error) {
          throw new TemplateError(this.file, `${head}: ${(error as Error).message} in {{ ${text} }}`);
        }
      } else {
        if (args.length) throw new TemplateError(this.file, `${head} is not a function in {{ ${text} }}`);
        result = this.operand(head, dot, scope);
      }
    });
    return result;
  }

  private operand(word: string, dot: Value, scope: Scope): Value {
    if (word.startsWith('(') && word.endsWith(')')) return this.pipeline(word.slice(1, -1), dot, scope);
    if (word.startsWith('"')) return JSON.parse(word) as string;
    if (/^-?\d+(\.\d+)?$/.test(word)) return Number(word);
    if (word === 'true' || word === 'false') return word === 'true';
    let base: Value;
    let path: string;
    if (word === '.') return dot;
    if (word.startsWith('.')) {
      base = dot;
      path = word.slice(1);
    } else if (word.startsWith('$')) {
      const m = /^(\$\w*)(?:\.(.*))?$/.exec(word);
      if (!m) throw new TemplateError(this.file, `bad operand ${word}`);
      if (m[1] === '$') base = this.root;
      else if (scope.has(m[1])) base = scope.get(m[1]);
      else throw new TemplateError(this.file, `undefined variable ${m[1]}`);
      path = m[2] ?? '';
    } else throw new TemplateError(this.file, `unsupported operand ${word}`);
    let current = base;
    let walked = word.startsWith('$') ? word.split('.')[0] : '';
    for (const field of path ? path.split('.') : []) {
      // As in Go templates: a missing map key is nil, but a field of nil is an error.
      if (current === undefined || current === null || typeof current !== 'object' || Array.isArray(current)) {
        throw new TemplateError(this.file, `${walked || '.'} is not set (evaluating ${word})`);
      }
      current = (current as Record<string, Value>)[field];
      walked += `.${field}`;
    }
    return current;
  }
}

export interface RenderedChart {
  /** Rendered text of every template, by file name. */
  files: Record<string, string>;
  /** Every non-empty YAML document of the .yaml templates, parsed. */
  objects: Record<string, unknown>[];
}

/** `helm template <release> <chartDir> --namespace <namespace> [-f values]`, for our chart's subset. */
export function renderChart(
  chartDir: string,
  options: { releaseName: string; namespace: string; values?: Record<string, unknown> },
): RenderedChart {
  const chart = parseYaml(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, string>;
  const values = options.values ?? (parseYaml(readFileSync(join(chartDir, 'values.yaml'), 'utf8')) as Record<string, unknown>);
  const root = {
    Values: values,
    Release: { Name: options.releaseName, Namespace: options.namespace, Service: 'Helm', IsInstall: true, IsUpgrade: false },
    Chart: { Name: chart.name, Version: chart.version, AppVersion: chart.appVersion, Description: chart.description },
  };
  const files: Record<string, string> = {};
  const objects: Record<string, unknown>[] = [];
  const templatesDir = join(chartDir, 'templates');
  for (const name of readdirSync(templatesDir).sort()) {
    if (name.startsWith('_')) throw new TemplateError(name, 'named templates (define/include) are outside the supported subset');
    const source = readFileSync(join(templatesDir, name), 'utf8');
    const renderer = new Renderer(name, root);
    const text = renderer.render(parseTemplate(source, name), root, new Map());
    files[name] = text;
    if (!/\.ya?ml$/.test(name)) continue;
    for (const chunk of text.split(/^---\s*$/m)) {
      let parsed: unknown;
      try {
        parsed = parseYaml(chunk, { strict: true, uniqueKeys: true });
      } catch (error) {
        throw new TemplateError(name, `renders invalid YAML: ${(error as Error).message}\n${chunk}`);
      }
      if (parsed === null || parsed === undefined) continue;
      if (typeof parsed !== 'object' || Array.isArray(parsed)) throw new TemplateError(name, `renders a document that is not an object:\n${chunk}`);
      objects.push(parsed as Record<string, unknown>);
    }
  }
  return { files, objects };
}
