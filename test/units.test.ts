import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatNginxSize, formatNginxTime, parseDuration, parseNginxOffset, parseNginxSize, parseNginxTime } from '../src/nginx/units.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseNginxTime (milliseconds directives, as ngx_conf_set_msec_slot)', () => {
  it.each([
    ['10s', 10 * SECOND],
    ['500ms', 500],
    ['1h30m', HOUR + 30 * MINUTE],
    ['1h 30m', HOUR + 30 * MINUTE],
    ['1s 500ms', 1500],
    ['10', 10 * SECOND],
    ['0', 0],
    ['0s', 0],
    ['1m', MINUTE],
    ['1d', DAY],
    ['3w', 21 * DAY],
    ['24d', 24 * DAY],
    ['2147483647ms', 2147483647],
    ['10s ', 10 * SECOND],
    // nginx's quirks, kept so the linter agrees with nginx.
    ['1h5', HOUR + 5 * SECOND],
    ['1 30', 31 * SECOND],
    [' 10', 10 * SECOND],
    ['1h m', HOUR],
  ])('%j is %d ms', (text, expected) => {
    expect(parseNginxTime(text)).toBe(expected);
  });

  it.each([
    ['', 'empty'],
    ['s', 'a unit without a number'],
    ['2.5s', 'a fraction'],
    ['1y', 'years, which only seconds directives take'],
    ['1M', 'months, which only seconds directives take'],
    ['25d', 'more than 2^31-1 ms in a part'],
    ['4w', 'more than 2^31-1 ms in a part'],
    ['2147483648ms', 'more than 2^31-1 ms'],
    ['24d 1d', 'a repeated unit'],
    ['30m 1h', 'units in increasing order'],
    ['500ms 1s', 'units in increasing order'],
    ['1h1h', 'a repeated unit'],
    [' 10s', 'a leading space before a unit'],
    ['1 30s', 'a unit after a bare number'],
    ['10 s', 'a space between number and unit'],
    ['10S', 'an upper-case unit'],
    ['10sec', 'a spelled-out unit'],
    ['1\t', 'a tab'],
    ['-1s', 'a sign'],
  ])('rejects %j (%s)', (text) => {
    expect(parseNginxTime(text)).toBeNull();
  });
});

describe('parseNginxTime with seconds (ngx_conf_set_sec_slot, fail_timeout)', () => {
  it.each([
    ['10', 10 * SECOND],
    ['1y', 365 * DAY],
    ['1M', 30 * DAY],
    ['68y', 68 * 365 * DAY],
    ['30d', 30 * DAY],
    ['1y 1M 1w 1d 1h 1m 1s', 365 * DAY + 30 * DAY + 7 * DAY + DAY + HOUR + MINUTE + SECOND],
  ])('%j is %d ms', (text, expected) => {
    expect(parseNginxTime(text, { seconds: true })).toBe(expected);
  });

  it.each(['1ms', '69y', '1M 1y', '2.5s'])('rejects %j', (text) => {
    expect(parseNginxTime(text, { seconds: true })).toBeNull();
  });
});

describe('parseDuration (application facts)', () => {
  it.each([
    ['2.5s', 2500],
    ['800ms', 800],
    ['.5s', 500],
    ['2.3s', 2300],
    ['1.5h', 90 * MINUTE],
    ['1m30s', 90 * SECOND],
    ['1m 30.5s', 90500],
    [' 5s ', 5000],
    ['1d', DAY],
    ['0.0004s', 0],
  ])('%j is %d ms', (text, expected) => {
    expect(parseDuration(text)).toBe(expected);
  });

  it.each([
    ['5', 'a bare number, ms to Node and seconds to nginx'],
    ['2.5', 'a bare fraction'],
    ['', 'empty'],
    ['30s 1m', 'units in increasing order'],
    ['1s1s', 'a repeated unit'],
    ['2.5 seconds', 'a spelled-out unit'],
    ['5min', 'a spelled-out unit'],
    ['-1s', 'a sign'],
    ['1w', 'weeks'],
  ])('rejects %j (%s)', (text) => {
    expect(parseDuration(text)).toBeNull();
  });
});

