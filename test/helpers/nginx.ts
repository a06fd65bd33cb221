/**
 * Runs the real nginx on the same text our parser reads, so parser tests assert what nginx does instead of what we
 * believe it does. Finding nginx (and failing CI when it is missing) is the reality suite's job; this adds the
 * placement of a snippet in a config nginx can load, and reading nginx's `MESSAGE in FILE:LINE` verdict.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { positionAt } from '../../src/syntax/ast.js';
import { parse } from '../../src/syntax/parser.js';
import { findNginx, nginxTest } from '../reality/harness.js';
import { writeFiles } from './files.js';

export const nginxAvailable = findNginx() !== null;

/** Debian's lua-nginx-module (package libnginx-mod-http-lua) and the NDK it needs, loaded by absolute path. */
const LUA_MODULE_FILES = ['/usr/lib/nginx/modules/ndk_http_module.so', '/usr/lib/nginx/modules/ngx_http_lua_module.so'];

function findLuaModule(): boolean {
  if (!nginxAvailable) return false;
  const present = LUA_MODULE_FILES.every((file) => existsSync(file));
  if (!present && process.env.CI === 'true') {
    throw new Error('lua-nginx-module is not installed; CI must install it (apt-get install -y libnginx-mod-http-lua)');
  }
  return present;
}

export const luaModuleAvailable = findLuaModule();

/** Where a snippet goes: at the top level, or inside the blocks that lead to that context. */
export type Placement = 'main' | 'http' | 'server' | 'location';

export interface Placed {
  /** The whole nginx.conf. */
  readonly text: string;
  /** Lines that precede the snippet, to turn a line of the whole file into a line of the snippet. */
  readonly linesBefore: number;
}

const OPENERS: Record<Placement, string[]> = {
  main: [],
  http: ['events {}', 'http {'],
  server: ['events {}', 'http {', 'server {'],
  location: ['events {}', 'http {', 'server {', 'location / {'],
};

/**
 * Puts a snippet where nginx accepts its directives. Nothing follows a `main` snippet, so end-of-file errors can be
 * tested there; the other placements close their blocks after the snippet.
 */
export function place(snippet: string, placement: Placement, options: { lua?: boolean } = {}): Placed {
  const before = [...(options.lua ? LUA_MODULE_FILES.map((file) => `load_module ${file};`) : []), ...OPENERS[placement]];
  const closers = '\n}'.repeat(OPENERS[placement].length - (placement === 'main' ? 0 : 1));
  const head = before.length > 0 ? `${before.join('\n')}\n` : '';
  return { text: `${head}${snippet}${closers}${closers ? '\n' : ''}`, linesBefore: before.length };
}

export interface NginxVerdict {
  /** nginx's first error message without its ` in FILE:LINE` tail; null when nginx accepted the file. */
  readonly message: string | null;
  /** The line nginx names, in the coordinates of the whole file; null when it names none. */
  readonly line: number | null;
}

/**
 * Most configuration errors are `[emerg]`; some fail at `[error]` or `[crit]`. nginx prints a directive name as it
 * read it, so the message can hold a CR or LF (`\r` and `\n` are unescaped): it ends at ` in FILE:LINE` and a LF.
 */
const FAILURE_AT_LINE = /\[(?:emerg|alert|crit|error)\] (?:\d+#\d+: )?(.*?) in (\/\S+):(\d+)\n/s;
/** A failed read (`pread() … failed`) names no file and line. */
const FAILURE = /\[(?:emerg|alert|crit|error)\] (?:\d+#\d+: )?(.*)/;

export interface FileVerdict extends NginxVerdict {
  /** The file nginx names: with includes, not always the main one. */
  readonly file: string | null;
}

/** `nginx -t` on a config on disk; relative includes resolve against its directory. */
export function nginxCheck(confPath: string): FileVerdict {
  const { ok, output } = nginxTest(confPath);
  if (ok) return { message: null, file: null, line: null };
  const atLine = FAILURE_AT_LINE.exec(output);
  if (atLine) return { message: atLine[1]!, file: atLine[2]!, line: Number(atLine[3]) };
  const failure = FAILURE.exec(output);
  if (!failure) throw new Error(`nginx failed without an error line:\n${output}`);
  return { message: failure[1]!, file: null, line: null };
}

/**
 * `nginx -t` on `files` written to a fresh directory: a string is nginx.conf, else files by relative path with
 * nginx.conf the main one. With several files the line may be in any of them; nginxCheck names the file.
 */
export function nginxVerdict(files: string | Readonly<Record<string, string>>): NginxVerdict {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-verdict-'));
  try {
    writeFiles(directory, typeof files === 'string' ? { 'nginx.conf': files } : files);
    const { message, line } = nginxCheck(path.join(directory, 'nginx.conf'));
    return { message, line };
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}

/** `nginx -T`: every file nginx read, each after a `# configuration file PATH:` line. */
export function nginxDump(confPath: string): string {
  const result = spawnSync(findNginx()!, ['-T', '-p', path.dirname(confPath), '-c', confPath, '-e', 'stderr'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`nginx -T failed:\n${result.stderr}`);
  return result.stdout;
}

export interface ParserVerdict extends NginxVerdict {
  readonly column: number | null;
}

/** Our parser's first syntax error in the same terms; nginx stops at its first, and so does the parser. */
export function parserVerdict(text: string): ParserVerdict {
  const file = parse(text, 'nginx.conf');
  const error = file.errors[0];
  if (!error) return { message: null, line: null, column: null };
  const { line, column } = positionAt(file, error.offset);
  return { message: error.message, line, column };
}

/**
 * The rules whose findings mean `nginx -t` stops on a single file (includes aside): what the differential tests
 * compare with real nginx's first error.
 */
export const NGINX_T_RULES: readonly string[] = [
  'syntax-error',
  'unknown-directive',
  'directive-not-allowed-here',
  'invalid-arguments',
  'invalid-value',
  'unknown-variable',
  'undefined-reference',
  'duplicate-definition',
];
