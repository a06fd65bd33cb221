/**
 * What a repository's image builds and start scripts do to nginx's files, read from their text: the placeholders a
 * start script fills in with `sed` (`sed -i "s/{HTTP_INDEX_FILE}/${HTTP_INDEX_FILE}/g" nginx.conf`, zabbix's web
 * images; `sed -e "s#@UPLOAD_MAX_SIZE@#$UPLOAD_MAX_SIZE#g" tpl > /etc/nginx/nginx.conf`, librenms'), and the absolute
 * paths a Dockerfile `RUN` or a start script writes (`curl -o /etc/nginx/snippets/blockbots/globalblacklist.conf`,
 * `echo … > /config/nginx/resolver.conf`, `cp /defaults/nginx/nginx.conf.sample /config/nginx/nginx.conf`): a file
 * there exists when nginx starts, though the repository does not hold it.
 */
import { readSync, openSync, closeSync } from 'node:fs';
import path from 'node:path';
import { readRegularTextFile } from '../files.js';
import type { DirectiveRewrite, RepositoryScripts, SedSubstitution, WrittenPath } from '../load/container-view.js';
import { BARE_SED_PLACEHOLDER, SED_PLACEHOLDER, variableDefaultsIn } from '../load/templates.js';
import { inPlaceEdits } from './container-files.js';

/** Scripts larger than this are not read. */
const MAX_SCRIPT_BYTES = 256 * 1024;

/** A Dockerfile (`Dockerfile`, `Dockerfile.debian`, `web.dockerfile`): its `RUN` steps are shell. */
const DOCKERFILE_NAME = /^(?:Dockerfile|Containerfile)(?:[.-].*)?$|\.(?:dockerfile|containerfile)$/i;
const SCRIPT_NAME = /\.(?:sh|bash)$/;
/** A shell script without an extension (s6's `run`, `cont-init.d/10-nginx`) starts with a shell's `#!`. */
const SHELL_SHEBANG = /^#!\s*\S*(?:\/|\s)(?:env\s+)?(?:with-contenv\s+)?(?:ba|da|a)?sh\b|^#!\s*\S*with-contenv\b/;

/** A sed `s` command replacing a placeholder: `s/{NAME}/VALUE/g`, `s#@NAME@#VALUE#g`, any delimiter sed allows. */
const SED_SUBSTITUTE = new RegExp(
  String.raw`(?:^|[\s'"])s([/#|!,:])(${SED_PLACEHOLDER.source}|${BARE_SED_PLACEHOLDER.source})\1((?:\\.|(?!\1)[^\\\n'"])*)\1g?(?=['"\s;]|$)`,
  'g',
);

/**
 * One search-and-replace pair of webdevops' `go-replace` (`go-replace -s "<PHP_TIMEOUT>" -r "$WEB_PHP_TIMEOUT"
 * --path=/opt/docker/etc/nginx/`), which its images' entrypoints run over their nginx configs as others run sed.
 */
const GO_REPLACE_PAIR = new RegExp(
  String.raw`(?:^|\s)(?:-s|--search)[=\s]\s*(["']?)(${SED_PLACEHOLDER.source})\1\s+(?:-r|--replace)[=\s]\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|([^\s"']*))`,
  'g',
);

