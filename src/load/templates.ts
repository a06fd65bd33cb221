/**
 * Templates the official nginx image renders at start-up: its entrypoint runs `envsubst` over
 * `/etc/nginx/templates/*.template` and writes the result, without the suffix, to `/etc/nginx/conf.d`. envsubst is
 * given the names of the variables the container defines, so `${NGINX_HOST}` is replaced while nginx's own `$host`
 * stays. nginx-lint renders a template the same way with the environment the Compose service states; a placeholder
 * it has no value for becomes a neutral word (its name in lower case), so it cannot cause a syntax error or pass for
 * an nginx variable. A rendered file is never fixed: a fix would be written over the placeholders.
 */
import { readdirSync } from 'node:fs';
import { readRegularTextFile } from '../files.js';
import path from 'node:path';
import type { Directive, WrittenSpan } from '../syntax/ast.js';
import type { DirectiveRewrite, SedSubstitution } from './container-view.js';

export const TEMPLATE_SUFFIX = '.template';
/** Entrypoint scripts larger than this are not read for defaults. */
const MAX_SCRIPT_BYTES = 64 * 1024;

/** `${NAME}` or `$NAME`, as envsubst reads them. */
const REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g;
/**
 * Environment variables start upper case by convention (`MAX_UPLOAD_MiB` too, bookwyrm's); nginx's own variables are
 * lower case, or start so (`$http_X_Custom`).
 */
const ENVIRONMENT_NAME = /^[A-Z_][A-Za-z0-9_]*$/;

/**
 * `*.template` as the image renders them, and files named as templates that a custom entrypoint renders the same
 * way (`nginx-template.conf`, `site.conf.tpl`): their `${VARIABLES}` are filled in before nginx reads them.
 */
export function isTemplate(filePath: string): boolean {
  const name = filePath.split(/[\\/]/).pop() ?? '';
  return name.endsWith(TEMPLATE_SUFFIX) || /(^|[-_.])template([-_.]|$)/i.test(name) || name.endsWith('.tpl');
}

/**
 * A Jinja template a project generator renders before anything runs: files under a `{{cookiecutter.project_slug}}`
 * (cookiecutter, copier) folder, and `*.j2`/`*.jinja`/`*.jinja2` files (Ansible, Salt).
 */
export function isJinjaTemplate(filePath: string): boolean {
  return /(^|[\\/])[^\\/]*\{\{[^\\/]*\}\}[^\\/]*[\\/]/.test(filePath) || /\.(j2|jinja2?)$/i.test(filePath);
}

