import { isJinjaTemplate, looksLikeJinjaTemplate, renderJinja, type RenderedTemplate } from '../load/templates.js';
import { assertJsonDepth, MAX_JSON_DEPTH, readRegularTextFile, UnsafeFileError } from '../files.js';
import type { Document, LineCounter, Node } from 'yaml';
import { lazyRequire } from '../lazy-require.js';

const yaml = lazyRequire<typeof import('yaml')>('yaml');
import { ServiceFactsError } from './errors.js';
import { helmChartOf, renderHelmTemplate, type ChartFileWritten, type HelmChart } from './helm.js';
import type { OriginFactory } from './origin.js';
import type { FactOrigin } from './types.js';

/** A map entry: the key as text, and the nodes of key and value. */
export interface YamlEntry {
  readonly key: string;
  readonly keyNode: Node;
  readonly value: Node | null;
}

/**
 * Read access to one YAML document that follows aliases and `<<` merge keys (both common in Compose files, as
 * `<<: *defaults`) and knows the line of every node, so each fact can carry its origin.
 */
export class YamlDocument {
  constructor(
    readonly file: string,
    private readonly document: Document.Parsed,
    private readonly lines: LineCounter,
    private readonly origins: OriginFactory,
    /** The whole file's text, for reading a block scalar's lines where they are written. */
    readonly source: string = '',
    /** For a template read rendered (a Helm chart's manifest): where `source` holds a value not known here. */
    readonly placeholders: RenderedTemplate['placeholders'] = [],
    /** For a template read rendered: where `source` differs from the file as written. */
    readonly writtenSpans: RenderedTemplate['writtenSpans'] = [],
    /** For a Helm chart's manifest: the chart, and the files of it the template writes whole (helm.ts). */
    readonly helm: { readonly chart: HelmChart; readonly filesWritten: readonly ChartFileWritten[] } | null = null,
  ) {}

  /**
   * Where a literal block scalar (`key: |`) has its content: the offsets of its first content line and of the end
   * of its content, and the indentation its lines carry. Null for any other node or scalar style.
   */
  literalBlock(node: Node | null): { readonly start: number; readonly end: number; readonly indent: number } | null {
    if (!yaml().isScalar(node) || node.type !== 'BLOCK_LITERAL' || !node.range) return null;
    const [headerStart, valueEnd] = node.range;
    const lineEnd = this.source.indexOf('\n', headerStart);
    if (lineEnd === -1 || lineEnd >= valueEnd) return { start: valueEnd, end: valueEnd, indent: 0 };
    const start = lineEnd + 1;
    const explicit = /^\|[-+]?(\d)|^\|\d?[-+]?/.exec(this.source.slice(headerStart, lineEnd));
    const indicator = /\d/.exec(explicit?.[0] ?? '');
    const firstContent = this.source.slice(start, valueEnd).match(/^(?:[ ]*\r?\n)*([ ]*)\S/);
    const indent = indicator ? this.columnOf(headerStart) + Number(indicator[0]) : (firstContent?.[1]?.length ?? 0);
    return { start, end: valueEnd, indent };
  }

  /** 0-based column of an offset. */
  private columnOf(offset: number): number {
    // The indentation indicator counts from the parent node's indentation: the key's line's leading spaces.
    const lineStart = this.source.lastIndexOf('\n', offset - 1) + 1;
    return /^ */.exec(this.source.slice(lineStart))![0].length;
  }

  get root(): Node | null {
    return this.resolve(this.document.contents);
  }

