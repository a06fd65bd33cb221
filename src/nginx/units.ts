/**
 * nginx's time and size syntax, parsed and printed exactly as nginx does it (src/core/ngx_parse.c), plus the laxer
 * duration syntax accepted for facts about the application (`p99: "2.5s"`), which nginx itself would reject.
 *
 * Every time is in milliseconds and every size in bytes, whatever the directive stores, so rules can compare values
 * from different directives and from the application without converting.
 */

/** Time units in nginx's order, largest first. `M` is 30 days and `y` 365 days, as in nginx. */
export type NginxTimeUnit = 'y' | 'M' | 'w' | 'd' | 'h' | 'm' | 's' | 'ms';

export interface NginxTimeOptions {
  /**
   * The value belongs to a directive that stores whole seconds: those set by `ngx_conf_set_sec_slot`, the upstream
   * `server ... fail_timeout=`, and the second argument of `keepalive_timeout`. nginx then allows `y` and `M` and
   * forbids `ms`. Default: milliseconds (`ngx_conf_set_msec_slot`: `proxy_read_timeout`, `keepalive_timeout`, …),
   * where `y` and `M` are rejected and `ms` allowed.
   */
  readonly seconds?: boolean;
}

export interface FormatNginxTimeOptions extends NginxTimeOptions {
  /**
   * Round the value up to a whole number of this unit first: `formatNginxTime(3250, { roundUpTo: 's' })` is `"4s"`.
   * Without it, the value is rounded up only to what the directive can store (whole milliseconds, or whole seconds
   * with `seconds`). Always up: a timeout shorter than the one asked for is the failure these values guard against.
   */
  readonly roundUpTo?: NginxTimeUnit;
}

export type NginxSizeUnit = 'k' | 'm';

