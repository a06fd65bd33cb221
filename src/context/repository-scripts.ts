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
import type { RepositoryScripts, SedSubstitution, WrittenPath } from '../load/container-view.js';
import { SED_PLACEHOLDER, variableDefaultsIn } from '../load/templates.js';

/** Scripts larger than this are not read. */
const MAX_SCRIPT_BYTES = 256 * 1024;

/** A Dockerfile (`Dockerfile`, `Dockerfile.debian`, `web.dockerfile`): its `RUN` steps are shell. */
const DOCKERFILE_NAME = /^(?:Dockerfile|Containerfile)(?:[.-].*)?$|\.(?:dockerfile|containerfile)$/i;
const SCRIPT_NAME = /\.(?:sh|bash)$/;
/** A shell script without an extension (s6's `run`, `cont-init.d/10-nginx`) starts with a shell's `#!`. */
const SHELL_SHEBANG = /^#!\s*\S*(?:\/|\s)(?:env\s+)?(?:with-contenv\s+)?(?:ba|da|a)?sh\b|^#!\s*\S*with-contenv\b/;

/** A sed `s` command replacing a placeholder: `s/{NAME}/VALUE/g`, `s#@NAME@#VALUE#g`, any delimiter sed allows. */
const SED_SUBSTITUTE = new RegExp(String.raw`(?:^|[\s'"])s([/#|!,:])(${SED_PLACEHOLDER.source})\1((?:\\.|(?!\1)[^\\\n'"])*)\1g?(?=['"\s;]|$)`, 'g');

/** A literal absolute path: no variable, glob or command substitution in it. */
const PATH = String.raw`(\/[A-Za-z0-9._\/+-]*[A-Za-z0-9_+-])`;
const END = String.raw`(?=["']?(?:\s|;|&|\||\)|$))`;
/** `> /path`, `>> /path`, `-o /path`, `-O /path`, `--output /path`, `tee [-a] /path`, `touch /path`. */
const WRITE = new RegExp(
  String.raw`(?:>>?|(?:^|\s)(?:-o|-O|--output(?:-document)?[= ]?|tee\s+(?:-a\s+)?|touch\s+(?:-\w+\s+)*))\s*["']?${PATH}${END}`,
  'g',
);
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
 * Reads the repository's Dockerfiles and shell scripts (`files`, absolute) for sed placeholders and written paths.
 * Continued lines (`\` at the end) are read as one, so `sed -i \ -e "s/…/…/g" \ FILE` is one command.
 */
export function readRepositoryScripts(repoRoot: string, files: readonly string[]): RepositoryScripts {
  const substitutions = new Map<string, SedSubstitution[]>();
  const written = new Map<string, WrittenPath>();
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
    const joined = text.replace(/\\\r?\n/g, '  ');
    const defaults = variableDefaultsIn(text);
    for (const line of joined.matchAll(/^.*\bsed\b.*$/gm)) {
      for (const match of line[0].matchAll(SED_SUBSTITUTE)) {
        const origin = `${name}:${lineAt(text, line.index + match.index)}`;
        const list = substitutions.get(match[2]!) ?? [];
        list.push({ replacement: match[3]!.replace(/\\(.)/g, '$1'), defaults, origin });
        substitutions.set(match[2]!, list);
      }
    }
    for (const match of joined.matchAll(WRITE)) {
      const target = path.posix.normalize(match[1]!);
      if (!target.startsWith('/dev/') && !target.startsWith('/proc/')) written.set(target, { origin: `${name}:${lineAt(text, match.index)}` });
    }
    for (const match of joined.matchAll(COPY)) {
      const target = path.posix.normalize(match[3]!);
      const origin = `${name}:${lineAt(text, match.index)}`;
      written.set(target, match[1] === 'cp' || match[1] === 'install' ? { origin, copyOf: path.posix.normalize(match[2]!) } : { origin });
    }
  }
  return { substitutions, written };
}