/** Any sed `s` command: its delimiter, pattern, replacement and flags. */
const SED_S_COMMAND = /(?:^|[\s'"])s([/#|!,:@])((?:\\.|(?!\1)[^\\\n])*)\1((?:\\.|(?!\1)[^\\\n])*)\1[gIi0-9]*(?=['"\s;]|$)/g;
/**
 * A pattern that starts with a directive's name and a blank, anchored or not, maybe inside a group: `server_name .*;`,
 * `(listen )(.*:)?([0-9]+)?;`, `^\s*worker_processes .*`. The name is captured.
 */
const DIRECTIVE_PATTERN =
  /^\^?(?:\\?\()?(?:\[ \\t\]\*|\\s\*|\[\[:(?:space|blank):\]\]\*| \*)?([a-z_][a-z0-9_]*)(?: |\\s|\[\[:(?:space|blank):\]\]|\[ \\t\])/;
/** sed's options before an `s` command that make its patterns extended: `-E`, `-r`, `-Ei`, `--regexp-extended`. */
const EXTENDED_OPTION = /(?:^|\s)(?:-[A-Za-z]*[Er][A-Za-z]*|--regexp-extended)(?=\s)/;

/** POSIX character classes sed knows, as JavaScript writes them inside brackets. */
const POSIX_CLASSES: Readonly<Record<string, string>> = {
  space: '\\s',
  blank: ' \\t',
  alpha: 'A-Za-z',
  digit: '0-9',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
};
/** GNU sed's escaped letters that JavaScript reads the same way (an escaped digit is a back-reference in both). */
const SHARED_ESCAPES = /[1-9swSWbBnt]/;

/**
 * A sed pattern as a JavaScript expression: in basic syntax (`extended` false) `+ ? ( ) { } |` are literal and their
 * escaped forms GNU's operators; bracket expressions keep a backslash literal and POSIX classes become ranges; a
 * back-reference stays one. Null for what cannot be read so (an equivalence class, an escape JavaScript reads
 * otherwise), or an expression JavaScript refuses.
 */
export function sedRegExp(pattern: string, extended: boolean): RegExp | null {
  let source = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index]!;
    if (char === '[') {
      let end = index + 1;
      if (pattern[end] === '^') end++;
      if (pattern[end] === ']') end++;
      while (end < pattern.length && pattern[end] !== ']') {
        if (pattern[end] === '[' && pattern[end + 1] === ':') {
          const close = pattern.indexOf(':]', end + 2);
          if (close === -1) return null;
          end = close + 2;
        } else end++;
      }
      if (end >= pattern.length) return null;
      let body = '';
      for (let at = index + 1; at < end; at++) {
        const posix = /^\[:(\w+):\]/.exec(pattern.slice(at, end + 1));
        if (posix) {
          const range = POSIX_CLASSES[posix[1]!];
          if (range === undefined) return null;
          body += range;
          at += posix[0].length - 1;
        } else body += '\\[]'.includes(pattern[at]!) ? `\\${pattern[at]!}` : pattern[at]!;
      }
      source += `[${body}]`;
      index = end;
    } else if (char === '\\') {
      const next = pattern[++index];
      if (next === undefined) return null;
      if (!extended && '(){}?+|'.includes(next)) source += next;
      else if (SHARED_ESCAPES.test(next) || !/[A-Za-z0-9]/.test(next)) source += `\\${next}`;
      else return null;
    } else if (!extended && '(){}?+|'.includes(char)) source += `\\${char}`;
    else source += char;
  }
  try {
    return new RegExp(source);
  } catch {
    return null;
  }
}

/**
 * An absolute path: literal, or starting with a variable the script sets once to one (`${INCLUDES_DIR}/proxy.conf`
 * after `INCLUDES_DIR='/etc/nginx/includes'`, see `pathVariables`); no glob or command substitution in it.
 */
const PATH = String.raw`((?:\$\{[A-Za-z_]\w*\}|\$[A-Za-z_]\w*)?\/[A-Za-z0-9._\/+-]*[A-Za-z0-9_+-])`;
/** `NAME=/path`, `export NAME='/path'`, `readonly NAME="/path"`: a whole line setting a variable to a literal path. */
const PATH_ASSIGNMENT =
  /^[ \t]*(?:(?:export|readonly|local|declare)[ \t]+)?([A-Za-z_]\w*)=(?:'(\/[^'\n]*)'|"(\/[^"$`\\\n]*)"|(\/[^\s'"$`;&|()<>\\]*))[ \t]*(?:#.*)?$/gm;
