/**
 * The cheap paths a finding takes on its way to a message: each must give what the plain computation gives, since a
 * large configuration's findings all take them (the findings bench: 33,333).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { capQuotes, FindingSet, toFinding, type Finding } from '../src/lint/findings.js';
import type { ConfigTree } from '../src/load/tree.js';
import type { RuleMeta } from '../src/lint/rule.js';
import { lineAt, positionAt } from '../src/syntax/ast.js';
import { parse } from '../src/syntax/parser.js';

/** capQuotes as it was written before its fast path: every quote through the replacement. */
function capQuotesByReplacing(message: string): string {
  const binary = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  return message.replace(/"([^"]*)"/g, (whole, quoted: string) => {
    if (binary.test(quoted)) return `"<${quoted.length} characters that are not text>"`;
    const oneLine = quoted.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
    if (oneLine.length <= 80) return oneLine === quoted ? whole : `"${oneLine}"`;
    return /^\/\S*$/.test(oneLine) ? `"…${oneLine.slice(-80)}"` : `"${oneLine.slice(0, 80)}…"`;
  });
}

describe('capQuotes', () => {
  it('leaves short one-line quotes as they are, and cuts, escapes or hides the others', () => {
    const short = 'location / sends "Connection: close" to "upstream a"';
    expect(capQuotes(short)).toBe(short);
    expect(capQuotes(`unknown directive "${'x'.repeat(81)}"`)).toBe(`unknown directive "${'x'.repeat(80)}…"`);
    // A long path keeps the end that names the file.
    const deep = `/repo/${'contrib/images/'.repeat(6)}etc/nginx/snippets/fastcgi-php.conf`;
    expect(capQuotes(`open() "${deep}" failed`)).toBe(`open() "…${deep.slice(-80)}" failed`);
    expect(capQuotes(`open() "${deep}" failed`)).toContain('snippets/fastcgi-php.conf" failed');
    expect(capQuotes('value "a\nb" and "c\r"')).toBe('value "a\\nb" and "c\\r"');
    expect(capQuotes('bytes "\u0001\u0002"')).toBe('bytes "<2 characters that are not text>"');
    // A line break outside any quote is not escaped, and a lone quote is no quote.
    expect(capQuotes('a "b"\nc " d')).toBe('a "b"\nc " d');
  });

  it('gives what replacing every quote gives, for any text', () => {
    const piece = fc.oneof(
      fc.constantFrom('"', '"', '\n', '\r', '\u0001', '\ufffd', '\ud800', '\udc00', '\ud83d\ude00', 'x'.repeat(79), 'x'.repeat(80), 'x', '/', ' '),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (pieces) => {
        const message = pieces.join('');
        expect(capQuotes(message)).toBe(capQuotesByReplacing(message));
      }),
      { numRuns: 2000 },
    );
  });
});

/** A data value as capped before the fast paths: quotes, then a binary text hidden, then anything long cut. */
function capDataByReplacing(value: string): string {
  const binary = /[\u0000-\u0008\u000e-\u001f\u007f-\u009f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  const capped = capQuotesByReplacing(value);
  if (binary.test(capped)) return `<${capped.length} characters that are not text>`;
  return capped.length > 200 ? `${capped.slice(0, 200)}…` : capped;
}

describe('toFinding', () => {
  const meta: RuleMeta = {
    id: 'rule-a',
    description: 'd',
    category: 'performance',
    severity: 'warn',
    presets: [],
    fixable: false,
    messages: { m: 'about {{value}}' },
  };
  const file = parse('server { listen 80; }\n', '/etc/nginx/a.conf');
  const tree = { firstInclusion: new Map() } as unknown as ConfigTree;

  it('caps each data value as quotes, binary text and length were capped before, and copies the data', () => {
    const piece = fc.oneof(
      fc.constantFrom('"', '\n', '\u0001', '\ud800', '\ud83d\ude00', 'x'.repeat(80), 'y'.repeat(150), 'x'),
      fc.string({ maxLength: 6 }),
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }), (pieces) => {
        const value = pieces.join('');
        const data = { value, count: 3 };
        const finding = toFinding(meta, 1, { span: { file, start: 0, end: 1 }, messageId: 'm', data }, tree);
        expect(finding.data).toStrictEqual({ value: capDataByReplacing(value), count: 3 });
        expect(finding.data).not.toBe(data);
      }),
      { numRuns: 1000 },
    );
  });
});

describe('FindingSet', () => {
  const file = parse('server { listen 80; }\n', '/etc/nginx/a.conf');
  const other = parse('server { listen 80; }\n', '/etc/nginx/b.conf');
  const finding = (fields: Partial<Finding>): Finding => ({
    ruleId: 'rule-a',
    severity: 1,
    message: 'm',
    file,
    start: 9,
    end: 19,
    lineAt: 9,
    node: null,
    fix: null,
    suggestions: [],
    ...fields,
  });

  it('takes a finding once for its rule, file, range and message', () => {
    const seen = new FindingSet();
    expect(seen.add(finding({}))).toBe(true);
    expect(seen.add(finding({ severity: 2, lineAt: 0 }))).toBe(false);
    expect(seen.add(finding({ message: 'n' }))).toBe(true);
    expect(seen.add(finding({ ruleId: 'rule-b' }))).toBe(true);
    expect(seen.add(finding({ file: other }))).toBe(true);
    expect(seen.add(finding({ end: 18 }))).toBe(true);
    expect(seen.add(finding({ start: 10 }))).toBe(true);
    // Each of them is now known, also those that shared a start offset with another.
    for (const known of [{}, { message: 'n' }, { ruleId: 'rule-b' }, { file: other }, { end: 18 }, { start: 10 }]) {
      expect(seen.add(finding(known))).toBe(false);
    }
  });
});

describe('lineAt', () => {
  it('is the line positionAt gives, for every offset of any text (clamped to it)', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', ' ', '\n', '\r\n', ';'), { maxLength: 30 }), fc.integer({ min: -2, max: 40 }), (chars, offset) => {
        const file = parse(chars.join(''), '/etc/nginx/nginx.conf');
        expect(lineAt(file, offset)).toBe(positionAt(file, offset).line);
        const lines = file.text.split('\n');
        const clamped = Math.max(0, Math.min(offset, file.text.length));
        expect(lineAt(file, offset)).toBe(file.text.slice(0, clamped).split('\n').length);
        expect(lineAt(file, file.text.length)).toBe(lines.length);
      }),
    );
  });
});
