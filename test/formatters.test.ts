import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { Log } from 'sarif';
import { describe, expect, it } from 'vitest';
import { formatCheckstyle } from '../src/report/checkstyle.js';
import { formatCompact } from '../src/report/compact.js';
import { formatGithub } from '../src/report/github.js';
import { formatGitlab } from '../src/report/gitlab.js';
import { FORMATTER_NAMES, getFormatter, type FormatterContext } from '../src/report/index.js';
import { formatJson, jsonPieces } from '../src/report/json.js';
import { formatJunit } from '../src/report/junit.js';
import { formatSarif } from '../src/report/sarif.js';
import { formatStylish } from '../src/report/stylish.js';
import { inertJson, projectPath } from '../src/report/shared.js';
import { dataFile } from '../src/package-info.js';
import { countSeverities, ruleDocsUrl, type LintMessage, type LintResult, type RuleDocs } from '../src/lint/results.js';

const KEEPALIVE = 'upstream-keepalive-needs-http11';
const TIMEOUT = 'proxy-read-timeout-too-low';

const rules: ReadonlyMap<string, RuleDocs> = new Map([
  [
    KEEPALIVE,
    {
      id: KEEPALIVE,
      description: 'An upstream with keepalive needs proxy_http_version 1.1 in every location that uses it.',
      category: 'reliability',
      severity: 'error',
      fixable: true,
      url: ruleDocsUrl(KEEPALIVE),
    },
  ],
  [
    TIMEOUT,
    {
      id: TIMEOUT,
      description: 'proxy_read_timeout is shorter than the upstream latency budget.',
      category: 'reliability',
      severity: 'warn',
      fixable: false,
      url: ruleDocsUrl(TIMEOUT),
    },
  ],
]);

const context: FormatterContext = { cwd: '/repo', rules, color: false, toolVersion: '0.1.0' };

/** The message with every character some format must escape: XML's `<&"`, GitHub's `%,:` and a line break. */
const AWKWARD_MESSAGE = 'proxy_read_timeout "1<2&3" is 100%, not 5s: too low\nsecond line';

function lintResult(filePath: string, messages: LintMessage[]): LintResult {
  return { filePath, messages, ...countSeverities(messages) };
}

function message(overrides: Partial<LintMessage> & Pick<LintMessage, 'ruleId' | 'severity' | 'message' | 'line'>): LintMessage {
  return { column: 9, endLine: overrides.line, endColumn: 30, ...overrides };
}

const apiConf = lintResult('/repo/nginx/conf.d/api.conf', [
  message({
    ruleId: KEEPALIVE,
    severity: 2,
    message: 'upstream "backend" uses keepalive but this location does not set proxy_http_version 1.1',
    line: 12,
    endColumn: 35,
    fix: { range: [240, 240], text: 'proxy_http_version 1.1;\n' },
  }),
  message({
    ruleId: TIMEOUT,
    severity: 1,
    message: 'proxy_read_timeout 3s is below the 10s minimum',
    line: 14,
    includedFrom: ['/repo/nginx/nginx.conf:31', '/repo/nginx/conf.d/all.conf:2'],
  }),
  message({ ruleId: TIMEOUT, severity: 1, message: AWKWARD_MESSAGE, line: 120, column: 13, endLine: 121, endColumn: 4 }),
]);

const brokenConf = lintResult('/repo/nginx/sites/broken.conf', [
  message({
    ruleId: null,
    severity: 2,
    message: 'Cannot read file: EACCES: permission denied',
    line: 1,
    column: 1,
    endColumn: 1,
    fatal: true,
  }),
]);

const cleanConf = lintResult('/repo/nginx/nginx.conf', []);

const results: readonly LintResult[] = [apiConf, brokenConf, cleanConf];

/** The same problems after three lines were inserted above each of them. */
const movedResults: readonly LintResult[] = results.map((result) =>
  lintResult(
    result.filePath,
    result.messages.map((problem) => ({ ...problem, line: problem.line + 3, endLine: problem.endLine + 3 })),
  ),
);

