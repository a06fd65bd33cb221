/**
 * The structural rules against real nginx: every corpus file is linted in the context nginx accepted it in (the
 * truth's `wrapper` column), and the findings are compared with the verdict `nginx -t` 1.22.1 gave (recorded in
 * `nginx-t-results.tsv`, so nginx is not needed here). A file nginx accepted must get no structural error; a file
 * nginx rejected for a syntax error, an unknown directive or a directive out of place must get its first structural
 * finding, in nginx's order of reading, at the file and line nginx named and with nginx's message; for any other
 * rejection that names a line, the linter must not report a structural error before that line, where nginx had read
 * everything without one.
 *
 * Includes are followed, as nginx follows them, with the file's own directory as the prefix (the truth wrote its
 * wrapper config next to the file). The truth's sandbox created an empty file for every missing include target, so a
 * missing include is not a structural error here: include-not-found is not among the rules run. The sandbox also
 * emptied Debian's sites-enabled/ and conf.d/, so files outside the corpus that this machine happens to have are not
 * the corpus's: findings in them are ignored.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lint } from '../src/run.js';
import { findCorpus, nginxErrorLocation, readTruth, TRUTH_NGINX_VERSION, type TruthRow } from './helpers/corpus.js';
import { NGINX_T_RULES } from './helpers/nginx.js';

/** The rules whose findings mean `nginx -t` stops: every structural rule, the handler checks included. */
const STRUCTURAL_RULES = [...NGINX_T_RULES, 'module-not-loaded'];

/** Rejections the linter must report at the line nginx names (or, when nginx names none, anywhere). */
const MUST_FIND_REJECTIONS = new Set(['syntax', 'unknown-directive', 'context', 'semantic', 'dependency']);

/** The classes issue 11 measures: what nginx's handlers and its context check reject. */
const HANDLER_CLASSES = new Set(['semantic', 'context']);

/**
 * nginx checks these only once the whole configuration is read, so it names no line (or a line of its own choosing)
 * and they do not stop it before later statements: a finding of this kind before nginx's line is not a disagreement.
 */
const CHECKED_AT_THE_END =
  /^(unknown "[^"]*" variable|zero size shared memory zone|no "ssl_certificate" is defined|no ssl configured for the server|"[a-z]+_cache" zone "[^"]*" is unknown)/;

/**
 * Rejections the linter does not report, and why. `host-dependent`: the verdict depends on the machine nginx ran
 * on (host names in /etc/hosts, the sandbox's stubs), so a static check must not claim it. `not modelled`: a check
 * nginx makes that nginx-lint does not make yet. The test fails unless this is exactly the set of such rejections.
 */
const NOT_CAUGHT: Readonly<Record<string, string>> = {
  'certbot__certbot/certbot/src/certbot/_internal/tests/plugins/nginx/testdata/etc_nginx/sites-enabled/default':
    'host-dependent: `listen myhost` and `listen otherhost` are the same address only because the sandbox mapped both ' +
    'names to 127.0.0.1 in /etc/hosts; nginx-lint does not resolve host names',
  'nginxinc__docker-nginx/.test/tests/templates/server.conf.template':
    'by design: nginx-lint reads a `*.conf.template` as the nginx image renders it (envsubst fills ' +
    '`${NGINX_MY_SERVER_NAME}`); nginx -t read the raw template',
  'nginxinc__docker-nginx/.test/tests/workers/server.conf.template': 'by design: a template, as above',
  'certbot__certbot/certbot-compatibility-test/nginx/nginx-roundtrip-testdata/simplepythonfcgi/weird-spacing.conf':
    'by design: `${PROJECTBASE}` and `${HOST}:${PORT}` are upper-case variables nginx does not have, so nginx-lint reads ' +
    'the file as an envsubst template, rendered (a neutral word per placeholder); nginx -t read it raw',
};