  /** The entries of a map, merged-in entries after the map's own and only where the map has no such key. */
  entries(node: Node | null, merging: ReadonlySet<Node> = new Set()): YamlEntry[] {
    // `&a { <<: *a }` is valid YAML; merging a map into itself adds nothing, so stop instead of recursing forever.
    if (!yaml().isMap(node) || merging.has(node)) return [];
    const own: YamlEntry[] = [];
    const merged: YamlEntry[] = [];
    for (const pair of node.items) {
      const keyNode = this.resolve(pair.key);
      if (!yaml().isScalar(keyNode)) continue;
      const value = this.resolve(pair.value);
      if (keyNode.source === '<<' && typeof keyNode.value === 'symbol') {
        const sources = yaml().isSeq(value) ? value.items.map((item) => this.resolve(item)) : [value];
        for (const source of sources) merged.push(...this.entries(source, new Set([...merging, node])));
      } else {
        own.push({ key: String(keyNode.value), keyNode, value });
      }
    }
    // A map's own keys win over merged ones; among several merge sources the first wins, as in YAML 1.1.
    const byKey = new Map<string, YamlEntry>();
    for (const entry of [...own, ...merged]) if (!byKey.has(entry.key)) byKey.set(entry.key, entry);
    return [...byKey.values()];
  }

  get(node: Node | null, key: string): YamlEntry | undefined {
    return this.entries(node).find((entry) => entry.key === key);
  }

  /** The value under `key` of a map; null when there is no such key, or `node` is not a map. */
  at(node: Node | null, key: string): Node | null {
    return this.get(node, key)?.value ?? null;
  }

  /** The items of a sequence; empty for anything else. */
  items(node: Node | null): Node[] {
    if (!yaml().isSeq(node)) return [];
    return node.items.map((item) => this.resolve(item)).filter((item): item is Node => item !== null);
  }

  /** The node as a JavaScript value: a string, number, boolean, null, array or object. */
  value(node: Node): unknown {
    return node.toJS(this.document);
  }

  /** A scalar's value as text (`80` and `"80"` alike), or null for collections and nulls. */
  text(node: Node | null): string | null {
    if (!yaml().isScalar(node) || node.value === null || typeof node.value === 'symbol') return null;
    return String(node.value);
  }

  origin(node: Node): FactOrigin {
    return this.origins.yaml(this.file, this.lines.linePos(node.range?.[0] ?? 0).line);
  }

  private resolve(node: unknown): Node | null {
    const target = yaml().isAlias(node) ? node.resolve(this.document) : node;
    return yaml().isScalar(target) || yaml().isMap(target) || yaml().isSeq(target) ? target : null;
  }
}

/** Throws when block collections nest deeper than MAX_JSON_DEPTH: more distinct indentations open than that. */
function assertIndentDepth(source: string, file: string): void {
  const open: number[] = [];
  for (const line of source.split('\n')) {
    const indent = line.search(/\S/);
    if (indent === -1 || line[indent] === '#') continue;
    while (open.length > 0 && open[open.length - 1]! > indent) open.pop();
    if (open.length === 0 || open[open.length - 1]! < indent) {
      open.push(indent);
      if (open.length > MAX_JSON_DEPTH) throw new UnsafeFileError(`${file} nests deeper than ${MAX_JSON_DEPTH} levels`);
    }
  }
}

/**
 * Reads every document of a YAML file. Throws a ServiceFactsError naming the file, line and column of the first
 * syntax error, or saying why the file cannot be read; a file with any error yields no facts at all.
 */
/** The first alias of a document that names no anchor, or merge key (`<<`) whose value is not a map or maps. */
function aliasProblem(document: Document.Parsed): { readonly message: string; readonly at: number } | null {
  let problem: { message: string; at: number } | null = null;
  const resolved = (node: unknown): unknown => (yaml().isAlias(node) ? node.resolve(document) : node);
  yaml().visit(document, {
    Alias(_, alias) {
      if (alias.resolve(document) !== undefined) return undefined;
      problem = { message: `no anchor &${alias.source} for the alias *${alias.source}`, at: alias.range?.[0] ?? 0 };
      return yaml().visit.BREAK;
    },
    Pair(_, pair) {
      if (!yaml().isScalar(pair.key) || pair.key.source !== '<<' || typeof pair.key.value !== 'symbol') return undefined;
      // An alias of no anchor is said as such, by the visitor of aliases.
      if (yaml().isAlias(pair.value) && pair.value.resolve(document) === undefined) return undefined;
      const value = resolved(pair.value);
      const sources = yaml().isSeq(value) ? value.items.map(resolved) : [value];
      if (sources.every((merged) => yaml().isMap(merged))) return undefined;
      problem = { message: 'a merge key (<<) of something other than a map', at: pair.key.range?.[0] ?? 0 };
      return yaml().visit.BREAK;
    },
  });
  return problem;
}