/** A Jinja tag: a `{{ expression }}`, a `{% statement %}` or a `{# comment #}`, with trim markers. */
const JINJA_TAG = /\{\{-?\s*([\s\S]*?)\s*-?\}\}|\{%-?\s*([\s\S]*?)\s*-?%\}|\{#[\s\S]*?#\}/g;
/** A tag only Jinja has: a statement, or an expression of a bare name (Go's start with `.`, `$` or a keyword). */
const JINJA_ONLY_TAG =
  /\{%-?\s*(?:if|for|set|elif|else|endif|endfor|include|macro|block|raw|with)\b|\{\{-?\s*[A-Za-z_]\w*(?:\.\w+)*\s*(?:\|[^}]*)?-?\}\}/;

/**
 * A Jinja template a start script renders whatever the file's name (Mailu's `conf/nginx.conf`, rendered by its
 * config.py): nginx refuses `{%` and `{{` at once, so the file can only be meant rendered.
 */
export function looksLikeJinjaTemplate(text: string): boolean {
  // Lua code in a config may hold its own templates (lua-resty-template's `{% if %}` in an init_by_lua_block); a Lua
  // file it names (YunoHost's `access_by_lua_file`) holds no code here.
  return (text.includes('{%') || text.includes('{{')) && !INLINE_LUA.test(text) && JINJA_ONLY_TAG.test(text);
}

/** A directive with inline Lua code: `*_by_lua_block { … }`, or the older string form `*_by_lua '…'`. */
const INLINE_LUA = /_by_lua(?:_block)?\b/;

/** What a template renders to: nginx configuration (whose statements a tag may sit inside), or YAML (the default). */
export interface TemplateText {
  readonly nginx?: boolean;
}

/**
 * A Jinja template rendered without its context, keeping every line where it was: `{{ cookiecutter.port }}` becomes a
 * neutral word (`cookiecutter_port`) marked as a placeholder; of an `if` the first branch stays and `elif`/`else`
 * branches are dropped (both would define things twice, as in Go templates), a `for` body stays once; other
 * statements and comments leave nothing but their line breaks.
 */
export function renderJinja(text: string, options: TemplateText = {}): RenderedTemplate {
  return renderTags(text, JINJA_TAG, options, (match) => {
    const [, expression, statement] = match;
    const keyword = statement === undefined ? undefined : /^[a-z]+/.exec(statement)?.[0];
    if (keyword === 'if' || keyword === 'for') return 'open';
    if (keyword === 'elif' || keyword === 'else') return 'else';
    if (keyword === 'endif' || keyword === 'endfor') return 'close';
    return expression === undefined ? null : { placeholder: expression };
  });
}

/**
 * What a template tag does when rendered: opens a branching block (`if`), starts its next branch, closes it, gives a
 * value (`{ text }`) or a placeholder for an expression with no known value, or leaves nothing (null).
 */
type TagEffect =
  'open' | 'open-dropped' | 'open-at-else' | 'else' | 'else-dropped' | 'close' | { readonly text: string } | { readonly placeholder: string } | null;

/**
 * Renders the tags `pattern` finds in `text`, keeping every line where it was: of each branching block the first
 * branch stays and the others are dropped (both would define things twice), a block opened 'open-dropped' is dropped
 * whole, one opened 'open-at-else' keeps its first `else` branch instead (an 'else-dropped' branch before it is
 * dropped too), a placeholder becomes a neutral word whose span is recorded, and each tag leaves its line breaks. A
 * placeholder alone on its line renders nothing: there it stands for whole statements (Ansible's
 * `{{ item.extra_parameters|indent(4) }}`, `{{ v }}` in a `for`), which a word would turn into a syntax error —
 * unless, in nginx text, it stands inside a statement not ended yet, of which it is a word.
 */
function renderTags(text: string, pattern: RegExp, options: TemplateText, effectOf: (match: RegExpExecArray) => TagEffect): RenderedTemplate {
  const placeholders: { start: number; end: number }[] = [];
  /** For each open block: whether its current branch is dropped, and whether its first `else` starts the one kept. */
  const branches: boolean[] = [];
  const keptAtElse: boolean[] = [];
  const dropping = () => branches.includes(true);
  const spans = new WrittenSpans(text);
  let rendered = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    const between = text.slice(last, match.index);
    if (dropping()) {
      const droppedStart = rendered.length;
      rendered += lineBreaksOf(between);
      spans.add(rendered, droppedStart, last, match.index);
    } else rendered += between;
    last = match.index + match[0].length;
    const tagStart = rendered.length;
    const effect = effectOf(match);
    if (effect === 'open' || effect === 'open-dropped' || effect === 'open-at-else') {
      branches.push(effect !== 'open');
      keptAtElse.push(effect === 'open-at-else');
    } else if (effect === 'else') {
      branches[branches.length - 1] = !keptAtElse[keptAtElse.length - 1];
      keptAtElse[keptAtElse.length - 1] = false;
    } else if (effect === 'else-dropped') {
      branches[branches.length - 1] = true;
    } else if (effect === 'close') {
      branches.pop();
      keptAtElse.pop();
    } else if (effect !== null && !dropping()) {
      if ('text' in effect) rendered += effect.text;
      // Alone on its line where a statement starts, it renders whole statements (`{{ extra_config }}`); inside an nginx
      // statement (frappe's `server_name` with a `{% for %}` of names, one a line) it is a word of it.
      else if (!(aloneOnItsLine(text, match.index, last) && (!options.nginx || atStatementStart(rendered)))) {
        const word = placeholderWord(effect.placeholder);
        placeholders.push({ start: rendered.length, end: rendered.length + word.length });
        rendered += word;
      }
    }
    rendered += lineBreaksOf(match[0]);
    spans.add(rendered, tagStart, match.index, last);
  }
  const restStart = rendered.length;
  rendered += dropping() ? lineBreaksOf(text.slice(last)) : text.slice(last);
  spans.add(rendered, restStart, last, text.length);
  return { text: rendered, placeholders, writtenSpans: spans.spans };
}

/**
 * Whether a statement starts after `before`: it ends, past comments and blanks, with `;`, `{` or `}`, or is empty. Only
 * its last few kilobytes are read (a statement's words are never that long), so a template of many tags stays linear.
 */
