/**
 * The programs supervisord starts, read from the repository: `[program:x]` sections of a supervisord config file
 * (`supervisord.conf`, `conf.d/php-fpm.conf`, COPYed into an image), or of one a start script writes with here-documents
 * (`cat > /etc/supervisor/conf.d/gitlab-pages.conf <<EOF`, then `cat >> … <<EOF` for more lines, as
 * sameersbn/docker-gitlab's `configure_gitlab_pages` does). Each program's `command=` is the command of a process in
 * the container supervisord runs in.
 *
 * supervisord reads its files with Python's ConfigParser (supervisord.org/configuration.html, "File Format"), set up
 * by supervisor's `UnhosedConfigParser` with `inline_comment_prefixes=(';', '#')`: a line starting with `;` or `#` is a
 * comment, and so is the rest of a line from a `;` or `#` that follows white space (`a=b ;c`, not `a=b;c`); a line
 * indented deeper than its option's continues the value. No npm INI parser reads continued values (npm/ini#33, the
 * `configparser` package's #4), so this reads the little that supervisord's format needs. supervisord expands
 * `%(ENV_X)s` from its own environment, which is not known here: such a word stays as written and says nothing;
 * `%(program_name)s` is the section's name and `%%` a `%`. It splits the command as `shlex.split` does.
 */
import path from 'node:path';
import { readRegularTextFile } from '../files.js';
import { heredocFiles } from './compose-heredoc.js';

/** Files larger than this are not read. */
const MAX_FILE_BYTES = 256 * 1024;

/**
 * A command split as Python's `shlex.split` does (POSIX mode, no comments), which is how supervisord splits
 * `command=`: white space separates words, quotes group, a backslash escapes outside single quotes (inside double
 * quotes only before `\\` and `"`). `$NAME`, `;`, `|`, `(`, `&` are letters of a word: no shell runs it.
 */
export function shlexSplit(command: string): string[] {
  const words: string[] = [];
  let word: string | null = null;
  let quote: "'" | '"' | null = null;
  for (let index = 0; index < command.length; index++) {
    const char = command[index]!;
    if (quote === "'") {
      if (char === "'") quote = null;
      else word += char;
    } else if (quote === '"') {
      if (char === '"') quote = null;
      else if (char === '\\' && index + 1 < command.length && '\\"'.includes(command[index + 1]!)) word += command[++index]!;
      else word += char;
    } else if (/\s/.test(char)) {
      if (word !== null) words.push(word);
      word = null;
    } else if (char === "'" || char === '"') {
      quote = char;
      word ??= '';
    } else if (char === '\\' && index + 1 < command.length) {
      word = (word ?? '') + command[++index]!;
    } else word = (word ?? '') + char;
  }
  if (word !== null) words.push(word);
  return words;
}

/** A process supervisord starts. */
export interface SupervisedProgram {
  /** `gitlab-pages`, from `[program:gitlab-pages]`. */
  readonly name: string;
  /** The `command=` value as supervisord splits it into words. */
  readonly words: readonly string[];
  /** `assets/runtime/functions:2185`: where `command=` is written. */
  readonly origin: string;
  /** The absolute path of the file `command=` is written in, when read from the repository. */
  readonly file?: string;
  /**
   * The variables its `environment=` sets (`KEY="value",KEY2=value2`), which the command sees over supervisord's own
   * environment; absent when the section has none. A value holding `%(ENV_X)s` is not known and left out.
   */
  readonly environment?: Readonly<Record<string, string>>;
}

/**
 * `environment=KEY="val",KEY2=val2` as supervisor's `dict_of_key_value_pairs` reads it: Python's non-POSIX
 * `shlex.shlex` with `/.+-():` added to the word characters, so a value is a word of those characters or a quoted
 * string (quotes removed), and pairs are separated by commas. Null when supervisord would refuse the value (it then
 * does not start). A value holding an expansion nginx-lint cannot make (`%(ENV_HOME)s`) is left out.
 */