export function readYamlFile(file: string, origins: OriginFactory): YamlDocument[] {
  let source: string;
  let placeholders: RenderedTemplate['placeholders'] = [];
  let writtenSpans: RenderedTemplate['writtenSpans'] = [];
  let helm: YamlDocument['helm'] = null;
  try {
    source = readRegularTextFile(file);
    // A generator's template (`{{cookiecutter.project_slug}}/docker-compose.yml`): read as rendered, placeholders
    // standing for the values the generator fills in.
    if (isJinjaTemplate(file)) source = renderJinja(source).text;
    // A Helm chart's manifest: rendered with the chart's values, as `helm template` gives it (helm.ts).
    const chart = source.includes('{{') ? helmChartOf(file) : null;
    if (chart) {
      const rendered = renderHelmTemplate(source, chart);
      ({ text: source, placeholders, writtenSpans } = rendered);
      helm = { chart, filesWritten: rendered.filesWritten };
    }
    // Flow collections nested past this make the YAML library recurse until the stack runs out; so do block ones.
    assertJsonDepth(source, file);
    assertIndentDepth(source, file);
  } catch (error) {
    throw new ServiceFactsError(origins.file(file), `cannot be read: ${(error as Error).message.replace(`${file} `, '')}`);
  }
  let lines = new (yaml().LineCounter)();
  // merge: Compose files are YAML 1.1 in spirit and use `<<` merge keys; prettyErrors off, we place errors ourselves;
  // logLevel error: the library's warnings (an unknown `!!tag`) would be printed on stderr as Node warnings.
  const parse = (text: string) => yaml().parseAllDocuments(text, { lineCounter: lines, merge: true, prettyErrors: false, logLevel: 'error' });
  let documents = parse(source);
  const firstError = () => documents.flatMap((document) => document.errors).sort((a, b) => a.pos[0] - b.pos[0])[0];
  // A Jinja template whatever its name (an Ansible role's templates/docker-compose.yml, lemmy-ansible's), which is no
  // YAML until rendered: read rendered, as one with a template's name is. A valid file is never rendered.
  if (firstError() && !isJinjaTemplate(file) && looksLikeJinjaTemplate(source)) {
    source = renderJinja(source).text;
    lines = new (yaml().LineCounter)();
    documents = parse(source);
  }
  const error = firstError();
  if (error) {
    const position = lines.linePos(error.pos[0]);
    // `- - - - …` nests without indenting; the library reports the stack it ran out of as a syntax error.
    const message = /call stack/i.test(error.message) ? `nests deeper than ${MAX_JSON_DEPTH} levels` : `invalid YAML: ${error.message}`;
    throw new ServiceFactsError(origins.yaml(file, position.line), message, position.col);
  }
  // An alias of an anchor the file does not define, or a `<<` of no map, parses but fails where the value is read
  // (`docker compose` refuses the file too): said here, as a syntax error is.
  for (const document of source.includes('*') || source.includes('<<') ? documents : []) {
    const problem = aliasProblem(document);
    if (problem) {
      const position = lines.linePos(problem.at);
      throw new ServiceFactsError(origins.yaml(file, position.line), `invalid YAML: ${problem.message}`, position.col);
    }
  }
  return documents.map((document) => new YamlDocument(file, document, lines, origins, source, placeholders, writtenSpans, helm));
}