function atStatementStart(before: string): boolean {
  const code = before
    .slice(-STATEMENT_LOOKBACK)
    .replace(/#[^\n]*/g, '')
    .trimEnd();
  return code === '' || /[;{}]$/.test(code);
}

const STATEMENT_LOOKBACK = 4096;

/** Whether only blanks stand beside `[start, end)` on its line(s) of `text`. */
function aloneOnItsLine(text: string, start: number, end: number): boolean {
  const lineStart = text.lastIndexOf('\n', start - 1) + 1;
  const lineEnd = text.indexOf('\n', end);
  return /^[ \t]*$/.test(text.slice(lineStart, start)) && /^[ \t\r]*$/.test(text.slice(end, lineEnd === -1 ? text.length : lineEnd));
}

/** A text with every character but its line breaks made a space: its offsets and lines kept, nothing of it read. */
export function blanked(text: string): string {
  return text.replace(/[^\r\n]/g, ' ');
}

/** A template's text reduced to its line breaks: dropped parts keep every later line where it was. */
function lineBreaksOf(piece: string): string {
  return piece.replace(/[^\n]/g, '');
}

/** A template expression as a neutral word: `cookiecutter.port` → `cookiecutter_port`, `.Env.HOST` → `env_host`. */
function placeholderWord(expression: string): string {
  return (
    expression
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .toLowerCase() || 'placeholder'
  );
}

/** A Go template action, `{{ … }}`, with its trim markers (`{{-`, `-}}`). */
const GO_ACTION = /\{\{-?\s*([\s\S]*?)\s*-?\}\}/g;
/**
 * An action only Go templates have: a field (`.Env.NAME`), a variable, a control word, a comment, or a function
 * called with a quoted argument and no parentheses (gomplate's `getenv "APP_DOMAIN"`, which Jinja would refuse).
 */
const GO_TEMPLATE_ACTION = /\{\{-?\s*(?:\.[A-Za-z]|\$|(?:if|else|end|range|with)\b|\/\*|[A-Za-z_]\w*\s+")/;
/** A default the action gives: `.Env.X | default "4"`, gomplate's `default "4" .Env.X` and `getenv "X" "4"`; not a field named `default` (`.Values.config.default "-"`). */
const GO_DEFAULT = /(?<![.\w])default\s+"((?:[^"\\]|\\.)*)"|\bgetenv\s+"[^"]*"\s+"((?:[^"\\]|\\.)*)"/;

/**
 * A Go template a container renders at start (`tpl` of s6-overlay images such as jitsi's, gomplate, dockerize,
 * confd): nginx refuses its `{{` at once, so the file can only be meant rendered, whatever its name.
 */
export function looksLikeGoTemplate(text: string): boolean {
  // Every file read is asked: the plain search costs 1 ms on a 25 MB config, the pattern 6 ms.
  return text.includes('{{') && GO_TEMPLATE_ACTION.test(text);
}

/**
 * A Go template rendered without its environment, keeping every line where it was: a value action gives the default
 * it names (`{{ .Env.WORKERS | default "4" }}` → `4`), else a neutral word marked as a placeholder; of an
 * `if`/`with`/`range`/`block` the first branch stays and `else` branches are dropped (both would define things
 * twice); control actions, assignments and comments leave nothing but their line breaks. A `define` body is dropped
 * whole: Go renders it only where a `{{ template "name" }}` calls it (nginx-proxy's nginx.tmpl defines its
 * `location` and `ssl_policy` bodies at the top of a file rendered into http), so read where it is defined its
 * `location` and `ssl_ciphers` would stand in the wrong block; the call renders to nothing. Of an `if exists "FILE"`
 * (docker-gen), the `else` branch is kept: the file is one mounted at run time.
 */