export interface FormatNginxSizeOptions {
  /** Round the value up to a whole number of kilobytes or megabytes first: 12000 bytes with `'k'` is `"12k"`. */
  readonly roundUpTo?: NginxSizeUnit;
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const TIME_UNIT_MS: Readonly<Record<NginxTimeUnit, number>> = {
  y: 365 * DAY,
  M: 30 * DAY,
  w: 7 * DAY,
  d: DAY,
  h: HOUR,
  m: MINUTE,
  s: SECOND,
  ms: 1,
};

/** The units a directive of each kind accepts, largest first. */
const MILLISECOND_SLOT_UNITS: readonly NginxTimeUnit[] = ['w', 'd', 'h', 'm', 's', 'ms'];
const SECOND_SLOT_UNITS: readonly NginxTimeUnit[] = ['y', 'M', 'w', 'd', 'h', 'm', 's'];

/** nginx checks every part of a time, and the running total, against this (`NGX_MAX_INT32_VALUE`). */
const NGX_MAX_INT32_VALUE = 2147483647;

/** The states of `ngx_parse_time`: each part must use a smaller unit than the one before it. */
const enum TimeStep {
  Start,
  Year,
  Month,
  Week,
  Day,
  Hour,
  Minute,
  Second,
  Millisecond,
  /** After a bare number followed by a space. */
  Last,
}

interface TimePart {
  readonly step: TimeStep;
  /** Seconds per unit (milliseconds are scaled separately, as nginx does). */
  readonly seconds: number;
}

const TIME_PARTS: Readonly<Record<string, TimePart>> = {
  y: { step: TimeStep.Year, seconds: TIME_UNIT_MS.y / SECOND },
  M: { step: TimeStep.Month, seconds: TIME_UNIT_MS.M / SECOND },
  w: { step: TimeStep.Week, seconds: TIME_UNIT_MS.w / SECOND },
  d: { step: TimeStep.Day, seconds: TIME_UNIT_MS.d / SECOND },
  h: { step: TimeStep.Hour, seconds: TIME_UNIT_MS.h / SECOND },
  m: { step: TimeStep.Minute, seconds: TIME_UNIT_MS.m / SECOND },
  s: { step: TimeStep.Second, seconds: 1 },
  // A number, then a space: seconds, after which only another bare number may come.
  ' ': { step: TimeStep.Last, seconds: 1 },
};
const MILLISECOND_PART: TimePart = { step: TimeStep.Millisecond, seconds: TIME_UNIT_MS.ms / SECOND };

/** nginx's ordering check: `y` may only start; a space may follow anything up to minutes; else a smaller unit. */
function mayFollow(previous: TimeStep, next: TimeStep): boolean {
  if (next === TimeStep.Year) return previous === TimeStep.Start;
  if (next === TimeStep.Last) return previous < TimeStep.Second;
  return previous < next;
}

/**
 * Parses a time as nginx does (`ngx_parse_time`), or returns null where nginx says "invalid value".
 *
 * Parts such as `1h30m` or (quoted, since a space splits arguments) `"1h 30m"` must go from larger to smaller units;
 * a number without a unit is seconds; fractions are rejected; no part may exceed 2^31-1 in the directive's own unit,
 * so `proxy_read_timeout 25d` is invalid. Quirks are kept, because the linter must agree with nginx: `"1 30"` is 31
 * seconds and `1h5` is an hour and five seconds.
 *
 * Returns milliseconds, also for directives that store seconds.
 */
export function parseNginxTime(text: string, options: NginxTimeOptions = {}): number | null {
  const inSeconds = options.seconds === true;
  // A bare trailing number is multiplied by this: nginx stores seconds as they are and milliseconds times 1000.
  const bareScale = inSeconds ? 1 : 1000;
  let step = inSeconds ? TimeStep.Start : TimeStep.Month;
  let sawDigit = false;
  let value = 0;
  let total = 0;
  let index = 0;

  while (index < text.length) {
    const char = text[index++]!;
    if (char >= '0' && char <= '9') {
      value = value * 10 + Number(char);
      // nginx accumulates in a 64-bit integer; past 2^53 a JavaScript number no longer holds it exactly.
      if (!Number.isSafeInteger(value)) return null;
      sawDigit = true;
      continue;
    }

    let part: TimePart;
    if (char === 'm' && text[index] === 's') {
      if (inSeconds) return null;
      index++;
      part = MILLISECOND_PART;
    } else {
      const unitPart = TIME_PARTS[char];
      if (unitPart === undefined) return null;
      part = unitPart;
    }
    if (!mayFollow(step, part.step)) return null;
    step = part.step;

    let scale: number;
    let max: number;
    if (step === TimeStep.Millisecond) {
      scale = 1;
      max = NGX_MAX_INT32_VALUE;
    } else {
      scale = part.seconds;
      max = Math.floor(NGX_MAX_INT32_VALUE / part.seconds);
      if (!inSeconds) {
        scale *= 1000;
        max = Math.floor(max / 1000);
      }
    }
    if (value > max) return null;
    total += value * scale;
    if (total > NGX_MAX_INT32_VALUE) return null;
    value = 0;
    while (text[index] === ' ') index++;
  }

  if (!sawDigit) return null;
  // nginx does not range-check a bare trailing number, so neither do we beyond what a number can hold.
  const stored = total + value * bareScale;
  const milliseconds = inSeconds ? stored * 1000 : stored;
  return Number.isSafeInteger(milliseconds) ? milliseconds : null;
}

const DURATION_UNIT_MS: Readonly<Record<string, number>> = {
  d: DAY,
  h: HOUR,
  m: MINUTE,
  s: SECOND,
  ms: 1,
};
const DURATION_PART = /\s*(\d+(?:\.\d+)?|\.\d+)(ms|s|m|h|d)\s*/y;

/**
 * Parses a duration stated about the application (`p99`, `keepAliveTimeout`): like nginx's syntax but with
 * fractions (`"2.5s"`, `"1m 30.5s"`) and a unit required in every part, since a bare number reads as milliseconds to
 * a Node developer and as seconds to nginx. Units: `ms s m h d`, larger before smaller. Returns whole milliseconds
 * (rounded to the nearest), or null when the text is not such a duration.
 */
export function parseDuration(text: string): number | null {
  let total = 0;
  let previousUnitMs = Infinity;
  let parts = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < text.length) {
    const match = DURATION_PART.exec(text);
    if (!match) return null;
    const unitMs = DURATION_UNIT_MS[match[2]!]!;
    if (unitMs >= previousUnitMs) return null;
    previousUnitMs = unitMs;
    total += Number(match[1]) * unitMs;
    parts++;
  }
  if (parts === 0) return null;
  const milliseconds = Math.round(total);
  return Number.isSafeInteger(milliseconds) ? milliseconds : null;
}

const KILOBYTE = 1024;
const MEGABYTE = 1024 * KILOBYTE;
const GIGABYTE = 1024 * MEGABYTE;

const SIZE_SCALES: Readonly<Record<string, number>> = { k: KILOBYTE, K: KILOBYTE, m: MEGABYTE, M: MEGABYTE };
const OFFSET_SCALES: Readonly<Record<string, number>> = { ...SIZE_SCALES, g: GIGABYTE, G: GIGABYTE };