const END = String.raw`(?=["']?(?:\s|;|&|\||\)|$))`;
/** `> /path`, `>> /path`, `-o /path`, `-O /path`, `--output /path`, `tee [-a] /path`, `touch /path`. */
const WRITE = new RegExp(
  String.raw`(?:>>?|(?:^|\s)(?:-o|-O|--output(?:-document)?[= ]?|tee\s+(?:-a\s+)?|touch\s+(?:-\w+\s+)*))\s*["']?${PATH}${END}`,
  'g',
);
/**
 * `echo "TEXT" > /path`: one line, in double quotes, with nothing the shell would do more than expand variables (no
 * backslash, backquote or `$(`); `>>` appends to what is not known and is left to WRITE.
 */
const ECHO_LINE = new RegExp(String.raw`(?:^|[\s;&|(])echo\s+"((?:[^"\\\x60$]|\$(?!\())*)"\s*>\s*["']?${PATH}${END}`, 'g');
/** `cp [-flags] SRC DEST`, `mv`, `install`, `ln -s`: the last of two literal paths is written. */
const COPY = new RegExp(String.raw`(?:^|[\s;&|(])(cp|mv|install|ln)\s+(?:-[\w-]+\s+)*["']?${PATH}["']?\s+["']?${PATH}${END}`, 'g');