export function renderGoTemplate(
  text: string,
  /** The value a value action gives, when the caller knows it (a Helm chart's `.Values`); null when it does not. */
  valueOf: (action: string) => string | null = () => null,
  options: TemplateText = {},
): RenderedTemplate {
  return renderTags(text, GO_ACTION, options, (match) => {
    const action = match[1]!;
    const keyword = /^[a-z]+\b/.exec(action)?.[0];
    if (keyword === 'define') return 'open-dropped';
    // A loop's `break`/`continue`: a word there would read as a directive. A call of a defined template is a value
    // inline (Helm's `server {{ template "app.fullname" . }}-web:8000;`), and alone on its line renders nothing.
    if (keyword === 'break' || keyword === 'continue') return null;
    // docker-gen's `if exists "/etc/nginx/proxy.conf"`: the first branch is for a file mounted at run time, which the
    // repository does not hold; the else branch is what the template gives without it.
    if (keyword === 'if' && /^if\s+\(?\s*exists\b/.test(action)) return 'open-at-else';
    if (keyword === 'if' || keyword === 'with' || keyword === 'range' || keyword === 'block') return 'open';
    if (keyword === 'else') return /^else\s+if\s+\(?\s*exists\b/.test(action) ? 'else-dropped' : 'else';
    if (keyword === 'end') return 'close';
    // A comment or an assignment renders to nothing.
    if (action.startsWith('/*') || /^\$\w*\s*:?=/.test(action)) return null;
    const known = valueOf(action);
    if (known !== null) return { text: known };
    const fallback = GO_DEFAULT.exec(action);
    return fallback ? { text: fallback[1] ?? fallback[2]! } : { placeholder: action };
  });
}

/** `$FLASK_SERVER_ADDR`, `${API_HOST}`: an environment variable's shape, upper case with at least three characters. */
const PLACEHOLDER_SHAPE = /\$\{?([A-Z][A-Z0-9_]{2,})\}?/g;

/**
 * A config that reads like an envsubst template whatever its name: it references an upper-case variable nginx does
 * not have. nginx looks variables up in lower case, so `$FLASK_SERVER_ADDR` would be an unknown variable and nginx
 * would refuse the file — it can only work rendered first (`envsubst < /tmp/nginx.conf > /etc/nginx/conf.d/…` in
 * a Compose command, a start.sh). `isKnownVariable` says which lower-cased names nginx knows.
 */
export function looksLikeTemplate(text: string, isKnownVariable: (name: string) => boolean): boolean {
  for (const match of text.matchAll(PLACEHOLDER_SHAPE)) if (!isKnownVariable(match[1]!.toLowerCase())) return true;
  return false;
}

/**
 * A rendered template: its text, where each placeholder nginx-lint had no value for stands in it, and where its text
 * differs from the template's (for positions in the template's columns).
 */
export interface RenderedTemplate {
  readonly text: string;
  readonly placeholders: { readonly start: number; readonly end: number }[];
  readonly writtenSpans: WrittenSpan[];
}

/**
 * The spans a renderer replaces, recorded as it goes: `written[writtenStart, writtenEnd)` became the rendered text from
 * `renderedStart` to the end of `rendered` (the text rendered so far).
 */
export class WrittenSpans {
  readonly spans: WrittenSpan[] = [];

  constructor(private readonly written: string) {}

  add(rendered: string, renderedStart: number, writtenStart: number, writtenEnd: number): void {
    const renderedEnd = rendered.length;
    // Text rendered as written shifts no column.
    if (renderedEnd - renderedStart === writtenEnd - writtenStart && rendered.endsWith(this.written.slice(writtenStart, writtenEnd))) return;
    const columnOf = (offset: number) => offset - (this.written.lastIndexOf('\n', offset - 1) + 1);
    this.spans.push({ renderedStart, renderedEnd, writtenStartColumn: columnOf(writtenStart), writtenEndColumn: columnOf(writtenEnd) });
  }
}

/**
 * An envsubst template rendered with `environment`. `substitutions` are the placeholders a start script's sed
 * replaces in the rendered file afterwards (coreruleset's entrypoint.d script, over the `default.conf` the image
 * rendered from its template): each is filled in as `renderSedPlaceholders` does, in the same pass.
 */
export function renderTemplate(
  text: string,
  environment: Readonly<Record<string, string>>,
  substitutions: ReadonlyMap<string, readonly SedSubstitution[]> = new Map(),
): RenderedTemplate {
  const placeholders: { start: number; end: number }[] = [];
  const sedPattern = placeholderPattern(text, substitutions);
  const pattern = sedPattern ? new RegExp(`${REFERENCE.source}|${sedPattern.source}`, 'g') : REFERENCE;
  const spans = new WrittenSpans(text);
  let rendered = '';
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    rendered += text.slice(last, match.index);
    last = match.index + match[0].length;
    const start = rendered.length;
    rendered += match[1] === undefined && match[2] === undefined ? sedRendering(match[0]) : referenceRendering((match[1] ?? match[2])!, match);
    spans.add(rendered, start, match.index, last);
  }
  return { text: rendered + text.slice(last), placeholders, writtenSpans: spans.spans };

  /** A sed placeholder: envsubst left it, the script's sed writes its value. */
  function sedRendering(placeholder: string): string {
    const value = sedValue(substitutions.get(placeholder)!, environment);
    if (value !== null) return value;
    if (aloneOnItsLine(text, last - placeholder.length, last)) return '';
    const word = placeholderWord(placeholder);
    placeholders.push({ start: rendered.length, end: rendered.length + word.length });
    return word;
  }

  function referenceRendering(name: string, match: RegExpExecArray): string {
    const value = environment[name];
    if (value !== undefined) return value;
    if (!ENVIRONMENT_NAME.test(name)) return match[0]; // nginx's own variables are lower case and stay as they are.
    // Alone on its line where a statement starts, it stands for whole statements or none (kobo's
    // `${SCHEMAS_DIRECTIVE_INCLUDE}`, which its start script sets to `include …;` or to nothing): it renders
    // nothing, where a word would be a statement without its `;`.
    if (aloneOnItsLine(text, match.index, last) && atStatementStart(rendered)) return '';
    // Unknown here but surely defined in the container (an env_file, the shell): a neutral word, so it cannot cause
    // a syntax error or pass for an nginx variable; its span is kept, so no check judges the statement's value.
    placeholders.push({ start: rendered.length, end: rendered.length + name.length });
    return name.toLowerCase();
  }
}

/**
 * Whether a statement of a rendered template holds a placeholder nginx-lint had no value for (in its name or its
 * arguments, not in a block's body): what nginx will read there is unknown, so its value and arity are not judged.
 */
export function holdsPlaceholder(directive: Directive): boolean {
  const spans = directive.file.placeholders;
  if (!spans || spans.length === 0) return false;
  const end = directive.children === null ? directive.end : directive.terminatorStart;
  return spans.some((span) => span.start < end && span.end > directive.start);
}

/** `export NAME=value`, `NAME="value"`, `${NAME:-value}`, `${NAME:=value}`: how entrypoint scripts give defaults. */
const ASSIGNMENT = /^\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)=(?:"([^"$`]*)"|'([^']*)'|([^\s;#$`"']*))\s*(?:$|[;#])/gm;
const DEFAULT_EXPANSION = /\$\{([A-Z_][A-Z0-9_]*):?[-=](?:"([^"$}]*)"|'([^'}]*)'|([^}$"'`]*))\}/g;

