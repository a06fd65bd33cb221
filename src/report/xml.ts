/** Escaping for the XML formats (checkstyle, junit). */
import { withoutCommandLines } from './shared.js';

export const XML_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>';

/**
 * Characters XML 1.0 forbids anywhere, even escaped: C0 controls other than tab, LF and CR, U+FFFE/U+FFFF
 * and unpaired surrogates. A message can quote them from a damaged config file; they become U+FFFD so
 * that the report still parses.
 */
const FORBIDDEN_IN_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ATTRIBUTE_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // A parser turns a literal tab or line break in an attribute value into a space; references survive.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

/** DEL and the C1 controls are allowed in XML, but a terminal showing the report would act on them (U+009B is CSI). */
const C1_CONTROL = /[\u007f-\u009f]/g;

function withoutControls(text: string): string {
  return withoutCommandLines(text)
    .replace(FORBIDDEN_IN_XML, '\uFFFD')
    .replace(C1_CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function escapeXmlAttribute(text: string): string {
  return withoutControls(text).replace(/[&<>"'\t\n\r]/g, (char) => ATTRIBUTE_ESCAPES[char] ?? char);
}

/** A CDATA section holding `text`; a `]]>` inside is split across two sections, the only way to write it. */
export function cdata(text: string): string {
  return `<![CDATA[${withoutControls(text)
    .replace(/\r(?!\n)/g, '\\x0D')
    .replaceAll(']]>', ']]]]><![CDATA[>')}]]>`;
}