/** The first bytes of a file: enough for its `#!` line. */
function head(file: string): string {
  let descriptor: number | undefined;
  try {
    descriptor = openSync(file, 'r');
    const buffer = Buffer.alloc(128);
    return buffer.subarray(0, readSync(descriptor, buffer, 0, 128, 0)).toString('utf8');
  } catch {
    return '';
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** Whether a script read as `text` is a shell script: named `*.sh`/`*.bash`, or starting with a shell's `#!`. */
export function isShellScript(file: string, text: string): boolean {
  return SCRIPT_NAME.test(path.basename(file)) || SHELL_SHEBANG.test(text);
}

/** Whether a repository file is a Dockerfile or a shell script, by its name or, without an extension, its `#!`. */
function isScript(file: string): boolean {
  const name = path.basename(file);
  if (DOCKERFILE_NAME.test(name) || SCRIPT_NAME.test(name)) return true;
  return !name.includes('.') && SHELL_SHEBANG.test(head(file));
}

/** The line (1-based) of an offset in a text. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf('\n'); index !== -1 && index < offset; index = text.indexOf('\n', index + 1)) line++;
  return line;
}

/**
 * The variables a script sets to a literal absolute path, each set once (or always to the same path): kobo's
 * `KOBO_DOCKER_SCRIPTS_DIR='/kobo-docker-scripts'` before `cp ${KOBO_DOCKER_SCRIPTS_DIR}/x.conf /etc/nginx/includes/x.conf`.
 * A variable set to two paths, or to anything else as well, is not one path.
 */
function pathVariables(text: string): Map<string, string> {
  const values = new Map<string, string | null>();
  const lineAssignments = new Map<string, number>();
  for (const match of text.matchAll(PATH_ASSIGNMENT)) {
    const [name, value] = [match[1]!, match[2] ?? match[3] ?? match[4]!];
    const known = values.get(name);
    values.set(name, known === undefined || known === value ? value : null);
    lineAssignments.set(name, (lineAssignments.get(name) ?? 0) + 1);
  }
  // Set some other way as well (a computed value, an assignment among other commands on a line): not one path.
  for (const [name, count] of lineAssignments) {
    const everywhere = text.match(new RegExp(String.raw`(?:^|[\s;&|(])${name}=`, 'gm'))?.length ?? 0;
    if (everywhere !== count) values.set(name, null);
  }
  return new Map([...values].flatMap(([name, value]) => (value === null ? [] : [[name, value] as [string, string]])));
}

/** A path as `PATH` matched it, its leading variable replaced by the script's value; null when the script sets none. */
function expandPath(written: string, variables: ReadonlyMap<string, string>): string | null {
  const variable = /^\$(?:\{([A-Za-z_]\w*)\}|([A-Za-z_]\w*))/.exec(written);
  if (!variable) return path.posix.normalize(written);
  const value = variables.get(variable[1] ?? variable[2]!);
  return value === undefined ? null : path.posix.normalize(value + written.slice(variable[0].length));
}

/** `name() {` or `function name {`: a shell function's opening line. */
const FUNCTION_START = /^[ \t]*(?:function[ \t]+)?([A-Za-z_][\w-]*)[ \t]*(?:\(\)[ \t]*)?\{[ \t]*$/gm;
/** A word of a call: double- or single-quoted, or bare, with no expansion the shell would do beyond variables. */
const CALL_WORD = /"([^"\\`]*)"|'([^']*)'|([^\s"'`;&|<>()]+)/g;

/**
 * A script's text with its calls to its own small functions written out after it: each call on a line of its own
 * (`_gotpl "vhost.conf.tmpl" "/etc/nginx/conf.d/vhost.conf"`) adds the function's body, `$1`, `${1}`, … replaced by
 * the call's words (wodby/nginx renders every template through `_gotpl() { gotpl "/etc/gotpl/$1" > "$2"; }`). A
 * function body is read up to the first line holding only `}`; one that calls itself is not expanded. `lineOf` gives
 * the line of an offset in the text, the call's line for an offset in a body written out.
 */
export function withFunctionCallsExpanded(text: string): { readonly text: string; lineOf(offset: number): number } {
  const functions = new Map<string, string>();
  for (const start of text.matchAll(FUNCTION_START)) {
    const from = start.index + start[0].length;
    const end = /^[ \t]*\}[ \t]*$/m.exec(text.slice(from));
    if (!end) continue;
    const body = text.slice(from, from + end.index);
    if (!new RegExp(String.raw`(?:^|[\s;&|(])${start[1]!}(?=\s|$)`, 'm').test(body)) functions.set(start[1]!, body);
  }
  let expanded = text;
  // Where each written-out body starts in `expanded`, and the line of its call.
  const bodies: { start: number; line: number }[] = [];
  if (functions.size > 0) {
    text.split('\n').forEach((line, index) => {
      const call = /^[ \t]*(?:(?:then|do|else)[ \t]+)?([A-Za-z_][\w-]*)((?:[ \t]+[^\s;&|]+)*)[ \t]*;?[ \t]*$/.exec(line);
      const body = call ? functions.get(call[1]!) : undefined;
      if (body === undefined) return;
      const words = [...call![2]!.matchAll(CALL_WORD)].map((word) => word[1] ?? word[2] ?? word[3]!);
      expanded += '\n';
      bodies.push({ start: expanded.length, line: index + 1 });
      expanded += body.replace(/\$\{?([1-9])\}?/g, (reference, position: string) => words[Number(position) - 1] ?? reference);
    });
  }
  return {
    text: expanded,
    lineOf(offset) {
      if (offset < text.length) return lineAt(text, offset);
      return [...bodies].reverse().find((body) => body.start <= offset)?.line ?? lineAt(text, text.length);
    },
  };
}

/**
 * Reads the repository's Dockerfiles and shell scripts (`files`, absolute) for sed placeholders and written paths.
 * Continued lines (`\` at the end) are read as one, so `sed -i \ -e "s/…/…/g" \ FILE` is one command.
 */