/**
 * The defaults a shell script gives its variables, the first for each name: `${NAME:-value}` and `${NAME:=value}`,
 * then `NAME=value` and `export NAME="value"`. A value that is itself a variable or a command (`${A:-$B}`,
 * `NAME="$(…)"`) is left out: it is not in the script.
 */
export function variableDefaultsIn(text: string): Record<string, string> {
  const defaults: Record<string, string> = {};
  for (const match of text.matchAll(DEFAULT_EXPANSION)) defaults[match[1]!] ??= match[2] ?? match[3] ?? match[4]!;
  for (const match of text.matchAll(ASSIGNMENT)) defaults[match[1]!] ??= match[2] ?? match[3] ?? match[4]!;
  return defaults;
}

/**
 * The defaults the shell scripts beside a template give its variables — an entrypoint that renders it usually sets
 * `export UPSTREAM_REAL_IP_RECURSIVE=off` when the variable is empty. Values that are themselves variables are left
 * out. The container's own environment wins over these.
 */
export function scriptDefaults(templatePath: string, canRead: (file: string) => boolean = () => true): Record<string, string> {
  const defaults: Record<string, string> = {};
  const directory = path.dirname(templatePath);
  let names: string[];
  try {
    names = readdirSync(directory).filter((name) => name.endsWith('.sh'));
  } catch {
    return defaults;
  }
  for (const name of names) {
    const file = path.join(directory, name);
    let text: string;
    try {
      // A script linking out of the project root is not read: its values would reach the rendered config's messages.
      if (!canRead(file)) continue;
      text = readRegularTextFile(file, MAX_SCRIPT_BYTES);
    } catch {
      continue;
    }
    for (const [name, value] of Object.entries(variableDefaultsIn(text))) defaults[name] ??= value;
  }
  return defaults;
}

