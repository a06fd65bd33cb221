#!/usr/bin/env node
/**
 * Builds src/data/directives.json, the directive table the linter ships, from the project's knowledge base
 * (shared/facts/nginx-directives.json and nginx-directives-removed.json beside it; see nginx-directives.md there).
 *
 *   node scripts/gen-directives.mjs [path/to/nginx-directives.json]
 *
 * The default input is ../shared/facts/nginx-directives.json relative to the repository root. The linter never
 * reads shared/ at run time, so the output is committed; rerun this script when the knowledge base changes.
 *
 * Only the fields the linter uses are kept, and empty ones (null, false, []) are dropped, so that the file stays
 * small enough to parse on every CLI start. One row per line keeps diffs of regenerated tables readable.
 * src/data/NOTICE.md (sources and licences of every data file) is kept by hand.
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const inputPath = resolve(process.argv[2] ?? join(repoRoot, '../shared/facts/nginx-directives.json'));
const removedPath = join(dirname(inputPath), 'nginx-directives-removed.json');
const outputDir = join(repoRoot, 'src/data');

const BLOCK_CONTEXTS = new Set([
  'main',
  'events',
  'http',
  'server',
  'location',
  'upstream',
  'if-in-server',
  'if-in-location',
  'limit_except',
  'mail',
  'mail-server',
  'stream',
  'stream-server',
  'stream-upstream',
]);
/** Blocks that exist only in NGINX Plus or in separate F5 modules; only docs-only rows name them. */
const DOCS_ONLY_CONTEXTS = new Set(['acme_issuer', 'oidc_provider', 'mgmt']);
const ARG_FLAGS = new Set(['NOARGS', 'TAKE1', 'TAKE2', 'TAKE3', 'TAKE4', 'TAKE5', 'TAKE6', 'TAKE7', 'FLAG', 'ANY', '1MORE', '2MORE']);
const DOCS_ROOT = 'https://nginx.org/en/docs/';
const DOCS_ONLY_SOURCE = 'reference-lib';

function fail(message) {
  console.error(`gen-directives: ${message}`);
  process.exit(1);
}

function checkContexts(row, contexts) {
  for (const context of contexts) {
    const known = BLOCK_CONTEXTS.has(context) || (row.source === DOCS_ONLY_SOURCE && DOCS_ONLY_CONTEXTS.has(context));
    if (!known) fail(`${row.name} (${row.module}): unexpected context "${context}"`);
  }
}

function checkArgs(row, args) {
  for (const flag of args) if (!ARG_FLAGS.has(flag)) fail(`${row.name} (${row.module}): unexpected argument flag "${flag}"`);
}

/** Docs-only rows exist so that their names are not reported as unknown; say why nginx OSS lacks them. */
function availabilityOf(row) {
  if (row.commercial) return 'nginx-plus';
  if (row.note?.startsWith('separate module')) return 'external-module';
  if (row.note?.startsWith('removed')) return 'removed';
  fail(`${row.name} (${row.module}): docs-only row that is neither NGINX Plus, external nor removed`);
}

/** The page under DOCS_ROOT; the anchor is always the directive name, so the linter appends it. */
function docPageOf(row) {
  if (row.docUrl === null) return undefined;
  const anchor = `#${row.name}`;
  if (!row.docUrl.startsWith(DOCS_ROOT) || !row.docUrl.endsWith(anchor)) {
    fail(`${row.name}: docUrl is not ${DOCS_ROOT}<page>${anchor}: ${row.docUrl}`);
  }
  return row.docUrl.slice(DOCS_ROOT.length, -anchor.length);
}

/** src/version.ts compares major.minor.patch only; `<=1.0.0` may open a shape history (directives.ts knows it). */
function checkVersion(row, field, version, { mayBeOpenEnded = false } = {}) {
  if (version === null || /^\d+\.\d+\.\d+$/.test(version)) return;
  if (mayBeOpenEnded && version === '<=1.0.0') return;
  fail(`${row.name}: ${field} "${version}" is not major.minor.patch`);
}

function compactShape(entry, index, row) {
  checkVersion(row, 'shapeHistory.from', entry.from, { mayBeOpenEnded: index === 0 });
  checkContexts(row, entry.contexts);
  checkArgs(row, entry.args);
  return { from: entry.from, contexts: entry.contexts, args: entry.args, block: entry.block || undefined };
}

function compactRow(row) {
  const docsOnly = row.source === DOCS_ONLY_SOURCE;
  checkContexts(row, row.contexts);
  checkVersion(row, 'since', row.since);
  checkVersion(row, 'sinceFirst', row.sinceFirst);
  if (!docsOnly) {
    if (!Array.isArray(row.args) || row.args.length === 0) fail(`${row.name} (${row.module}): code row without args`);
    checkArgs(row, row.args);
  }
  // Key order is the order a reader wants: identity, shape, history, provenance.
  return {
    name: row.name,
    source: row.source,
    module: row.module,
    contexts: row.contexts,
    args: docsOnly ? undefined : row.args,
    block: row.block || undefined,
    blockBody: row.blockBody ?? undefined,
    default: row.default ?? undefined,
    since: row.since ?? undefined,
    sinceFirst: row.sinceFirst ?? undefined,
    sinceModule: row.sinceModule ?? undefined,
    shapeHistory: row.shapeHistory?.map((entry, index) => compactShape(entry, index, row)),
    deprecated: row.deprecated ?? undefined,
    configure: row.configure ?? undefined,
    buildFlag: row.buildFlag ?? undefined,
    availability: docsOnly ? availabilityOf(row) : undefined,
    note: docsOnly ? row.note : undefined,
    docPage: docPageOf(row),
  };
}

function compactRemoved(entry) {
  for (const field of ['firstRelease', 'lastRelease', 'goneIn']) checkVersion(entry, field, entry[field]);
  return {
    name: entry.name,
    family: entry.family,
    firstRelease: entry.firstRelease,
    lastRelease: entry.lastRelease,
    goneIn: entry.goneIn,
  };
}

function readJsonArray(path) {
  try {
    const value = JSON.parse(readFileSync(path, 'utf8'));
    if (!Array.isArray(value)) fail(`${path}: expected a JSON array`);
    return value;
  } catch (error) {
    fail(`cannot read ${path}: ${error.message}`);
  }
}

const rows = readJsonArray(inputPath).map(compactRow);
const removed = readJsonArray(removedPath).map(compactRemoved);

const lines = (items) => items.map((item) => JSON.stringify(item)).join(',\n');
const header = {
  generatedBy: 'scripts/gen-directives.mjs; do not edit by hand',
  input: relative(repoRoot, inputPath).split('\\').join('/'),
  nginx: 'master after release-1.31.4',
  docsRoot: DOCS_ROOT,
};
const text = `{"about":${JSON.stringify(header)},\n` + `"rows":[\n${lines(rows)}\n],\n` + `"removed":[\n${lines(removed)}\n]}\n`;

mkdirSync(outputDir, { recursive: true });
writeFileSync(join(outputDir, 'directives.json'), text);
console.log(`gen-directives: ${rows.length} rows, ${removed.length} removed names -> ${relative(repoRoot, outputDir)}/directives.json`);
