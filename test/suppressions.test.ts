import { describe, expect, it } from 'vitest';
import { positionAt, type SourceFile } from '../src/syntax/ast.js';
import { parse } from '../src/syntax/parser.js';
import { findSuppressions, parseSuppressionComments, type SuppressionCandidate, type SuppressionOptions } from '../src/lint/suppressions.js';

/** A finding of `ruleId` at the first occurrence of `at` in the file. */
function finding(file: SourceFile, ruleId: string, at: string): SuppressionCandidate {
  const start = file.text.indexOf(at);
  if (start === -1) throw new Error(`"${at}" is not in the test file`);
  return { ruleId, start, line: positionAt(file, start).line };
}

/** Runs the suppressions over findings given as [ruleId, text they start at]; returns which stay and the problems. */
function check(text: string, findings: readonly (readonly [string, string])[], options: SuppressionOptions = {}) {
  const file = parse(text, '/etc/nginx/nginx.conf');
  const candidates = findings.map(([ruleId, at]) => finding(file, ruleId, at));
  const outcome = findSuppressions(file, candidates, options);
  const describeProblem = ({ message, start }: { message: string; start: number }) => `${positionAt(file, start).line}: ${message}`;
  return {
    reported: candidates.filter((_, index) => !outcome.suppressed.has(index)).map(({ ruleId, line }) => `${line}: ${ruleId}`),
    unused: outcome.unused.map(describeProblem),
    missingReasons: outcome.missingReasons.map(describeProblem),
  };
}

describe('nginx-lint-disable-next-line', () => {
  it('suppresses the named rules on the next statement only', () => {
    const text = [
      'http {',
      '  # nginx-lint-disable-next-line timeout-too-low -- batch endpoint, clients retry',
      '  proxy_read_timeout 3s;',
      '  proxy_send_timeout 3s;',
      '}',
    ].join('\n');
    expect(
      check(text, [
        ['timeout-too-low', 'proxy_read_timeout'],
        ['buffering-off', 'proxy_read_timeout'],
        ['timeout-too-low', 'proxy_send_timeout'],
      ]),
    ).toEqual({ reported: ['3: buffering-off', '4: timeout-too-low'], unused: [], missingReasons: [] });
  });

  it('covers the whole block when the next statement opens one', () => {
    const text = [
      '# nginx-lint-disable-next-line keepalive',
      'upstream api {',
      '  server 10.0.0.1:3000;',
      '  keepalive 16;',
      '}',
      'upstream auth {',
      '  keepalive 8;',
      '}',
    ].join('\n');
    expect(
      check(text, [
        ['keepalive', 'keepalive 16'],
        ['keepalive', 'keepalive 8'],
      ]).reported,
    ).toEqual(['7: keepalive']);
  });

  it('skips blank lines and comments but never leaves its block', () => {
    const text = [
      'server {',
      '  # nginx-lint-disable-next-line timeout-too-low',
      '',
      '  # proxy settings',
      '  proxy_read_timeout 3s;',
      '  location / {',
      '    # nginx-lint-disable-next-line timeout-too-low',
      '  }',
      '  proxy_send_timeout 3s;',
      '}',
    ].join('\n');
    expect(
      check(text, [
        ['timeout-too-low', 'proxy_read_timeout'],
        ['timeout-too-low', 'proxy_send_timeout'],
      ]),
    ).toEqual({
      reported: ['9: timeout-too-low'],
      unused: ['7: unused nginx-lint-disable-next-line: no "timeout-too-low" problem to suppress'],
      missingReasons: [],
    });
  });
});

describe('nginx-lint-disable-line', () => {
  it('suppresses findings reported on the line of a trailing comment', () => {
    const text = ['proxy_buffering off;  # nginx-lint-disable-line buffering-off', 'proxy_request_buffering off;'].join('\n');
    expect(
      check(text, [
        ['buffering-off', 'proxy_buffering'],
        ['buffering-off', 'proxy_request_buffering'],
      ]).reported,
    ).toEqual(['2: buffering-off']);
  });
});