/**
 * A placeholder nginx cannot mean itself, as a start script's sed replaces it: `{NAME}`, `{{NAME}}`, `@NAME@`,
 * `@@NAME@@` (libretime's installer), `__NAME__`, `%NAME%`, `<NAME>` (webdevops' images, which fill them in with
 * go-replace), the name upper case with at least three characters (sed's basic expressions read `{` and `@` literally). A file holding none (nor, for a template, a `BARE_SED_PLACEHOLDER`) is not rendered, and the
 * repository's scripts are not read for it.
 */
export const SED_PLACEHOLDER =
  /\{\{[A-Z][A-Z0-9_]{2,}\}\}|\{[A-Z][A-Z0-9_]{2,}\}|@@[A-Z][A-Z0-9_]{2,}@@|@[A-Z][A-Z0-9_]{2,}@|__[A-Z][A-Z0-9_]{2,}__|%[A-Z][A-Z0-9_]{2,}%|<[A-Z][A-Z0-9_]{2,}>/;
/**
 * A bare upper-case word of two parts or more a start script's sed replaces (`PROXY_SSL_CONFIG`, alone on its line in
 * coreruleset/modsecurity-crs-docker's template, which an entrypoint.d script replaces with an include or nothing):
 * not an environment variable's `$NAME`/`${NAME}`, nor part of a longer word. Looked for in templates only: the
 * search costs three times the delimited one's (60 against 20 ms on a 25 MB config).
 */
export const BARE_SED_PLACEHOLDER = /(?<![\w${@%])[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+(?![\w}@%])/;

/**
 * What the scripts write in place of a placeholder: the replacement with its variables filled in from the container's
 * environment, else the script's defaults; null when a variable has no known value or the scripts disagree.
 */
function sedValue(substitutions: readonly SedSubstitution[], environment: Readonly<Record<string, string>>): string | null {
  const values = new Set<string | null>();
  for (const substitution of substitutions) {
    let unknown = false;
    const value = substitution.replacement.replace(REFERENCE, (whole, braced?: string, bare?: string) => {
      const known = environment[(braced ?? bare)!] ?? substitution.defaults[(braced ?? bare)!];
      if (known === undefined) unknown = true;
      return known ?? whole;
    });
    // Left as it is, the placeholder's line is one a later step of the script deals with (webdevops' entrypoint deletes
    // conf.d/10-php.conf when WEB_PHP_SOCKET is empty): not known.
    values.add(unknown || value.includes('$') || value.includes('`') || (value === '' && substitution.keepsOnEmpty) ? null : value);
  }
  return values.size === 1 ? [...values][0]! : null;
}

/** The placeholders of `substitutions` that `text` holds, as one pattern; null when it holds none. */
function placeholderPattern(text: string, substitutions: ReadonlyMap<string, readonly SedSubstitution[]>): RegExp | null {
  const present = [...substitutions.keys()].filter((placeholder) => text.includes(placeholder));
  if (present.length === 0) return null;
  // Longest first, so `{{NAME}}` is not read as `{NAME}` inside braces; a bare word only as a whole word.
  const alternatives = present
    .sort((a, b) => b.length - a.length)
    .map((placeholder) => {
      const escaped = placeholder.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      return /^\w+$/.test(placeholder) ? String.raw`(?<![\w$])${escaped}(?!\w)` : escaped;
    });
  return new RegExp(alternatives.join('|'), 'g');
}

/**
 * A config a start script fills in with sed (zabbix's `index {HTTP_INDEX_FILE};`, librenms'
 * `client_max_body_size @UPLOAD_MAX_SIZE@;`), rendered: each placeholder a script of the repository replaces becomes
 * the value the script writes, or a neutral word marked as a placeholder when that value is not known. Null when the
 * text holds none of them.
 */
export function renderSedPlaceholders(
  text: string,
  substitutions: ReadonlyMap<string, readonly SedSubstitution[]>,
  environment: Readonly<Record<string, string>>,
): RenderedTemplate | null {
  const pattern = placeholderPattern(text, substitutions);
  if (pattern === null) return null;
  return renderTags(text, pattern, { nginx: true }, (match) => {
    const value = sedValue(substitutions.get(match[0])!, environment);
    return value === null ? { placeholder: match[0] } : { text: value };
  });
}

/**
 * A statement written without arguments, a blank before its `;` (`server_name ;`, `proxy_pass ;`): a slot a start
 * script fills by rewriting the whole statement with sed. nginx refuses it as written.
 */
const EMPTY_STATEMENT = /^[ \t]*([a-z_][a-z0-9_]*)([ \t]+);/gm;

/** Whether a text holds a statement written without arguments, a blank before its `;` (`EMPTY_STATEMENT`). */
export function holdsEmptyStatement(text: string): boolean {
  return new RegExp(EMPTY_STATEMENT.source, 'm').test(text);
}
/** `${NAME}`, `${NAME:-default}`, `${NAME-default}` or `$NAME` in a script's replacement, as the shell expands it. */
const SHELL_REFERENCE = /\$\{([A-Za-z_]\w*)(?::?-([^}]*))?\}|\$([A-Za-z_]\w*)/g;