function parseScaledInteger(text: string, scales: Readonly<Record<string, number>>): number | null {
  const scale = scales[text.slice(-1)];
  const digits = scale === undefined ? text : text.slice(0, -1);
  if (!/^[0-9]+$/.test(digits)) return null;
  const bytes = Number(digits) * (scale ?? 1);
  return Number.isSafeInteger(bytes) ? bytes : null;
}

/**
 * Parses a size as nginx does for `size_t` directives (`ngx_parse_size`: `proxy_buffer_size`, `proxy_buffers`,
 * `large_client_header_buffers`, …): digits with an optional `k`/`K` or `m`/`M`, nothing else — no `g`, no spaces,
 * no fractions. Returns bytes, or null where nginx says "invalid value".
 */
export function parseNginxSize(text: string): number | null {
  return parseScaledInteger(text, SIZE_SCALES);
}

/**
 * Parses a size as nginx does for `off_t` directives (`ngx_parse_offset`: `client_max_body_size`,
 * `proxy_max_temp_file_size`, …), which also accept `g`/`G`. Returns bytes, or null where nginx rejects the value.
 */
export function parseNginxOffset(text: string): number | null {
  return parseScaledInteger(text, OFFSET_SCALES);
}

function assertNonNegative(value: number, what: string): void {
  if (!Number.isFinite(value) || value < 0) throw new RangeError(`${what} must be a finite non-negative number`);
}

function roundUpToMultiple(value: number, step: number): number {
  return Math.ceil(value / step) * step;
}

/** Every way to write `rest` milliseconds with `units` (largest first), each unit used whole or skipped. */
function timeSpellings(rest: number, units: readonly NginxTimeUnit[]): string[] {
  if (rest === 0) return [''];
  const [unit, ...smaller] = units;
  if (unit === undefined) return [];
  const spellings = timeSpellings(rest, smaller);
  const count = Math.floor(rest / TIME_UNIT_MS[unit]);
  if (count > 0) {
    for (const tail of timeSpellings(rest - count * TIME_UNIT_MS[unit], smaller)) {
      spellings.push(`${count}${unit}${tail}`);
    }
  }
  return spellings;
}

/**
 * The shortest spelling nginx accepts for a time in milliseconds: `90000` is `"90s"`, `3600000` is `"1h"`,
 * `5400000` is `"90m"` (shorter than `"1h30m"`). The value is first rounded up (see `roundUpTo`). Parts are written
 * without spaces, since an unquoted space would split the directive's arguments. A unit is always written, although
 * nginx reads a bare number as seconds, because a bare number is easily misread. Throws a RangeError for negative
 * values and for values no spelling can reach (above 2^31-1 in the directive's unit).
 */
export function formatNginxTime(milliseconds: number, options: FormatNginxTimeOptions = {}): string {
  assertNonNegative(milliseconds, 'A time');
  const units = options.seconds === true ? SECOND_SLOT_UNITS : MILLISECOND_SLOT_UNITS;
  const finestMs = TIME_UNIT_MS[units.at(-1)!];
  const stepMs = Math.max(finestMs, options.roundUpTo === undefined ? 0 : TIME_UNIT_MS[options.roundUpTo]);
  const value = roundUpToMultiple(milliseconds, stepMs);
  if (value === 0) return '0s';

  const candidates = timeSpellings(value, units).filter((spelling) => parseNginxTime(spelling, options) === value);
  // Spellings with smaller units come first, so they win ties: `7d` rather than `1w`.
  const shortest = candidates.reduce<string | undefined>(
    (best, spelling) => (best === undefined || spelling.length < best.length ? spelling : best),
    undefined,
  );
  if (shortest === undefined) throw new RangeError(`${value}ms is more than nginx can store for this directive`);
  return shortest;
}

/**
 * The shortest spelling nginx accepts for a size in bytes: `4096` is `"4k"`, `1048576` is `"1m"`, `1000` stays
 * `"1000"`. The value is first rounded up to a whole byte, or to `roundUpTo`. Only `k` and `m` are used, so the
 * result suits `size_t` and `off_t` directives alike. Throws a RangeError for negative values.
 */
export function formatNginxSize(bytes: number, options: FormatNginxSizeOptions = {}): string {
  assertNonNegative(bytes, 'A size');
  const step = options.roundUpTo === 'm' ? MEGABYTE : options.roundUpTo === 'k' ? KILOBYTE : 1;
  const value = roundUpToMultiple(bytes, step);
  // A unit always saves at least two characters, so the largest that divides the value gives the shortest spelling.
  if (value > 0 && value % MEGABYTE === 0) return `${value / MEGABYTE}m`;
  if (value > 0 && value % KILOBYTE === 0) return `${value / KILOBYTE}k`;
  return `${value}`;
}