export function supervisordEnvironment(value: string): Record<string, string> | null {
  const environment: Record<string, string> = {};
  // supervisord expands `%(ENV_X)s` before it splits the value: such an expansion is (part of) a word.
  const pair = /\s*([\w/.+\-():]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|((?:[\w/.+\-():]|%\(\w+\)s)+))\s*(?:,|$)/y;
  let at = 0;
  while (at < value.length && value.slice(at).trim() !== '') {
    pair.lastIndex = at;
    const match = pair.exec(value);
    if (!match || match[0] === '') return null;
    const text = match[2] ?? match[3] ?? match[4]!;
    if (!/%\(/.test(text)) environment[match[1]!] = text;
    at = pair.lastIndex;
  }
  return environment;
}

/** A line of a supervisord config and where it is written (`file:line`). */
interface SourceLine {
  readonly text: string;
  readonly origin: string;
}

const SECTION = /^\[(.+)\]/;
const OPTION = /^(.*?)\s*[=:]\s*(.*)$/;
/** A `;` or `#` after white space starts an inline comment. */
const INLINE_COMMENT = /\s[;#]/;

function indentOf(text: string): number {
  return /^[ \t]*/.exec(text)![0].length;
}

/** supervisord's own expansions that nginx-lint knows: `%(program_name)s` and `%%`; any other stays as written. */
function expand(value: string, program: string): string {
  return value.replace(/%\(program_name\)s|%%/g, (match) => (match === '%%' ? '%' : program));
}

/** The `[program:x]` sections of a supervisord config read as `lines`, each with its command's words. */
export function supervisedProgramsIn(lines: readonly SourceLine[]): SupervisedProgram[] {
  const programs: SupervisedProgram[] = [];
  let program: string | null = null;
  let option: { name: string; indent: number; value: string; origin: string } | null = null;
  // The options of the current section that make a program: its command and its environment.
  let command: { value: string; origin: string } | null = null;
  let environment: string | null = null;
  const closeOption = () => {
    if (program !== null && option?.name === 'command') command = { value: option.value, origin: option.origin };
    if (program !== null && option?.name === 'environment') environment = option.value;
    option = null;
  };
  const closeSection = () => {
    closeOption();
    const written = command as { value: string; origin: string } | null;
    if (program !== null && written !== null && written.value.trim() !== '') {
      const variables = environment === null ? null : supervisordEnvironment(expand(environment, program).replace(/\n/g, ' '));
      programs.push({
        name: program,
        words: shlexSplit(expand(written.value, program)),
        origin: written.origin,
        ...(variables ? { environment: variables } : {}),
      });
    }
    command = null;
    environment = null;
  };
  for (const line of lines) {
    const stripped = line.text.trim();
    if (stripped === '' || stripped.startsWith(';') || stripped.startsWith('#')) continue;
    const comment = INLINE_COMMENT.exec(line.text);
    const text = (comment ? line.text.slice(0, comment.index) : line.text).trimEnd();
    if (text.trim() === '') continue;
    const indent = indentOf(text);
    if (option !== null && indent > option.indent) {
      option.value += `\n${text.trim()}`;
      continue;
    }
    closeOption();
    const section = SECTION.exec(text.trim());
    if (section) {
      closeSection();
      program = /^program:(.+)$/.exec(section[1]!.trim())?.[1]!.trim() ?? null;
      continue;
    }
    const pair = OPTION.exec(text.trim());
    if (pair) option = { name: pair[1]!.toLowerCase(), indent, value: pair[2]!, origin: line.origin };
  }
  closeSection();
  return programs;
}

function linesOf(text: string, name: string, firstLine = 1): SourceLine[] {
  return text.split(/\r?\n/).map((line, index) => ({ text: line, origin: `${name}:${firstLine + index}` }));
}

/** A `[program:x]` header at the start of a line. */
const PROGRAM_SECTION = /^\[program:[^\]\n]+\]/m;
/** A supervisord config by its name: `*.conf`, `*.ini`, or `supervisord.conf`-like names without an extension. */
const CONFIG_NAME = /\.(?:conf|ini)$|^supervisord?$/i;

/** A name `readSupervisedPrograms` reads: a config's (CONFIG_NAME), a shell script's, or one without an extension. */
const MAYBE_CONFIG_OR_SCRIPT = /\.(?:conf|ini|sh|bash)$|^[^.]+$/i;

/** The line (1-based) of an offset in a text. */
function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}

/**
 * The supervisord configs a shell script writes with here-documents, each as the lines of its target in the order
 * the script writes them: `cat > FILE <<EOF` starts it anew, `cat >> FILE <<EOF` adds to it (whatever branch the
 * command stands in: both may run). Only targets holding a `[program:…]` section.
 */
function scriptWrittenConfigs(text: string, name: string): SourceLine[][] {
  if (!text.includes('[program:') || !text.includes('<<')) return [];
  const targets = new Map<string, SourceLine[]>();
  for (const file of heredocFiles(text, { start: 0, end: text.length, indent: 0 })) {
    const commandLineStart = text.lastIndexOf('\n', file.bodyStart - 2) + 1;
    const commandLine = text.slice(commandLineStart, file.bodyStart);
    const appends = new RegExp(String.raw`>>\s*['"]?${file.target.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`).test(commandLine);
    const body = linesOf(text.slice(file.bodyStart, file.bodyEnd).replace(/\n$/, ''), name, lineAt(text, file.bodyStart));
    targets.set(file.target, appends ? [...(targets.get(file.target) ?? []), ...body] : body);
  }
  return [...targets.values()].filter((lines) => lines.some((line) => PROGRAM_SECTION.test(line.text)));
}

/**
 * Every program the repository's supervisord configs start (`files`, absolute): config files holding a `[program:…]`
 * section, and configs shell scripts write with here-documents (`isShellScript` says which files are scripts).
 */
export function readSupervisedPrograms(
  repoRoot: string,
  files: readonly string[],
  isShellScript: (file: string, text: string) => boolean,
): SupervisedProgram[] {
  const programs: SupervisedProgram[] = [];
  // Only what can be a supervisord config or a shell script: `*.conf`, `*.ini`, `*.sh`, `*.bash`, or no extension.
  for (const file of files.filter((candidate) => MAYBE_CONFIG_OR_SCRIPT.test(path.basename(candidate)))) {
    let text: string;
    try {
      text = readRegularTextFile(file, MAX_FILE_BYTES);
    } catch {
      continue;
    }
    if (!text.includes('[program:')) continue;
    const name = path.relative(repoRoot, file).split(path.sep).join('/');
    const inFile = (found: SupervisedProgram[]) => found.map((program) => ({ ...program, file }));
    if (isShellScript(file, text)) {
      for (const lines of scriptWrittenConfigs(text, name)) programs.push(...inFile(supervisedProgramsIn(lines)));
    } else if (CONFIG_NAME.test(path.basename(file)) && PROGRAM_SECTION.test(text)) {
      programs.push(...inFile(supervisedProgramsIn(linesOf(text, name))));
    }
  }
  return programs;
}

/** Whether a program's command runs nginx (`/usr/sbin/nginx -g "daemon off;"`, `nginx`). */
export function runsNginx(program: SupervisedProgram): boolean {
  const first = program.words[0]?.split('/').pop() ?? '';
  return first === 'nginx' || first === 'openresty';
}