const ANSI_ESCAPE = '\u001b[';

const REPEATED_XML_ELEMENTS = new Set(['file', 'error', 'testsuite', 'testcase']);

/** Parses a report with a real XML parser; attributes come back unprefixed, `&#10;` and friends decoded. */
function parseXml(xml: string) {
  return new XMLParser({
    ignoreAttributes: false,
    attributeNamePrefix: '',
    // Decodes numeric character references; the default only decodes the five named entities.
    htmlEntities: true,
    isArray: (name) => REPEATED_XML_ELEMENTS.has(name),
  }).parse(xml);
}

describe('registry', () => {
  it('loads a formatter for every advertised name', async () => {
    for (const name of FORMATTER_NAMES) {
      const format = await getFormatter(name);
      expect(format(results, context), name).not.toBe('');
    }
  });

  it('rejects an unknown name and lists the valid ones', async () => {
    await expect(getFormatter('tap')).rejects.toThrow(`Unknown format "tap". Choose one of: ${FORMATTER_NAMES.join(', ')}.`);
  });

  it('emits no ANSI escapes in any format when colour is off', async () => {
    for (const name of FORMATTER_NAMES) {
      const format = await getFormatter(name);
      expect(format(results, context), name).not.toContain(ANSI_ESCAPE);
    }
  });
});

describe('stylish', () => {
  it('groups by file with aligned columns, include chains, rule docs and a summary', () => {
    expect(formatStylish(results, context)).toBe(
      [
        'nginx/conf.d/api.conf',
        `   12:9   error    upstream "backend" uses keepalive but this location does not set proxy_http_version 1.1  ${KEEPALIVE}`,
        `   14:9   warning  proxy_read_timeout 3s is below the 10s minimum  ${TIMEOUT}`,
        '                   ↳ included from nginx/conf.d/all.conf:2, from nginx/nginx.conf:31',
        `  120:13  warning  proxy_read_timeout "1<2&3" is 100%, not 5s: too low`,
        `                   second line  ${TIMEOUT}`,
        '',
        'nginx/sites/broken.conf',
        '  1:1  error    Cannot read file: EACCES: permission denied',
        '',
        'Rule docs:',
        `  ${TIMEOUT}       ${projectPath(fileURLToPath(ruleDocsUrl(TIMEOUT)), context.cwd)}`,
        `  ${KEEPALIVE}  ${projectPath(fileURLToPath(ruleDocsUrl(KEEPALIVE)), context.cwd)}`,
        '',
        '✖ 4 problems (2 errors, 2 warnings)',
        '  1 error and 0 warnings potentially fixable with the `--fix` option.',
        '',
      ].join('\n'),
    );
  });

  it("names the nginx image's own nginx.conf, which includes a config mounted into conf.d/, by its path in the image", () => {
    const mounted = lintResult('/repo/default.conf', [
      message({ ruleId: TIMEOUT, severity: 1, message: 'too low', line: 3, includedFrom: [`${dataFile('nginx-image/nginx.conf')}:31`] }),
    ]);
    expect(formatStylish([mounted], context).split('\n')[2]).toBe('                ↳ included from /etc/nginx/nginx.conf:31 (nginx image)');
  });

  it('wraps long messages (never narrower than 40 columns) under the message column, the rule id after the last line', () => {
    const long = lintResult('/repo/nginx.conf', [
      message({ ruleId: TIMEOUT, severity: 2, message: 'one two three four five six seven eight nine ten', line: 3, column: 5 }),
    ]);
    const lines = formatStylish([long], { ...context, width: 40 }).split('\n');
    expect(lines.slice(0, 4)).toEqual([
      'nginx.conf',
      '  3:5  error    one two three four five six seven eight',
      `                nine ten  ${TIMEOUT}`,
      '',
    ]);
  });

  it('prints nothing for a clean run', () => {
    expect(formatStylish([cleanConf], context)).toBe('');
  });

  it('colours severities and the summary when colour is on', () => {
    const output = formatStylish(results, { ...context, color: true });
    expect(output).toContain('\u001b[31merror  \u001b[39m');
    expect(output).toContain('\u001b[33mwarning\u001b[39m');
    expect(output).toContain('\u001b[4mnginx/conf.d/api.conf\u001b[24m');
  });

  it('keeps the absolute path of a file outside the working directory', () => {
    const outside = lintResult('/etc/nginx/nginx.conf', [message({ ruleId: TIMEOUT, severity: 1, message: 'too low', line: 3 })]);
    expect(formatStylish([outside], context).split('\n')[0]).toBe('/etc/nginx/nginx.conf');
  });
});

