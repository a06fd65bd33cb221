/** Colour and width of the stylish report, decided from the environment and the terminal (src/cli/output.ts). */
import { describe, expect, it } from 'vitest';
import { colorEnabled, reportWidth, type Terminal } from '../src/cli/output.js';

const tty = (env: NodeJS.ProcessEnv = {}, columns = 100): Terminal => ({ env, isTTY: true, columns });
const pipe = (env: NodeJS.ProcessEnv = {}): Terminal => ({ env, isTTY: false });

describe('colour', () => {
  it('is on for a terminal and off for a pipe or a file, when nothing else says', () => {
    expect(colorEnabled(undefined, false, tty())).toBe(true);
    expect(colorEnabled(undefined, false, pipe())).toBe(false);
    expect(colorEnabled(undefined, true, tty())).toBe(false);
  });

  it('NO_COLOR (non-empty) turns it off even on a terminal; an empty NO_COLOR does not', () => {
    expect(colorEnabled(undefined, false, tty({ NO_COLOR: '1' }))).toBe(false);
    expect(colorEnabled(undefined, false, tty({ NO_COLOR: '' }))).toBe(true);
  });

  it('FORCE_COLOR turns it on for a pipe, except 0 and false; NO_COLOR wins over it', () => {
    expect(colorEnabled(undefined, false, pipe({ FORCE_COLOR: '1' }))).toBe(true);
    expect(colorEnabled(undefined, false, pipe({ FORCE_COLOR: '' }))).toBe(true);
    expect(colorEnabled(undefined, false, tty({ FORCE_COLOR: '0' }))).toBe(false);
    expect(colorEnabled(undefined, false, tty({ FORCE_COLOR: 'false' }))).toBe(false);
    expect(colorEnabled(undefined, false, pipe({ FORCE_COLOR: '1', NO_COLOR: '1' }))).toBe(false);
  });

  it('--color and --no-color win over the environment, but a report file is never coloured', () => {
    expect(colorEnabled(true, false, pipe({ NO_COLOR: '1' }))).toBe(true);
    expect(colorEnabled(false, false, tty({ FORCE_COLOR: '1' }))).toBe(false);
    expect(colorEnabled(true, true, tty({ FORCE_COLOR: '1' }))).toBe(false);
  });
});

describe('width', () => {
  it("is the terminal's; on a pipe COLUMNS when it is a number, else the formatter's default", () => {
    expect(reportWidth(false, tty({ COLUMNS: '200' }, 72))).toBe(72);
    expect(reportWidth(false, pipe({ COLUMNS: '90' }))).toBe(90);
    expect(reportWidth(false, pipe({ COLUMNS: 'wide' }))).toBeUndefined();
    expect(reportWidth(false, pipe())).toBeUndefined();
    expect(reportWidth(true, tty({}, 72))).toBeUndefined();
  });
});
