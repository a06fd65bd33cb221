/**
 * Bundle-time stand-in for `string-width`, which yargs uses to lay out --help. The real package builds an
 * Intl.Segmenter when it loads, ~20 ms of every start-up, to measure grapheme clusters our ASCII help text does
 * not have. Width per code point (East Asian wide = 2) is exact for that text.
 */
import stripAnsi from 'strip-ansi';
import { eastAsianWidth } from 'get-east-asian-width';

export default function stringWidth(text) {
  let width = 0;
  for (const character of stripAnsi(String(text))) width += eastAsianWidth(character.codePointAt(0));
  return width;
}