describe('compact', () => {
  it('prints one gcc-style line per problem', () => {
    expect(formatCompact(results, context)).toBe(
      [
        `nginx/conf.d/api.conf:12:9: error: upstream "backend" uses keepalive but this location does not set proxy_http_version 1.1 [${KEEPALIVE}]`,
        `nginx/conf.d/api.conf:14:9: warning: proxy_read_timeout 3s is below the 10s minimum [${TIMEOUT}]`,
        `nginx/conf.d/api.conf:120:13: warning: proxy_read_timeout "1<2&3" is 100%, not 5s: too low second line [${TIMEOUT}]`,
        'nginx/sites/broken.conf:1:1: error: Cannot read file: EACCES: permission denied',
        '',
      ].join('\n'),
    );
  });

  it('prints nothing for a clean run', () => {
    expect(formatCompact([cleanConf], context)).toBe('');
  });
});

describe('json', () => {
  it("writes ESLint's result shape, field for field", () => {
    expect(formatJson([brokenConf])).toBe(
      '[{"filePath":"/repo/nginx/sites/broken.conf","messages":[{"column":1,"endLine":1,"endColumn":1,' +
        '"ruleId":null,"severity":2,"message":"Cannot read file: EACCES: permission denied","line":1,"fatal":true}],' +
        '"errorCount":1,"warningCount":0,"fixableErrorCount":0,"fixableWarningCount":0}]\n',
    );
  });

  it('round-trips every result unchanged', () => {
    expect(JSON.parse(formatJson(results))).toEqual(results);
  });

  it('gives in pieces exactly the whole report made inert, across batches of messages and with controls', () => {
    // 600 messages cross two batch boundaries; DEL, CSI (U+009B) and `##[` must be escaped wherever they fall.
    const many = lintResult(
      '/repo/nginx/many\u009b.conf',
      Array.from({ length: 600 }, (_, index) =>
        message({ ruleId: TIMEOUT, severity: 1, message: `#${index} ${index % 7 === 0 ? '##[error]\u007f\u009b' : 'plain'}#`, line: index + 1 }),
      ),
    );
    const fixed = { ...lintResult('/repo/nginx/fixed.conf', []), output: 'events {}\n##[x' };
    const unfixed = { ...lintResult('/repo/nginx/unfixed.conf', []), output: undefined };
    const all = [many, fixed, unfixed, ...results];
    const pieces = [...jsonPieces(all)];
    expect(pieces.join('')).toBe(`${inertJson(JSON.stringify(all))}\n`);
    expect(pieces.join('')).not.toMatch(/[\u007f-\u009f]|##\[/);
    expect(pieces.filter((piece) => piece.includes('"ruleId"')).length).toBeGreaterThanOrEqual(3);
    expect(JSON.parse(formatJson(all))).toEqual(JSON.parse(JSON.stringify(all)));
  });
});

describe('github', () => {
  it('writes escaped workflow commands and a plain summary', () => {
    expect(formatGithub(results, context)).toBe(
      [
        `::error file=nginx/conf.d/api.conf,line=12,col=9,endLine=12,endColumn=35,title=nginx-lint(${KEEPALIVE})::upstream "backend" uses keepalive but this location does not set proxy_http_version 1.1`,
        `::warning file=nginx/conf.d/api.conf,line=14,col=9,endLine=14,endColumn=30,title=nginx-lint(${TIMEOUT})::proxy_read_timeout 3s is below the 10s minimum`,
        `::warning file=nginx/conf.d/api.conf,line=120,col=13,endLine=121,endColumn=4,title=nginx-lint(${TIMEOUT})::proxy_read_timeout "1<2&3" is 100%25, not 5s: too low%0Asecond line`,
        '::error file=nginx/sites/broken.conf,line=1,col=1,endLine=1,endColumn=1,title=nginx-lint::Cannot read file: EACCES: permission denied',
        'nginx-lint: 4 problems (2 errors, 2 warnings) in 2 files.',
        '',
      ].join('\n'),
    );
  });

  it('escapes the property delimiters in a file name', () => {
    const oddName = lintResult('/repo/a,b:c%.conf', [message({ ruleId: TIMEOUT, severity: 1, message: 'too low', line: 0, column: 0 })]);
    expect(formatGithub([oddName], context).split('\n')[0]).toBe(`::warning file=a%2Cb%3Ac%25.conf,title=nginx-lint(${TIMEOUT})::too low`);
  });

  it('prints nothing for a clean run', () => {
    expect(formatGithub([cleanConf], context)).toBe('');
  });
});

describe('checkstyle', () => {
  const output = formatCheckstyle(results);

  it('writes the checkstyle shape with escaped attributes', () => {
    expect(output).toBe(
      [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<checkstyle version="4.3">',
        '  <file name="/repo/nginx/conf.d/api.conf">',
        `    <error line="12" column="9" severity="error" message="upstream &quot;backend&quot; uses keepalive but this location does not set proxy_http_version 1.1" source="nginx-lint.${KEEPALIVE}" />`,
        `    <error line="14" column="9" severity="warning" message="proxy_read_timeout 3s is below the 10s minimum" source="nginx-lint.${TIMEOUT}" />`,
        `    <error line="120" column="13" severity="warning" message="proxy_read_timeout &quot;1&lt;2&amp;3&quot; is 100%, not 5s: too low&#10;second line" source="nginx-lint.${TIMEOUT}" />`,
        '  </file>',
        '  <file name="/repo/nginx/sites/broken.conf">',
        '    <error line="1" column="1" severity="error" message="Cannot read file: EACCES: permission denied" source="nginx-lint" />',
        '  </file>',
        '  <file name="/repo/nginx/nginx.conf" />',
        '</checkstyle>',
        '',
      ].join('\n'),
    );
  });

  it('is well-formed XML that keeps the message intact', () => {
    expect(XMLValidator.validate(output)).toBe(true);
    expect(parseXml(output).checkstyle.file[0].error[2].message).toBe(AWKWARD_MESSAGE);
  });

  it('replaces characters XML cannot carry', () => {
    const controlChars = lintResult('/repo/x.conf', [message({ ruleId: TIMEOUT, severity: 1, message: 'bad \u0001 byte', line: 1 })]);
    const xml = formatCheckstyle([controlChars]);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('message="bad \uFFFD byte"');
  });
});

describe('junit', () => {
  const output = formatJunit(results, context);
  const parsed = parseXml(output);

  it('is well-formed XML', () => {
    expect(XMLValidator.validate(output)).toBe(true);
  });

  it('has one suite per file and one failing case per problem', () => {
    const [api, broken] = parsed.testsuites.testsuite;
    expect(api).toMatchObject({ name: 'nginx/conf.d/api.conf', tests: '3', errors: '3' });
    expect(api.testcase.map((testCase: { name: string }) => testCase.name)).toEqual([KEEPALIVE, TIMEOUT, TIMEOUT]);
    expect(api.testcase[2].failure).toEqual({
      message: AWKWARD_MESSAGE,
      '#text': `line 120, col 13, Warning - ${AWKWARD_MESSAGE} (${TIMEOUT})`,
    });
    expect(broken.testcase[0]).toMatchObject({
      name: 'nginx-lint',
      failure: { '#text': 'line 1, col 1, Error - Cannot read file: EACCES: permission denied' },
    });
  });

  it('gives a clean file one passing case', () => {
    const clean = parsed.testsuites.testsuite[2];
    expect(clean).toMatchObject({ name: 'nginx/nginx.conf', tests: '1', errors: '0' });
    expect(clean.testcase).toEqual([{ time: '0', name: 'no problems', classname: 'nginx/nginx.conf' }]);
  });

  it('splits a CDATA terminator inside a message', () => {
    const tricky = lintResult('/repo/x.conf', [message({ ruleId: TIMEOUT, severity: 1, message: 'a ]]> b', line: 1 })]);
    const xml = formatJunit([tricky], context);
    expect(XMLValidator.validate(xml)).toBe(true);
    expect(xml).toContain('<![CDATA[line 1, col 9, Warning - a ]]]]><![CDATA[> b');
  });
});

describe('gitlab', () => {
  interface CodeQualityIssue {
    description: string;
    check_name: string;
    fingerprint: string;
    severity: string;
    location: { path: string; lines: { begin: number } };
  }
  const issues = JSON.parse(formatGitlab(results, context)) as CodeQualityIssue[];

  it('writes one issue per problem with cwd-relative paths and mapped severities', () => {
    expect(issues.map(({ check_name, severity, location }) => [check_name, severity, location.path, location.lines.begin])).toEqual([
      [KEEPALIVE, 'major', 'nginx/conf.d/api.conf', 12],
      [TIMEOUT, 'minor', 'nginx/conf.d/api.conf', 14],
      [TIMEOUT, 'minor', 'nginx/conf.d/api.conf', 120],
      ['nginx-lint', 'major', 'nginx/sites/broken.conf', 1],
    ]);
    expect(issues[2]?.description).toBe(AWKWARD_MESSAGE);
  });

  it('keeps fingerprints when lines move', () => {
    const moved = JSON.parse(formatGitlab(movedResults, context)) as CodeQualityIssue[];
    expect(moved.map((issue) => issue.fingerprint)).toEqual(issues.map((issue) => issue.fingerprint));
  });

  it('gives identical problems distinct fingerprints', () => {
    const twice = lintResult('/repo/x.conf', [
      message({ ruleId: TIMEOUT, severity: 1, message: 'too low', line: 1 }),
      message({ ruleId: TIMEOUT, severity: 1, message: 'too low', line: 2 }),
    ]);
    const [first, second] = JSON.parse(formatGitlab([twice], context)) as CodeQualityIssue[];
    expect(first?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(second?.fingerprint).toMatch(/^[0-9a-f]{32}$/);
    expect(first?.fingerprint).not.toBe(second?.fingerprint);
  });
});

describe('sarif', () => {
  const schema = JSON.parse(readFileSync(new URL('fixtures/sarif-schema-2.1.0.json', import.meta.url), 'utf8')) as object;
  const ajv = new AjvDraft04.default({ allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(schema);
  const log = JSON.parse(formatSarif(results, context)) as Log;
  const run = log.runs[0];

  it('validates against the OASIS SARIF 2.1.0 schema', () => {
    expect(validate(log), ajv.errorsText(validate.errors)).toBe(true);
    const empty = JSON.parse(formatSarif([cleanConf], context)) as unknown;
    expect(validate(empty), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('describes every rule that fired, and results point at their descriptor', () => {
    expect(run?.tool.driver).toMatchObject({ name: 'nginx-lint', semanticVersion: '0.1.0' });
    expect(run?.tool.driver.rules).toEqual([
      {
        id: TIMEOUT,
        shortDescription: { text: 'proxy_read_timeout is shorter than the upstream latency budget.' },
        fullDescription: { text: 'proxy_read_timeout is shorter than the upstream latency budget.' },
        help: {
          text: `proxy_read_timeout is shorter than the upstream latency budget.\nDocumentation: ${ruleDocsUrl(TIMEOUT)}`,
          markdown: `proxy_read_timeout is shorter than the upstream latency budget.\n\n[Documentation for \`${TIMEOUT}\`](${ruleDocsUrl(TIMEOUT)})`,
        },
        helpUri: ruleDocsUrl(TIMEOUT),
        defaultConfiguration: { level: 'warning' },
        properties: { tags: ['reliability'] },
      },
      expect.objectContaining({ id: KEEPALIVE, defaultConfiguration: { level: 'error' } }),
    ]);
    for (const result of run?.results ?? []) {
      expect(run?.tool.driver.rules?.[result.ruleIndex ?? -1]?.id).toBe(result.ruleId);
    }
  });

  it('locates results relative to the source root', () => {
    expect(run?.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///repo/' } });
    expect(run?.results?.[0]).toMatchObject({
      ruleId: KEEPALIVE,
      level: 'error',
      message: { text: 'upstream "backend" uses keepalive but this location does not set proxy_http_version 1.1' },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: 'nginx/conf.d/api.conf', uriBaseId: '%SRCROOT%' },
            region: { startLine: 12, startColumn: 9, endLine: 12, endColumn: 35 },
          },
        },
      ],
    });
  });

  it('addresses a file outside the working directory by an absolute file URI', () => {
    const outside = lintResult('/etc/nginx/my site.conf', [message({ ruleId: TIMEOUT, severity: 1, message: 'too low', line: 3 })]);
    const outsideLog = JSON.parse(formatSarif([outside], context)) as Log;
    expect(outsideLog.runs[0]?.results?.[0]?.locations?.[0]?.physicalLocation?.artifactLocation).toEqual({
      uri: 'file:///etc/nginx/my%20site.conf',
    });
  });

  it('turns the include chain into related locations', () => {
    expect(run?.results?.[1]?.relatedLocations).toEqual([
      {
        id: 0,
        physicalLocation: { artifactLocation: { uri: 'nginx/nginx.conf', uriBaseId: '%SRCROOT%' }, region: { startLine: 31 } },
        message: { text: 'An include further up the chain' },
      },
      {
        id: 1,
        physicalLocation: { artifactLocation: { uri: 'nginx/conf.d/all.conf', uriBaseId: '%SRCROOT%' }, region: { startLine: 2 } },
        message: { text: 'The include that loads this file' },
      },
    ]);
  });

  it('fingerprints results by path, rule and message, not by line', () => {
    const moved = JSON.parse(formatSarif(movedResults, context)) as Log;
    const fingerprints = (sarif: Log) => sarif.runs[0]?.results?.map((result) => result.partialFingerprints?.primaryLocationLineHash);
    expect(fingerprints(moved)).toEqual(fingerprints(log));
    expect(fingerprints(log)?.[0]).toMatch(/^[0-9a-f]{32}:1$/);
  });

  it('reports a problem that belongs to no rule as a failed execution, not as a finding', () => {
    expect(run?.results?.map((result) => result.ruleId)).toEqual([KEEPALIVE, TIMEOUT, TIMEOUT]);
    expect(run?.invocations).toEqual([
      {
        executionSuccessful: false,
        toolExecutionNotifications: [
          {
            level: 'error',
            message: { text: 'Cannot read file: EACCES: permission denied' },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: 'nginx/sites/broken.conf', uriBaseId: '%SRCROOT%' },
                  region: { startLine: 1, startColumn: 1, endLine: 1, endColumn: 1 },
                },
              },
            ],
          },
        ],
      },
    ]);
  });
});