describe('nginx-lint-disable and nginx-lint-enable', () => {
  const text = [
    '# nginx-lint-disable keepalive, buffering-off',
    'keepalive_timeout 1s;',
    'proxy_buffering off;',
    '# nginx-lint-enable keepalive',
    'keepalive_requests 1;',
    'proxy_buffers 1 1k;',
  ].join('\n');

  it('suppresses the named rules until they are enabled again, or to the end of the file', () => {
    expect(
      check(text, [
        ['keepalive', 'keepalive_timeout'],
        ['buffering-off', 'proxy_buffering'],
        ['keepalive', 'keepalive_requests'],
        ['buffering-off', 'proxy_buffers'],
      ]),
    ).toEqual({ reported: ['5: keepalive'], unused: [], missingReasons: [] });
  });

  it('without ids disables every rule, and an enable with ids takes just those out', () => {
    const allRules = ['# nginx-lint-disable', 'a 1;', '# nginx-lint-enable second', 'b 1;', '# nginx-lint-enable', 'c 1;'].join('\n');
    expect(
      check(allRules, [
        ['first', 'a 1'],
        ['second', 'a 1'],
        ['first', 'b 1'],
        ['second', 'b 1'],
        ['first', 'c 1'],
      ]).reported,
    ).toEqual(['4: second', '6: first']);
  });

  it('reports an enable that re-enables nothing', () => {
    const stray = ['a 1;', '# nginx-lint-enable first', '# nginx-lint-disable second', 'b 1;', '# nginx-lint-enable'].join('\n');
    expect(check(stray, [['second', 'b 1']]).unused).toEqual(['2: unused nginx-lint-enable: "first" is not disabled here']);
    expect(check('a 1;\n# nginx-lint-enable\n', []).unused).toEqual(['2: unused nginx-lint-enable: nothing is disabled here']);
  });
});

describe('nginx-lint-disable-file', () => {
  it('suppresses the named rules anywhere in the file', () => {
    const text = ['events {}', 'http {', '  proxy_buffering off;', '}', '# nginx-lint-disable-file buffering-off'].join('\n');
    expect(
      check(text, [
        ['buffering-off', 'proxy_buffering'],
        ['other', 'events'],
      ]).reported,
    ).toEqual(['1: other']);
  });
});

describe('unused suppressions and reasons', () => {
  it('reports each rule id that suppressed nothing, and ignores other comments such as the context pragma', () => {
    const text = [
      '# nginx-lint context: server',
      '# nginx-lint-disable-next-line timeout-too-low, buffering-off',
      'proxy_read_timeout 3s;',
      'proxy_buffering on;  # nginx-lint-disable-line',
    ].join('\n');
    expect(check(text, [['timeout-too-low', 'proxy_read_timeout']])).toEqual({
      reported: [],
      unused: [
        '2: unused nginx-lint-disable-next-line: no "buffering-off" problem to suppress',
        '4: unused nginx-lint-disable-line: no problem to suppress',
      ],
      missingReasons: [],
    });
  });

  it('requires a reason after " -- " when asked to', () => {
    const text = [
      '# nginx-lint-disable-next-line timeout-too-low -- batch endpoint',
      'proxy_read_timeout 3s;',
      '# nginx-lint-disable buffering-off',
      'proxy_buffering off;',
      '# nginx-lint-enable buffering-off',
      'proxy_send_timeout 1s;  # nginx-lint-disable-line timeout-too-low --',
    ].join('\n');
    const findings = [
      ['timeout-too-low', 'proxy_read_timeout'],
      ['buffering-off', 'proxy_buffering'],
      ['timeout-too-low', 'proxy_send_timeout'],
    ] as const;
    expect(check(text, findings, { requireReason: true }).missingReasons).toEqual([
      '3: nginx-lint-disable needs a reason: add " -- why" after the rule ids',
      '6: nginx-lint-disable-line needs a reason: add " -- why" after the rule ids',
    ]);
    expect(check(text, findings).missingReasons).toEqual([]);
  });

  it('parses rule ids separated by commas or spaces, and the reason after " -- "', () => {
    const comment = '# nginx-lint-disable-next-line a,b c -- because -- really';
    const file = parse(`${comment}\nx 1;\n`, 'x.conf');
    expect(parseSuppressionComments(file)).toEqual([
      { kind: 'disable-next-line', ruleIds: ['a', 'b', 'c'], reason: 'because -- really', start: 0, end: comment.length },
    ]);
  });
});