/** How nginx's sandbox wrapped each file (nginx-truth.sh `wrapper()`), so the linter sees the same surroundings. */
function wrapperFor(row: TruthRow, absolutePath: string, text: string): string {
  const include = `include ${absolutePath};\n`;
  // The stubs the truth put at http level: a certificate, and a log_format for every format used but not defined.
  const used = new Set<string>();
  const defined = new Set<string>();
  for (const match of text.matchAll(/^\s*log_format\s+([^\s;]+)/gm)) defined.add(match[1]!);
  for (const match of text.matchAll(/^\s*access_log\s+(\S+)\s+([^\s;]+)/gm)) {
    if (!match[2]!.includes('=') && match[1] !== 'off') used.add(match[2]!);
  }
  let stubs = 'ssl_certificate /nonexistent/combined.pem;\nssl_certificate_key /nonexistent/combined.pem;\n';
  for (const format of [...used].sort()) {
    if (!defined.has(format) && format !== 'combined' && /^[A-Za-z0-9_.-]+$/.test(format)) stubs += `log_format ${format} '$remote_addr';\n`;
  }
  switch (row.context) {
    case 'main':
      return include + (/^\s*events\s*\{/m.test(text) ? '' : 'events {}\n');
    case 'http':
      return `events {}\nhttp {\n${stubs}${include}}\n`;
    case 'server':
      return `events {}\nhttp {\n${stubs}server {\n${include}}\n}\n`;
    case 'location':
      return `events {}\nhttp {\n${stubs}server {\nlocation / {\n${include}}\n}\n}\n`;
    case 'stream':
      return `events {}\nstream {\n${include}}\n`;
    default:
      throw new Error(`unexpected wrapper ${row.context}`);
  }
}

interface Finding {
  readonly file: string;
  readonly line: number;
  readonly ruleId: string;
  readonly message: string;
  /** nginx's reading order: each include on the way (file, line), then the finding itself. */
  readonly order: readonly Location[];
}

interface Location {
  readonly file: string;
  readonly line: number;
}

function parseLocation(location: string): Location {
  const colon = location.lastIndexOf(':');
  return { file: location.slice(0, colon), line: Number(location.slice(colon + 1)) };
}

/**
 * nginx reads an included file where its `include` stands, and the files of one glob in sorted order, so comparing
 * the include chains step by step orders findings as nginx meets them; an include's own problem comes before what
 * it brings in.
 */
function compareReadingOrder(a: Finding, b: Finding): number {
  for (let step = 0; step < Math.min(a.order.length, b.order.length); step++) {
    const left = a.order[step]!;
    const right = b.order[step]!;
    if (left.file !== right.file) return left.file < right.file ? -1 : 1;
    if (left.line !== right.line) return left.line - right.line;
  }
  return a.order.length - b.order.length;
}

/**
 * Where a finding stands against the point where nginx stopped. nginx names only the file and line, not the includes
 * that led there, so the finding is placed at the first step of its reading order that is in nginx's file; when no
 * step is, it cannot be placed.
 */
function placeAgainst(finding: Finding, stop: Location): 'before' | 'not-before' | 'unplaceable' {
  const step = finding.order.find((candidate) => candidate.file === stop.file);
  if (step === undefined) return 'unplaceable';
  return step.line < stop.line ? 'before' : 'not-before';
}

function describeFinding(finding: Finding): string {
  return `${finding.file}:${finding.line} ${finding.ruleId}: ${finding.message}`;
}

class Tally {
  agreeing = 0;
  total = 0;

  count(agrees: boolean): void {
    this.total++;
    if (agrees) this.agreeing++;
  }

  toString(): string {
    return `${this.agreeing}/${this.total}`;
  }
}

const corpus = findCorpus('corpus fidelity test');

/** The figures the README's fidelity block states, as this test measured them. */
export interface FidelityFigures {
  readonly files: number;
  readonly accepted: Tally;
  readonly syntaxOrUnknown: Tally;
  readonly handler: Tally;
  readonly dependency: Tally;
  readonly notCaught: Readonly<Record<string, string>>;
  readonly handlerRows: ReadonlySet<string>;
}

function fidelityBlock(figures: FidelityFigures): string {
  const handlerMissed = Object.entries(figures.notCaught).filter(([file]) => figures.handlerRows.has(file));
  return [
    `The checker is held to what real \`nginx -t\` (Debian nginx-extras 1.22.1) said of ${figures.files} real configuration`,
    'files from 19 public repositories, each in the wrapper nginx was given (`test/corpus-fidelity.test.ts`, with the',
    'corpus at `NGINX_LINT_CORPUS`, default `../shared/corpus`; this block is written by that test):',
    '',
    `- **${figures.accepted.agreeing} of the ${figures.accepted.total} files nginx accepts** get no error from a structural rule.`,
    `- **${figures.syntaxOrUnknown.agreeing} of the ${figures.syntaxOrUnknown.total} files nginx rejects** for a syntax error or an unknown directive get an error at the line nginx`,
    "  names, with nginx's own message.",
    `- **${figures.handler.agreeing} of the ${figures.handler.total} files nginx rejects** in a directive's handler or for a directive out of place (classes \`semantic\``,
    `  and \`context\`) get nginx's error at nginx's line (or, where nginx names none, nginx's message). ${handlerMissed.length === 1 ? 'The one left' : `The other ${handlerMissed.length}`}:`,
    ...handlerMissed.map(([file, why]) => `  \`${file.split('/').pop()}\`: ${why}.`),
    `- **${figures.dependency.agreeing} of the ${figures.dependency.total}** rejections for something defined elsewhere (an unknown variable, log format, zone or`,
    `  port) are found the same way; the other ${figures.dependency.total - figures.dependency.agreeing} are \`*.conf.template\` files, which nginx-lint reads rendered as the nginx image renders them.`,
    '- `--fix` changes 72 of the 529 accepted files; real `nginx -t` still accepts all 69 of them it can check here',
    '  (`test/corpus-fix.test.ts`; the other 3 need something the test sandbox cannot provide, such as a system user or a resolvable host name).',
  ].join('\n');
}

describe.skipIf(corpus === null)('corpus fidelity: structural rules against nginx -t 1.22.1', () => {
  const configDirectory = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-fidelity-'));
  afterAll(() => rmSync(configDirectory, { recursive: true, force: true }));
  // An explicit config stops the lookup of any other; `extends: []` keeps the recommended preset from applying
  // underneath, so exactly these rules run.
  const configFile = path.join(configDirectory, '.nginx-lint.json');
  writeFileSync(configFile, JSON.stringify({ extends: [], rules: Object.fromEntries(STRUCTURAL_RULES.map((id) => [id, 'error'])) }));

  /** The structural findings for one corpus file, in nginx's reading order, paths relative to the corpus. */
  async function structuralFindings(root: string, row: TruthRow): Promise<Finding[]> {
    const file = path.join(root, row.path);
    const wrapper = path.join(configDirectory, 'wrapper.conf');
    writeFileSync(wrapper, wrapperFor(row, file, readFileSync(file, 'utf8')));
    const run = await lint([wrapper], {
      cwd: root,
      configFile,
      context: 'main',
      nginxVersion: TRUTH_NGINX_VERSION,
      followIncludes: true,
      // The truth was made with a wrapper main config beside each file: its folder is nginx's conf prefix.
      prefix: path.dirname(file),
    });
    const relative = (filePath: string) => path.relative(root, filePath);
    const findings: Finding[] = [];
    for (const result of run.results) {
      const resultFile = relative(result.filePath);
      if (resultFile.startsWith('..')) continue;
      for (const message of result.messages) {
        if (message.ruleId === null || !STRUCTURAL_RULES.includes(message.ruleId)) continue;
        const chain = (message.includedFrom ?? [])
          .map(parseLocation)
          .map((step) => ({ ...step, file: relative(step.file) }))
          .filter((step) => !step.file.startsWith('..'));
        // A missing ";" is reported where it belongs and names nginx's line (where nginx stops) in its data.
        const nginxLine = typeof message.data?.nginxLine === 'number' ? message.data.nginxLine : message.line;
        findings.push({
          file: resultFile,
          line: nginxLine,
          ruleId: message.ruleId,
          message: message.message,
          order: [...chain, { file: resultFile, line: nginxLine }],
        });
      }
    }
    return findings.sort(compareReadingOrder);
  }

  it('agrees with nginx -t on every accepted file and on where nginx stopped for the rejected ones', async () => {
    const accepted = new Tally();
    const syntaxOrUnknown = new Tally();
    const handler = new Tally();
    const dependency = new Tally();
    const handlerRows = new Set<string>();
    const disagreements: Record<string, string> = {};
    const missed: Record<string, string> = {};
    let files = 0;

    for (const row of readTruth(corpus!)) {
      files++;
      const findings = await structuralFindings(corpus!, row);
      const [first] = findings;
      if (row.accepted) {
        accepted.count(first === undefined);
        if (first) disagreements[row.path] = `accepted by nginx, but: ${describeFinding(first)}`;
        continue;
      }
      if (!MUST_FIND_REJECTIONS.has(row.errorClass)) {
        // A module that is not installed or a missing file: nothing may be reported before nginx's line.
        const stop = nginxErrorLocation(row.nginxMessage);
        const early = findings.find((finding) => !CHECKED_AT_THE_END.test(finding.message));
        if (stop && early && placeAgainst(early, stop) === 'before')
          disagreements[row.path] = `nginx: ${row.nginxMessage}; nginx-lint first: ${describeFinding(early)}`;
        continue;
      }
      if (HANDLER_CLASSES.has(row.errorClass)) handlerRows.add(row.path);
      // nginx names its wrapper when it fails at the end of a block there: then only its words can be compared.
      const located = nginxErrorLocation(row.nginxMessage);
      const stop = located?.file.startsWith('<wrapper') ? null : located;
      const expectedMessage = located && !stop ? located.message : row.nginxMessage;
      let found: boolean;
      let early: Finding | undefined;
      if (stop) {
        found = findings.some((finding) => finding.file === stop.file && finding.line === stop.line && finding.message.startsWith(stop.message));
        // Nothing nginx would have stopped at earlier: findings of checks nginx makes at the end do not count.
        early = findings.find((finding) => !CHECKED_AT_THE_END.test(finding.message) && placeAgainst(finding, stop) === 'before');
      } else {
        found = findings.some((finding) => finding.message.startsWith(expectedMessage));
      }
      const tally = row.errorClass === 'dependency' ? dependency : HANDLER_CLASSES.has(row.errorClass) ? handler : syntaxOrUnknown;
      tally.count(found && !early);
      if (!found) missed[row.path] = `nginx: ${row.nginxMessage}; nginx-lint: ${findings.slice(0, 2).map(describeFinding).join(' | ') || 'nothing'}`;
      else if (early) disagreements[row.path] = `nginx: ${row.nginxMessage}; nginx-lint first: ${describeFinding(early)}`;
    }

    const figures = { files, accepted, syntaxOrUnknown, handler, dependency, notCaught: NOT_CAUGHT, handlerRows };
    const block = fidelityBlock(figures);
    console.log(`corpus fidelity:\n${block}`);
    if (process.env.UPDATE_FIDELITY === '1') writeReadmeBlock(block);

    const unexplainedMisses = Object.fromEntries(Object.entries(missed).filter(([file]) => !(file in NOT_CAUGHT)));
    const resolved = Object.keys(NOT_CAUGHT).filter((file) => !(file in missed));
    expect({ disagreements, unexplainedMisses, resolved }).toEqual({ disagreements: {}, unexplainedMisses: {}, resolved: [] });
    expect(handler.agreeing / handler.total).toBeGreaterThanOrEqual(0.9);
    expect(readmeBlock(), 'README.md fidelity block is stale: run UPDATE_FIDELITY=1 npx vitest run test/corpus-fidelity.test.ts').toBe(block);
  });
});

const README = path.resolve(import.meta.dirname, '../README.md');
const BLOCK = /(<!-- fidelity:start -->\n)([\s\S]*?)(\n<!-- fidelity:end -->)/;

function readmeBlock(): string {
  return BLOCK.exec(readFileSync(README, 'utf8'))?.[2] ?? '';
}

function writeReadmeBlock(block: string): void {
  writeFileSync(
    README,
    readFileSync(README, 'utf8').replace(BLOCK, (_, open: string, _old: string, close: string) => `${open}${block}${close}`),
  );
}