export function readRepositoryScripts(repoRoot: string, files: readonly string[]): RepositoryScripts {
  const substitutions = new Map<string, SedSubstitution[]>();
  const written = new Map<string, WrittenPath>();
  const directiveRewrites = new Map<string, DirectiveRewrite[]>();
  const editsInPlace: string[] = [];
  for (const file of files) {
    if (!isScript(file)) continue;
    let text: string;
    try {
      text = readRegularTextFile(file, MAX_SCRIPT_BYTES);
    } catch {
      continue;
    }
    const name = path.relative(repoRoot, file).split(path.sep).join('/');
    // Continuations become a space and a marker-free join; offsets are mapped back to lines through the original text.
    const expanded = withFunctionCallsExpanded(text);
    const joined = expanded.text.replace(/\\\r?\n/g, '  ');
    const defaults = variableDefaultsIn(text);
    for (const line of joined.matchAll(/^.*\bgo-replace\b.*$/gm)) {
      for (const pair of line[0].matchAll(GO_REPLACE_PAIR)) {
        const origin = `${name}:${expanded.lineOf(line.index + pair.index)}`;
        const list = substitutions.get(pair[2]!) ?? [];
        list.push({ replacement: pair[3] ?? pair[4] ?? pair[5] ?? '', defaults, origin, keepsOnEmpty: /\s--ignore-empty\b/.test(line[0]) });
        substitutions.set(pair[2]!, list);
      }
    }
    for (const line of joined.matchAll(/^.*\bsed\b.*$/gm)) {
      editsInPlace.push(...inPlaceEdits(line[0]));
      // `'s#NAME#'"${VALUE}"'#'`: the shell joins the quoted pieces into one word, the variable in double quotes.
      const command = line[0].replace(/'"((?:[^"\\]|\\.)*)"'/g, '$1');
      for (const match of command.matchAll(SED_SUBSTITUTE)) {
        const origin = `${name}:${expanded.lineOf(line.index + match.index)}`;
        const list = substitutions.get(match[2]!) ?? [];
        list.push({ replacement: match[3]!.replace(/\\(.)/g, '$1'), defaults, origin });
        substitutions.set(match[2]!, list);
      }
      for (const command of line[0].matchAll(SED_S_COMMAND)) {
        const [delimiter, expression, replacement] = [command[1]!, command[2]!, command[3]!];
        const directive = DIRECTIVE_PATTERN.exec(expression)?.[1];
        if (directive === undefined) continue;
        // The options written between the nearest `sed` and the command: `sed -i.bak -E 's|…|…|'`.
        const options = line[0]
          .slice(0, command.index)
          .split(/\bsed\b/)
          .pop()!;
        // An escaped delimiter is that character, literal in either syntax.
        const pattern = sedRegExp(expression.split(`\\${delimiter}`).join(`[${delimiter}]`), EXTENDED_OPTION.test(options));
        if (!pattern) continue;
        const origin = `${name}:${expanded.lineOf(line.index + command.index)}`;
        const list = directiveRewrites.get(directive) ?? [];
        list.push({ pattern, replacement: replacement.split(`\\${delimiter}`).join(delimiter), defaults, origin });
        directiveRewrites.set(directive, list);
      }
    }
    const variables = pathVariables(text);
    for (const match of joined.matchAll(WRITE)) {
      const target = expandPath(match[1]!, variables);
      if (target !== null && !target.startsWith('/dev/') && !target.startsWith('/proc/')) {
        written.set(target, { origin: `${name}:${expanded.lineOf(match.index)}` });
      }
    }
    for (const match of joined.matchAll(ECHO_LINE)) {
      const target = expandPath(match[2]!, variables);
      if (target !== null && target.startsWith('/') && !target.startsWith('/dev/') && !target.startsWith('/proc/')) {
        written.set(target, { origin: `${name}:${expanded.lineOf(match.index)}`, text: `${match[1]!}\n` });
      }
    }
    for (const match of joined.matchAll(COPY)) {
      const target = expandPath(match[3]!, variables);
      if (target === null) continue;
      const origin = `${name}:${expanded.lineOf(match.index)}`;
      // A link reads as what it points to, as a copy does; what `mv` moved away is not followed, nor a source the
      // script names through a variable it does not set (the file is there, its content unknown).
      const source = match[1] === 'mv' ? null : expandPath(match[2]!, variables);
      written.set(target, source === null ? { origin } : { origin, copyOf: source });
    }
  }
  return { substitutions, written, directiveRewrites, editsInPlace };
}