describe('parseNginxSize (ngx_parse_size) and parseNginxOffset (ngx_parse_offset)', () => {
  it.each([
    ['4096', 4096],
    ['0', 0],
    ['4k', 4096],
    ['4K', 4096],
    ['1m', 1048576],
    ['1M', 1048576],
    ['007k', 7168],
  ])('size %j is %d bytes', (text, expected) => {
    expect(parseNginxSize(text)).toBe(expected);
    expect(parseNginxOffset(text)).toBe(expected);
  });

  it.each(['', 'k', '1.5k', ' 4k', '4k ', '4kb', '-1', '1t', '99999999999999999999'])('both reject %j', (text) => {
    expect(parseNginxSize(text)).toBeNull();
    expect(parseNginxOffset(text)).toBeNull();
  });

  it.each([
    ['1g', 1073741824],
    ['2G', 2147483648],
  ])('only offsets take gigabytes: %j', (text, expected) => {
    expect(parseNginxSize(text)).toBeNull();
    expect(parseNginxOffset(text)).toBe(expected);
  });
});

describe('formatNginxTime', () => {
  it.each([
    [0, {}, '0s'],
    [500, {}, '500ms'],
    [1000, {}, '1s'],
    [1500, {}, '1500ms'],
    [2.4, {}, '3ms'],
    [MINUTE, {}, '1m'],
    [90 * SECOND, {}, '90s'],
    [HOUR, {}, '1h'],
    [90 * MINUTE, {}, '90m'],
    [HOUR + 30 * MINUTE + 30 * SECOND, {}, '5430s'],
    [DAY, {}, '1d'],
    [7 * DAY, {}, '7d'],
    [14 * DAY, {}, '2w'],
    [3250, { roundUpTo: 's' }, '4s'],
    [61 * SECOND, { roundUpTo: 'm' }, '2m'],
    [1500, { seconds: true }, '2s'],
    [30 * DAY, { seconds: true }, '1M'],
    [365 * DAY, { seconds: true }, '1y'],
  ] as const)('%d ms with %j is %j', (milliseconds, options, expected) => {
    expect(formatNginxTime(milliseconds, options)).toBe(expected);
  });

  it('writes the shortest spelling nginx reads back as the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2147483647 }), (milliseconds) => {
        const spelling = formatNginxTime(milliseconds);
        expect(parseNginxTime(spelling)).toBe(milliseconds);
        expect(spelling.length).toBeLessThanOrEqual(`${milliseconds}ms`.length);
      }),
    );
  });

  it.each([-1, Number.NaN, Infinity])('throws for %d', (milliseconds) => {
    expect(() => formatNginxTime(milliseconds)).toThrow(RangeError);
  });

  it('throws when no spelling fits in what nginx can store', () => {
    expect(() => formatNginxTime(2147483648)).toThrow('more than nginx can store');
    expect(() => formatNginxTime(2147483647, { roundUpTo: 's' })).toThrow(RangeError);
  });
});

describe('formatNginxSize', () => {
  it.each([
    [0, {}, '0'],
    [1000, {}, '1000'],
    [1024, {}, '1k'],
    [1536, {}, '1536'],
    [4096, {}, '4k'],
    [1048576, {}, '1m'],
    [1.5, {}, '2'],
    [12000, { roundUpTo: 'k' }, '12k'],
    [1, { roundUpTo: 'm' }, '1m'],
  ] as const)('%d bytes with %j is %j', (bytes, options, expected) => {
    expect(formatNginxSize(bytes, options)).toBe(expected);
  });

  it('writes what nginx reads back as the same value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 40 }), (bytes) => {
        expect(parseNginxSize(formatNginxSize(bytes))).toBe(bytes);
      }),
    );
  });

  it('throws for negative sizes', () => {
    expect(() => formatNginxSize(-1)).toThrow(RangeError);
  });
});