/**
 * What a rewrite writes over `line`: null when its pattern does not match the line, `undefined` when it does but a
 * variable of its replacement has no known value, else the rewritten line. The replacement is sed's: `\1`…`\9` are
 * the groups, `&` the whole match, any other escaped character itself.
 */
function rewrittenLine(rewrite: DirectiveRewrite, line: string, environment: Readonly<Record<string, string>>): string | null | undefined {
  const match = rewrite.pattern.exec(line);
  if (!match) return null;
  let unknown = false;
  const replacement = rewrite.replacement.replace(SHELL_REFERENCE, (whole, braced?: string, fallback?: string, bare?: string) => {
    const name = (braced ?? bare)!;
    const value = environment[name] ?? rewrite.defaults[name] ?? fallback;
    if (value === undefined) unknown = true;
    return value ?? whole;
  });
  if (unknown) return undefined;
  const written = replacement.replace(/\\(.)|&/g, (whole, escaped?: string) =>
    escaped === undefined ? match[0] : /[1-9]/.test(escaped) ? (match[Number(escaped)] ?? '') : escaped,
  );
  return line.slice(0, match.index) + written + line.slice(match.index + match[0].length);
}

/**
 * A config copied from a template whose empty statements a start script fills by rewriting them with sed
 * (huly-selfhost's `.template.nginx.conf`: `server_name ;`, `listen ;`, `proxy_pass ;`, which nginx.sh rewrites with
 * `s|server_name .*;|server_name ${HOST_ADDRESS};|` and the like), rendered: each such statement gets the arguments the
 * script writes, or a neutral word marked as a placeholder when they are not known or the scripts' rewrites that match
 * it disagree (nginx.sh writes `listen 80;` or `listen 443 ssl;`). Only statements written without arguments are
 * rewritten: one with arguments is judged as written. Null when none is.
 */
export function renderDirectiveRewrites(
  text: string,
  rewrites: ReadonlyMap<string, readonly DirectiveRewrite[]>,
  environment: Readonly<Record<string, string>>,
): RenderedTemplate | null {
  const placeholders: { start: number; end: number }[] = [];
  const spans = new WrittenSpans(text);
  let rendered = '';
  let last = 0;
  for (const statement of text.matchAll(EMPTY_STATEMENT)) {
    const name = statement[1]!;
    const lineEnd = text.indexOf('\n', statement.index);
    const line = text.slice(statement.index, lineEnd === -1 ? text.length : lineEnd).replace(/\r$/, '');
    const values = new Set<string | undefined>();
    for (const rewrite of rewrites.get(name) ?? []) {
      const rewritten = rewrittenLine(rewrite, line, environment);
      if (rewritten === null) continue;
      const argumentsWritten = rewritten === undefined ? undefined : new RegExp(`^[ \t]*${name}[ \t]+([^;\n]*?)[ \t]*;`).exec(rewritten)?.[1];
      values.add(argumentsWritten === '' ? undefined : argumentsWritten);
    }
    if (values.size === 0) continue;
    const value = values.size === 1 ? [...values][0] : undefined;
    const slot = statement.index + statement[0].length - statement[2]!.length - 1;
    rendered += `${text.slice(last, slot)} `;
    const valueStart = rendered.length;
    if (value === undefined) {
      const word = placeholderWord(name);
      placeholders.push({ start: rendered.length, end: rendered.length + word.length });
      rendered += word;
    } else rendered += value;
    last = statement.index + statement[0].length - 1;
    spans.add(rendered, valueStart - 1, slot, last);
  }
  if (last === 0) return null;
  return { text: rendered + text.slice(last), placeholders, writtenSpans: spans.spans };
}
