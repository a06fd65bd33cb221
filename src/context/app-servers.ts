/**
 * What a service's own start-up says about it when nobody declared anything: the application server its command or
 * image runs, how long that server keeps an idle keep-alive connection open, and the port a flag makes it listen on.
 * Each value says whether it was read from a flag or environment variable, or assumed from the server's documented
 * default (docs/services.md lists every server, value and source). Rules treat assumed values as less certain.
 */
import path from 'node:path';
import { parse as parseShellWords } from 'shell-quote';

/** How a fact was established: stated for nginx-lint, read from the service's command or environment, or assumed. */
export type FactBasis = 'declared' | 'flag' | 'default';

export interface InferredValue {
  readonly value: number;
  /** What the reader is shown as evidence: `--timeout-keep-alive 5`, `uvicorn's default (5s)`. */
  readonly evidence: string;
  readonly basis: Exclude<FactBasis, 'declared'>;
}

export interface InferredServer {
  /** `uvicorn`, `gunicorn (sync worker)`, `Node.js`, …: for messages. */
  readonly server: string;
  /** Milliseconds an idle connection is kept open; null when unknown or when the server keeps none. */
  readonly keepAliveTimeout: InferredValue | null;
  /**
   * The server closes every connection after its response (gunicorn's sync worker): a pool of idle connections to it
   * stays empty. What says so, as evidence for messages.
   */
  readonly closesConnections?: string;
  /**
   * The port a flag or `PORT` names. Defaults are not used, since an app can set its port where we cannot see, except
   * for an image that sets the port in its own configuration and is run as it is (PHP-FPM in `php:*-fpm`).
   */
  readonly port: InferredValue | null;
  /** Ports it listens on besides `port` (uWSGI's several sockets), each with its evidence. */
  readonly otherPorts?: readonly InferredValue[];
  /**
   * The unix-domain sockets it listens on (absolute paths) that the server's own reading found (uWSGI's `--socket
   * /tmp/uwsgi.sock`); gunicorn's, uvicorn's and hypercorn's are read by `unixSocketOf`.
   */
  readonly sockets?: readonly { readonly path: string; readonly evidence: string }[];
  /**
   * Request headers the application never reads, lower case, with what says so (evidence for messages): a header
   * nginx stops sending it changes nothing there.
   */
  readonly unreadHeaders?: { readonly headers: readonly string[]; readonly evidence: string };
  /**
   * How long the server lets one request run before it kills the process handling it (gunicorn's sync worker
   * `--timeout`): a slower request ends with a closed connection, which nginx answers with 502.
   */
  readonly requestTimeout?: InferredValue;
  /**
   * The server listens on its container's loopback address only (`127.0.0.1`, by a flag or by its default): a
   * connection from another container or pod is refused. What says so, as evidence for messages.
   */
  readonly loopbackOnly?: string;
}

/**
 * The service fact for a server that closes every connection (InferredServer.closesConnections), from what a Compose
 * service or a Kubernetes container states: the evidence is added to where it was read.
 */
export function closesConnectionsFact<Origin extends { readonly label: string }>(evidence: string, origin: Origin) {
  return commandFact('closes every connection', evidence, origin);
}

/** The service fact for a server that listens on its container's loopback only (InferredServer.loopbackOnly). */
export function loopbackOnlyFact<Origin extends { readonly label: string }>(evidence: string, origin: Origin) {
  return commandFact('listens on 127.0.0.1 only', evidence, origin);
}

function commandFact<Origin extends { readonly label: string }>(text: string, evidence: string, origin: Origin) {
  return { value: true as const, text, basis: 'flag' as const, origin: { ...origin, label: `${origin.label} ${evidence}` } };
}

/** What a Compose service or Kubernetes container states about its process. */
export interface ProcessSpec {
  readonly image: string | null;
  /** `entrypoint` then `command` (Compose), or `command` then `args` (Kubernetes), as words. */
  readonly words: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** The service builds its own image (Compose `build`), which may change anything the base image configures. */
  readonly builds?: boolean;
  /**
   * What that build does, when its Dockerfile is read: the `RUN` steps and the container paths `COPY`/`ADD` write
   * to, of its stage and the stages it is built on.
   */
  readonly buildSteps?: { readonly runs: readonly string[]; readonly copiedTo: readonly string[] };
  /** The container paths volumes are mounted at: a mounted configuration may change what the image configures. */
  readonly mountTargets?: readonly string[];
  /**
   * The Puma version the app bundles, when a `Gemfile.lock` beside the service says (`puma (7.0.1)`): Puma's idle
   * timeout default changed in 7.0.0. `origin` is where it was read, for messages (`Gemfile.lock:42`).
   */
  readonly pumaVersion?: { readonly version: string; readonly origin: string } | null;
  /**
   * Reads a file of the container, when the repository holds it there (a COPY or bind mount): a server's own
   * configuration file named on its command line (uWSGI's `--ini /app/uwsgi.ini`). `name` labels it in evidence.
   */
  readonly readFile?: (containerPath: string) => { readonly text: string; readonly name: string } | null;
  /** The names of the files the repository puts in a container folder (PHP-FPM's pool folder), when `readFile` is given. */
  readonly listFiles?: (containerDir: string) => readonly string[];
  /**
   * The folder the process starts in, when every file there is one the repository puts there (`listFiles`): an image
   * built on a language runtime or distribution image. Absent when the image may hold files of its own there.
   */
  readonly knownWorkingDir?: string;
}

const SECOND = 1000;

/** The documented idle keep-alive defaults, in milliseconds (sources in docs/services.md). */
export const SERVER_DEFAULTS = {
  uvicorn: 5 * SECOND,
  gunicorn: 2 * SECOND,
  /** The sync worker's `--timeout`: how long one request may run before the worker is killed. */
  gunicornTimeout: 30 * SECOND,
  hypercorn: 5 * SECOND,
  node: 5 * SECOND,
  /** Puma up to 6.x; Puma 7.0.0 raised `persistent_timeout` to PUMA_7_PERSISTENT_TIMEOUT. */
  puma: 20 * SECOND,
  apache: 5 * SECOND,
  /** MinIO's `--idle-timeout` (`MINIO_IDLE_TIMEOUT`), Go's `http.Server.IdleTimeout` (minio `internal/http/server.go`). */
  minio: 30 * SECOND,
} as const;

/** Puma's `persistent_timeout` default from 7.0.0 on (puma PR #3378, `configuration.rb`). */
export const PUMA_7_PERSISTENT_TIMEOUT = 65 * SECOND;

/** A command or entrypoint as words: a YAML list as is, a string split the way a shell would. */
export function commandWords(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value !== 'string') return [];
  // Operators (&&, |) and globs come back as objects: a command line's words are the strings around them.
  return parseShellWords(value, (name) => `$${name}`).flatMap((entry) => (typeof entry === 'string' ? [entry] : []));
}

/** `NAME=value`, `NAME=${NAME:-default}` or `export NAME="…"` on a line of its own. */
const SCRIPT_ASSIGNMENT = /^(?:export\s+)?([A-Za-z_]\w*)=(.*)$/;
/** `${NAME:-default}` and `${NAME-default}`: the environment's value, else the default. */
const DEFAULTED = /^\$\{([A-Za-z_]\w*):?-([^}]*)\}$/;

/**
 * A command of a start script that leaves a process running beside the server it execs, which may listen too: a
 * background job (`cmd &`), a daemon's own launcher (nginx, which daemonizes unless told `daemon off`, PHP-FPM
 * without `-F`, supervisord, `service x start`, init scripts), or a daemonizing flag (`gunicorn -D`, `uwsgi
 * --daemonize`, `redis-server --daemonize yes`).
 */
const STARTS_DAEMON =
  /(?:^|[;&|(]\s*|\b(?:then|do|else)\s+)(?:sudo\s+|nohup\s+|setsid\s+)?(?:\S*\/)?(?:nginx|openresty|php-fpm[\d.]*|supervisord|service\s+\S+\s+(?:start|restart)|rc-service|start-stop-daemon|sshd|cron|crond|rsyslogd|memcached|redis-server|httpd|apache2ctl|apachectl|nohup|setsid)(?=\s|$|;)(?![^;&|]*\s-(?:[tTvV]|s\s+\w+)(?:\s|$))|\s(?:-D|--daemon|--daemonize\S*)(?:\s|$)|\/etc\/init\.d\/\S+\s+(?:start|restart)|(?:^|[^&])&\s*$/;

/**
 * The server a start script runs in the end: its one `exec` line (`exec gunicorn 'app:create_app()' --bind …`,
 * continuation lines joined, or the last command of a list: `umask 0 && exec gunicorn …`) as words, `$NAME` expanded
 * from the script's own assignments above it (`WORKER_CLASS=${WORKER_CLASS:-gevent}`) over the environment. `line`
 * is the 1-based line the exec starts on. `besides` says where the script leaves another process running (a
 * background job, a daemon it starts: see STARTS_DAEMON), which may listen where the server does not. Null when the
 * script execs its arguments (`exec "$@"`: the command is the CMD) or several commands (branches, `a || exec b`), or
 * nothing.
 */
export function scriptExec(
  text: string,
  environment: Readonly<Record<string, string>>,
): { words: string[]; line: number; besides?: { line: number; text: string } } | null {
  const variables: Record<string, string> = { ...environment };
  const lookup = (name: string) => variables[name] ?? `$${name}`;
  const execs: { words: string[]; line: number }[] = [];
  for (const { line, text: trimmed } of logicalLines(text)) {
    if (trimmed.startsWith('#')) continue;
    const assignment = SCRIPT_ASSIGNMENT.exec(trimmed);
    if (assignment) {
      const [, name, raw] = assignment as unknown as [string, string, string];
      const value = raw.replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
      const defaulted = DEFAULTED.exec(value);
      if (defaulted) variables[name] = environment[defaulted[1]!] ?? defaulted[2]!.replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
      else if (!/[$`]/.test(value)) variables[name] = value;
      else delete variables[name];
      continue;
    }
    // `exec cmd`, or a list whose last command is (`umask 0 && exec cmd`, `cd /app; exec cmd`); an exec that runs only
    // when something fails (`a || exec b`) is a branch, counted so that the script says nothing.
    if (/(?:^|[\s;&|(])exec\s/.test(trimmed)) {
      const list = /^(?:(.*?)(?:&&|;)\s*)?exec\s+(.*)$/.exec(trimmed);
      const clean = list !== null && !/\|\||\bexec\s|\b(?:if|then|else|elif|do|while|until|case)\b|[{(]/.test(list[1] ?? '');
      const entries = clean ? parseShellWords(list[2]!, lookup) : [];
      // `exec >>/var/log/app.log 2>&1` only redirects the script's own output: no program.
      if (clean && entries.length > 0 && typeof entries[0] !== 'string') continue;
      const words = entries.flatMap((entry) => (typeof entry === 'string' ? [entry] : []));
      if (clean) execs.push({ words, line });
      else execs.push({ words: [], line }, { words: [], line });
      continue;
    }
  }
  if (execs.length !== 1) return null;
  const [only] = execs as [{ words: string[]; line: number }];
  if (only.words.length === 0 || only.words[0]!.startsWith('$')) return null;
  const besides = daemonStarted(text);
  return besides ? { ...only, besides } : only;
}

/** A script's commands with their continued lines joined, trimmed, each with the 1-based line it starts on. */
function logicalLines(text: string): { line: number; text: string }[] {
  const physical = text.split(/\r?\n/);
  const lines: { line: number; text: string }[] = [];
  for (let index = 0; index < physical.length; index++) {
    const start = index;
    let logical = physical[index]!;
    while (/\\\s*$/.test(logical) && index + 1 < physical.length) logical = logical.replace(/\\\s*$/, ' ') + physical[++index]!;
    lines.push({ line: start + 1, text: logical.trim() });
  }
  return lines;
}

/** The first command of a start script that leaves another process running (STARTS_DAEMON), with its 1-based line. */
export function daemonStarted(text: string): { line: number; text: string } | null {
  for (const { line, text: trimmed } of logicalLines(text)) {
    if (trimmed === '' || trimmed.startsWith('#') || SCRIPT_ASSIGNMENT.test(trimmed) || /^exec\s/.test(trimmed)) continue;
    if (STARTS_DAEMON.test(trimmed)) return { line, text: trimmed };
  }
  return null;
}

/** A command that starts nginx: `nginx`, `openresty`, `service nginx start`, `/etc/init.d/nginx start` (not `nginx -t`). */
const STARTS_NGINX =
  /^(?:exec\s+)?(?:sudo\s+|nohup\s+)?(?:(?:\S*\/)?(?:nginx|openresty)(?![^;&|]*\s-(?:[tTvV]|s\s+\w+)(?:\s|$))(?=\s|$|;|&)|service\s+nginx\s+(?:start|restart)|\/etc\/init\.d\/nginx\s+(?:start|restart))/;

/** A program a start script leaves running: its words and the 1-based line it is started on. */
export interface ScriptProgram {
  readonly words: readonly string[];
  readonly line: number;
}

/**
 * The programs a container's start script runs beside nginx, when it starts nginx itself: the command it execs in
 * the end (`nginx` daemonizes first, then `exec gunicorn -b 127.0.0.1:8000 app:app`) and those it leaves running in
 * the background (`gunicorn … &` before `exec nginx -g 'daemon off;'`), `$NAME` expanded as for `scriptExec`. A
 * script that does not start nginx runs none beside it; neither does one whose exec is ambiguous (see `scriptExec`).
 */
export function programsStartedBesideNginx(text: string, environment: Readonly<Record<string, string>>): ScriptProgram[] {
  const lines = logicalLines(text).filter(({ text: command }) => command !== '' && !command.startsWith('#'));
  if (!lines.some(({ text: command }) => STARTS_NGINX.test(command))) return [];
  const programs: ScriptProgram[] = [];
  for (const { line, text: command } of lines) {
    const background = /^(.*?[^&\s])\s*&$/.exec(command);
    if (!background || STARTS_NGINX.test(background[1]!) || /&&|\|\||[;|]/.test(background[1]!)) continue;
    const words = commandWords(background[1]!).map((word) => word.replace(/^\$\{?(\w+)\}?$/, (whole, name: string) => environment[name] ?? whole));
    if (words.length > 0 && !words[0]!.startsWith('$')) programs.push({ words, line });
  }
  const exec = scriptExec(text, environment);
  if (exec) {
    if (!STARTS_NGINX.test(exec.words.join(' '))) programs.push({ words: exec.words, line: exec.line });
    return programs;
  }
  // No one exec known: the script's last command runs in the foreground until the container stops (Tube Archivist's
  // `python backend_start.py`), or an exec runs what cannot be told (`exec "$@"`, branches). Kept as a program even
  // when nginx-lint does not know its server, so that no port of the others is taken for all there is.
  // A block's end (`fi`, `done`) stands for whatever its branches run: a program of unknown words.
  const last = lines[lines.length - 1];
  if (last && !STARTS_NGINX.test(last.text) && !/^(?:wait|sleep|tail)\b/.test(last.text) && !/&$/.test(last.text)) {
    programs.push({ words: commandWords(last.text.replace(/^exec\s+/, '')), line: last.line });
  }
  return programs;
}

/**
 * An init that runs the program after its options (tini's and dumb-init's `--`, catatonit), or a shell given a
 * script file (`sh /app/start.sh`): the words of the program it starts. Other words are returned as they are.
 */
export function unwrapInit(words: readonly string[]): readonly string[] {
  const program = words[0]?.split('/').pop() ?? '';
  if (program === 'tini' || program === 'dumb-init' || program === 'catatonit' || program === 'tini-static') {
    const separator = words.indexOf('--');
    if (separator !== -1) return words.slice(separator + 1);
    const first = words.findIndex((word, index) => index > 0 && !word.startsWith('-'));
    return first === -1 ? [] : words.slice(first);
  }
  if (/^(?:ba|da|a)?sh$/.test(program) && words[1] !== undefined && words[1].startsWith('/')) return words.slice(1);
  return words;
}

/** `sh -c "…"` and `bash -lc '…'`: the words of the script they run. */
function unwrapShell(words: readonly string[]): string[] {
  const shell = words[0]?.split('/').pop();
  if ((shell === 'sh' || shell === 'bash' || shell === 'ash') && words.length >= 3 && /^-\w*c$/.test(words[1]!)) {
    return commandWords(words[2]);
  }
  return [...words];
}

/** The value of `--name VALUE`, `--name=VALUE` or `-n VALUE` in words, last one wins as in argparse and click. */
function flagValue(words: readonly string[], names: readonly string[]): { value: string; written: string } | null {
  let found: { value: string; written: string } | null = null;
  words.forEach((word, index) => {
    for (const name of names) {
      if (word === name && index + 1 < words.length) found = { value: words[index + 1]!, written: `${name} ${words[index + 1]}` };
      else if (name.startsWith('--') && word.startsWith(`${name}=`)) found = { value: word.slice(name.length + 1), written: word };
      else if (!name.startsWith('--') && word.startsWith(name) && word.length > name.length && /^\d/.test(word.slice(name.length))) {
        found = { value: word.slice(name.length), written: word };
      }
    }
  });
  return found;
}

/** Every `--name VALUE`, `--name=VALUE` or `-n VALUE` in words, in order: the options a server takes several of. */
function flagValues(words: readonly string[], names: readonly string[]): { value: string; written: string }[] {
  return words.flatMap((_, index) => {
    const found = flagValue(words.slice(index, index + 2), names);
    // Only an occurrence that starts at this word: `flagValue` of the pair finds a value-taking flag in its first word.
    return found && (found.written === words[index] || found.written === `${words[index]} ${words[index + 1]}`) ? [found] : [];
  });
}

/**
 * The TCP ports of every address `-b`/`--bind` names (gunicorn and hypercorn bind each one given; a `unix:` path is a
 * socket, not a port); null when one of them is neither, as a variable or `fd://3` is: where it listens is not known.
 */
function bindPorts(binds: readonly { value: string; written: string }[]): InferredValue[] | null {
  const ports: InferredValue[] = [];
  for (const bind of binds) {
    const port = portOf(bind.value);
    if (port !== null) ports.push({ value: port, evidence: bind.written, basis: 'flag' });
    else if (!bind.value.startsWith('unix:')) return null;
  }
  return ports;
}

function seconds(text: string): number | null {
  return /^\d+(\.\d+)?$/.test(text) ? Math.round(Number(text) * SECOND) : null;
}

/** A Go duration as Go's flag package reads it (`30s`, `1m30s`, `500ms`), in milliseconds. */
function goDuration(text: string): number | null {
  if (!/^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/.test(text)) return null;
  const unit: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: SECOND, m: 60 * SECOND, h: 3600 * SECOND };
  let total = 0;
  for (const [, amount, , name] of text.matchAll(/(\d+(\.\d+)?)(ns|us|µs|ms|s|m|h)/g)) total += Number(amount) * unit[name!]!;
  return Math.round(total);
}

function portOf(text: string): number | null {
  const match = /(?:^|:)(\d{1,5})$/.exec(text.replace(/^tcp:\/\//, '').replace(/\/$/, ''));
  const port = match ? Number(match[1]) : NaN;
  return port >= 1 && port <= 65535 ? port : null;
}

function fromFlag(words: readonly string[], names: readonly string[], parse: (text: string) => number | null): InferredValue | null {
  const flag = flagValue(words, names);
  const value = flag && parse(flag.value);
  return flag && value !== null ? { value, evidence: flag.written, basis: 'flag' } : null;
}

function assumed(server: string, value: number): InferredValue {
  return { value, evidence: `${server}'s default (${value / SECOND}s)`, basis: 'default' };
}

function envPort(environment: Readonly<Record<string, string>>): InferredValue | null {
  const text = environment['PORT'];
  const port = text === undefined ? null : portOf(text);
  return port === null ? null : { value: port, evidence: `PORT=${text}`, basis: 'flag' };
}

const LOOPBACK_HOST = /^(?:localhost|127(?:\.\d{1,3}){3}|::1|\[::1\])$/i;

/** `localhost`, any `127.x.y.z`, `::1` or `[::1]`: an address of the host's (or container's) own loopback. */
export function isLoopbackHost(host: string): boolean {
  return LOOPBACK_HOST.test(host);
}

/** The host of `host:port`, `[::1]:port` or `tcp://host:port`; '' when only a port is written. */
function hostOf(address: string): string {
  const bare = address.replace(/^tcp:\/\//, '');
  const colon = bare.lastIndexOf(':');
  return colon === -1 ? (/^\d+$/.test(bare) ? '' : bare) : bare.slice(0, colon);
}

/**
 * The evidence that every TCP address of `binds` is a loopback one (`--bind 127.0.0.1:8000`), or undefined when any
 * is not, or is a variable, or when there are none.
 */
function loopbackBinds(binds: readonly { value: string; written: string }[]): string | undefined {
  const tcp = binds.filter((bind) => !bind.value.startsWith('unix:'));
  return tcp.length > 0 && tcp.every((bind) => isLoopbackHost(hostOf(bind.value))) ? tcp.map((bind) => bind.written).join(' ') : undefined;
}

/** The index of the word that runs `program` (`uvicorn`, `python -m uvicorn`, `/usr/local/bin/uvicorn`). */
function programIndex(words: readonly string[], program: string): number {
  return words.findIndex((word, index) => word.split('/').pop() === program || (word === '-m' && words[index + 1] === program && index > 0));
}

/** `NAME=value` of the environment, parsed; the command line wins over it, as click's `auto_envvar_prefix` does. */
function fromEnvironment(environment: Readonly<Record<string, string>>, name: string, parse: (text: string) => number | null): InferredValue | null {
  const text = environment[name];
  const value = text === undefined ? null : parse(text);
  return value === null ? null : { value, evidence: `${name}=${text}`, basis: 'flag' };
}

function uvicorn(words: readonly string[], environment: Readonly<Record<string, string>>): InferredServer {
  return {
    server: 'uvicorn',
    keepAliveTimeout:
      fromFlag(words, ['--timeout-keep-alive'], seconds) ??
      fromEnvironment(environment, 'UVICORN_TIMEOUT_KEEP_ALIVE', seconds) ??
      assumed('uvicorn', SERVER_DEFAULTS.uvicorn),
    // uvicorn does not read PORT, only its own UVICORN_PORT (uvicorn/main.py, auto_envvar_prefix="UVICORN").
    port: fromFlag(words, ['--port'], portOf) ?? fromEnvironment(environment, 'UVICORN_PORT', portOf),
    ...optional('loopbackOnly', uvicornLoopback(words, environment)),
  };
}

/** uvicorn binds `--host`, else `UVICORN_HOST`, else 127.0.0.1 (uvicorn/main.py); `--uds` and `--fd` bind no TCP port. */
function uvicornLoopback(words: readonly string[], environment: Readonly<Record<string, string>>): string | undefined {
  if (flagValue(words, ['--uds', '--fd'])) return undefined;
  const flag = flagValue(words, ['--host']);
  if (flag) return isLoopbackHost(flag.value) ? flag.written : undefined;
  const fromEnvironment = environment['UVICORN_HOST'];
  if (fromEnvironment !== undefined) return isLoopbackHost(fromEnvironment) ? `UVICORN_HOST=${fromEnvironment}` : undefined;
  return "uvicorn's default --host 127.0.0.1";
}

/** `{ [key]: value }` when value is defined, else nothing: an optional field left out rather than set to undefined. */
function optional<Key extends string, Value>(key: Key, value: Value | undefined): { [K in Key]?: Value } {
  return (value === undefined ? {} : { [key]: value }) as { [K in Key]?: Value };
}

/** A setting of a gunicorn config file as gunicorn would see it (a string, or a list's strings); null when unreadable. */
interface GunicornSetting {
  readonly value: string | readonly string[] | null;
  readonly evidence: string;
}

/**
 * The settings a gunicorn config file assigns (a Python file gunicorn executes at start: `-c FILE`, `--config
 * file:FILE`), read where they are literal: `bind = "0.0.0.0:8000"`, `bind = ["0.0.0.0:8000"]`, `keepalive = 5`, or
 * the environment's value with a default (`os.environ.get("AM_GUNICORN_BIND", "127.0.0.1:8002")`, `os.getenv(…)`,
 * wrapped in `int(…)` or `str(…)`). A setting assigned more than once, inside a block or to anything else is unreadable.
 * Null when the file cannot be read (`python:MODULE`, a relative path, a file the repository does not put there).
 */
function gunicornConfig(flag: { value: string }, spec: ProcessSpec): Map<string, GunicornSetting> | null {
  const file = flag.value.replace(/^file:/, '');
  const read = file.startsWith('/') && !flag.value.startsWith('python:') ? (spec.readFile?.(file) ?? null) : null;
  if (read === null) return null;
  const settings = new Map<string, GunicornSetting>();
  read.text.split(/\r?\n/).forEach((line, index) => {
    const assignment = /^(\s*)([A-Za-z_]\w*)\s*(?:=(?!=)|[-+*/|]=)\s*(.*)$/.exec(line);
    if (!assignment) return;
    const [, indent, name, expression] = assignment as unknown as [string, string, string, string];
    const value = indent === '' && !settings.has(name) ? pythonValue(withoutComment(expression), spec.environment) : null;
    settings.set(name, { value, evidence: `${read.name}:${index + 1} ${name} = ${Array.isArray(value) ? value.join(', ') : (value ?? '?')}` });
  });
  return settings;
}

/** A Python expression without the comment after it (a `#` outside quotes). */
function withoutComment(expression: string): string {
  let quote: string | null = null;
  for (let index = 0; index < expression.length; index++) {
    const char = expression[index]!;
    if (quote !== null) {
      if (char === '\\') index++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '#') return expression.slice(0, index).trim();
  }
  return expression.trim();
}

/** A literal Python value of a config file (see gunicornConfig), the environment's variables filled in; else null. */
function pythonValue(expression: string, environment: Readonly<Record<string, string>>): string | readonly string[] | null {
  const wrapped = /^(?:int|str|float)\((.*)\)$/s.exec(expression);
  if (wrapped) return pythonValue(wrapped[1]!.trim(), environment);
  const string = /^(?:"([^"\\]*)"|'([^'\\]*)')$/.exec(expression);
  if (string) return string[1] ?? string[2]!;
  if (/^\d+(\.\d+)?$/.test(expression)) return expression;
  const list = /^\[(.*)\]$/s.exec(expression);
  if (list) {
    const items = list[1]!
      .split(',')
      .map((item) => item.trim())
      .filter((item) => item !== '');
    const values = items.map((item) => pythonValue(item, environment));
    return values.every((value) => typeof value === 'string') ? (values as string[]) : null;
  }
  const fromEnvironment = /^os\.(?:environ\.get|getenv)\(\s*(["'])(\w+)\1\s*(?:,\s*(.+?))?\s*\)$/s.exec(expression);
  if (fromEnvironment) {
    const set = environment[fromEnvironment[2]!];
    if (set !== undefined) return set;
    return fromEnvironment[3] === undefined ? null : pythonValue(fromEnvironment[3], environment);
  }
  const indexed = /^os\.environ\[(["'])(\w+)\1\]$/.exec(expression);
  return indexed ? (environment[indexed[2]!] ?? null) : null;
}

function gunicorn(words: readonly string[], spec: ProcessSpec): InferredServer {
  const environment = spec.environment;
  // GUNICORN_CMD_ARGS is read before the command line, which wins (gunicorn/config.py); a config file is read before
  // both, the command line's -c replacing the one GUNICORN_CMD_ARGS names (gunicorn's "Configuration Overview").
  const fromEnv = commandWords(environment['GUNICORN_CMD_ARGS'] ?? '');
  const all = [...fromEnv, ...words];
  const configFlag = flagValue(words, ['-c', '--config']) ?? flagValue(fromEnv, ['-c', '--config']);
  const config = configFlag ? gunicornConfig(configFlag, spec) : new Map<string, GunicornSetting>();
  /** A setting of the config file: undefined when it sets none, null when it (or the file) cannot be read. */
  const setting = (name: string): GunicornSetting | null | undefined => (config === null ? null : config.get(name));
  const unreadable = (name: string) => setting(name) === null || setting(name)?.value === null;
  const workerFlag = flagValue(all, ['-k', '--worker-class']);
  const workerSetting = setting('worker_class');
  const workerClass = workerFlag?.value ?? (typeof workerSetting?.value === 'string' ? workerSetting.value : 'sync');
  const threadsFlag = flagValue(all, ['--threads']);
  const threadsSetting = setting('threads');
  const threads = Number(threadsFlag?.value ?? (typeof threadsSetting?.value === 'string' ? threadsSetting.value : '1'));
  // Every --bind is bound; those of the command line replace those of GUNICORN_CMD_ARGS, which replace the config
  // file's, and PORT is only the default when none gives one (gunicorn/config.py, Bind).
  const commandBinds = flagValues(words, ['-b', '--bind']);
  const envBinds = flagValues(fromEnv, ['-b', '--bind']);
  const bindSetting = setting('bind');
  const fileBinds = bindSetting?.value
    ? [bindSetting.value].flat().map((value) => ({ value, written: bindSetting.evidence.replace(/ = .*$/, ` = ${value}`) }))
    : [];
  const binds = commandBinds.length > 0 ? commandBinds : envBinds.length > 0 ? envBinds : fileBinds;
  const bindsKnown = binds.length > 0 || !unreadable('bind');
  const ports = !bindsKnown ? null : binds.length > 0 ? bindPorts(binds) : [envPort(environment)].flatMap((port) => port ?? []);
  const port = ports?.[0] ?? null;
  const otherPorts = ports?.slice(1) ?? [];
  const loopbackOnly = optional('loopbackOnly', binds.length > 0 ? loopbackBinds(binds) : gunicornDefaultBind(all, spec));
  // A worker class or thread count the config file sets in a way not read here: how connections are kept is unknown.
  if ((!workerFlag && unreadable('worker_class')) || (!threadsFlag && unreadable('threads'))) {
    return { server: 'gunicorn', keepAliveTimeout: null, port, otherPorts, ...loopbackOnly };
  }
  // The sync worker closes every connection after its response: "sync worker does not support persistent
  // connections" (gunicorn settings, keepalive). With --threads above 1 gunicorn runs the gthread worker instead.
  const sync = workerClass === 'sync' || workerClass.endsWith('SyncWorker');
  if (sync && !(threads > 1)) {
    const how = workerFlag ? `-k ${workerClass}` : workerSetting ? workerSetting.evidence : "gunicorn's default sync worker";
    return {
      server: 'gunicorn (sync worker)',
      keepAliveTimeout: null,
      closesConnections: `${how} closes every connection after its response`,
      port,
      otherPorts,
      ...loopbackOnly,
      ...optional('requestTimeout', syncWorkerTimeout(all, configFlag !== null, setting('timeout'), spec)),
    };
  }
  // Other workers, uvicorn's among them (it passes gunicorn's keepalive as timeout_keep_alive), keep connections
  // for --keep-alive seconds.
  const keepaliveSetting = setting('keepalive');
  const keepAliveFromFile =
    typeof keepaliveSetting?.value === 'string' && seconds(keepaliveSetting.value) !== null
      ? { value: seconds(keepaliveSetting.value)!, evidence: keepaliveSetting.evidence, basis: 'flag' as const }
      : null;
  return {
    server: `gunicorn (${sync ? 'gthread' : workerClass.split('.').pop()} worker)`,
    keepAliveTimeout:
      fromFlag(all, ['--keep-alive'], seconds) ??
      keepAliveFromFile ??
      (keepaliveSetting === undefined ? assumed('gunicorn', SERVER_DEFAULTS.gunicorn) : null),
    port,
    otherPorts,
    ...loopbackOnly,
  };
}

/**
 * Without a bind gunicorn binds 127.0.0.1:8000 unless `PORT` is set (gunicorn/config.py, Bind) — or unless a
 * configuration file says otherwise: `-c`/`--config`, `--paste`, or the `gunicorn.conf.py` it reads by default from
 * the folder it starts in. So the default is claimed only where that folder's files are all known, none is
 * `gunicorn.conf.py`, and no `--chdir` moves it.
 */
function gunicornDefaultBind(words: readonly string[], spec: ProcessSpec): string | undefined {
  if (envPort(spec.environment) || !readsNoConfigFile(words, spec)) return undefined;
  return "gunicorn's default --bind 127.0.0.1:8000";
}

/**
 * Whether gunicorn reads no configuration file: none named (`-c`, `--config`, `--paste`), and no `gunicorn.conf.py`
 * in the folder it starts in, whose files are all known (no `--chdir`, no `cd` before it).
 */
function readsNoConfigFile(words: readonly string[], spec: ProcessSpec): boolean {
  if (flagValue(words, ['-c', '--config', '--paste', '--chdir'])) return false;
  if (spec.knownWorkingDir === undefined || !spec.listFiles || spec.listFiles(spec.knownWorkingDir).includes('gunicorn.conf.py')) return false;
  // `sh -c "cd src && gunicorn app:app"` starts it elsewhere.
  return !spec.words.some((word) => /(?:^|[\s;&|(])(?:cd|pushd)(?:\s|$)/.test(word));
}

/**
 * How long gunicorn's sync worker may work on one request before the arbiter kills it ("Workers silent for more than
 * this many seconds are killed and restarted"; the other workers send heartbeats while a request runs): `-t`/
 * `--timeout`, else the `timeout` of the configuration file named, else 30 s when no file is read. 0 disables it.
 */
function syncWorkerTimeout(
  words: readonly string[],
  namesConfigFile: boolean,
  fromFile: GunicornSetting | null | undefined,
  spec: ProcessSpec,
): InferredValue | undefined {
  const flag = fromFlag(words, ['-t', '--timeout'], seconds);
  if (flag) return flag.value > 0 ? flag : undefined;
  if (fromFile !== undefined) {
    const value = typeof fromFile?.value === 'string' ? seconds(fromFile.value) : null;
    return value !== null && value > 0 ? { value, evidence: fromFile!.evidence, basis: 'flag' } : undefined;
  }
  return namesConfigFile || readsNoConfigFile(words, spec) ? assumed('gunicorn', SERVER_DEFAULTS.gunicornTimeout) : undefined;
}

function hypercorn(words: readonly string[]): InferredServer {
  const binds = flagValues(words, ['-b', '--bind', '--insecure-bind']);
  // Without a bind (and without a --config file that may give one) hypercorn binds 127.0.0.1:8000 (hypercorn/config.py).
  const unbound = binds.length === 0 && !flagValue(words, ['-c', '--config']) ? "hypercorn's default --bind 127.0.0.1:8000" : undefined;
  return {
    server: 'hypercorn',
    keepAliveTimeout: fromFlag(words, ['--keep-alive'], seconds) ?? assumed('hypercorn', SERVER_DEFAULTS.hypercorn),
    ...hypercornPorts(words),
    ...optional('loopbackOnly', unbound ?? loopbackBinds(binds)),
  };
}

/** hypercorn binds every `--bind` and `--insecure-bind` given (`--quic-bind` is UDP). */
function hypercornPorts(words: readonly string[]): Pick<InferredServer, 'port' | 'otherPorts'> {
  const ports = bindPorts(flagValues(words, ['-b', '--bind', '--insecure-bind'])) ?? [];
  return { port: ports[0] ?? null, otherPorts: ports.slice(1) };
}

/**
 * The development servers of web frameworks, which listen on 127.0.0.1 unless told otherwise (the classic "works on
 * my machine, 502 in Compose"): Django's `manage.py runserver [addrport]` (127.0.0.1:8000; a port alone keeps
 * 127.0.0.1; `-6` makes it ::1), Flask's `flask run` (`--host`/`-h`, else `FLASK_RUN_HOST`, else 127.0.0.1; port
 * `--port`/`-p`, else `FLASK_RUN_PORT`), Laravel's `php artisan serve` (`--host`, else 127.0.0.1; `--port`). Their
 * idle keep-alive is not inferred. A port is taken only where it is written, as for the other servers.
 */
function developmentServer(words: readonly string[], environment: Readonly<Record<string, string>>): InferredServer | null {
  const django = words.findIndex(
    (word, index) => word === 'runserver' && index > 0 && /(?:^|\/)(?:manage\.py|django-admin)$/.test(words[index - 1]!),
  );
  if (django !== -1) {
    const rest = words.slice(django + 1);
    const addrport = rest.find((word) => !word.startsWith('-'));
    const ipv6 = rest.some((word) => word === '-6' || word === '--ipv6');
    const port = addrport === undefined ? null : portOf(addrport);
    const host = addrport === undefined ? '' : hostOf(addrport);
    return {
      server: 'Django runserver',
      keepAliveTimeout: null,
      port: port === null ? null : { value: port, evidence: `runserver ${addrport}`, basis: 'flag' },
      ...optional(
        'loopbackOnly',
        host === '' ? `runserver's default address ${ipv6 ? '::1' : '127.0.0.1'}` : isLoopbackHost(host) ? `runserver ${addrport}` : undefined,
      ),
    };
  }
  const flask = programIndex(words, 'flask');
  const flaskCommand = flask + (words[flask] === '-m' ? 2 : 1);
  if (flask !== -1 && words[flaskCommand] === 'run') {
    const rest = words.slice(flaskCommand + 1);
    const host = flagValue(rest, ['--host', '-h']);
    const hostFromEnvironment = environment['FLASK_RUN_HOST'];
    const listensOn = host?.value ?? hostFromEnvironment;
    return {
      server: 'Flask development server',
      keepAliveTimeout: null,
      port: fromFlag(rest, ['--port', '-p'], portOf) ?? fromEnvironment(environment, 'FLASK_RUN_PORT', portOf),
      ...optional(
        'loopbackOnly',
        listensOn === undefined
          ? "flask run's default --host 127.0.0.1"
          : isLoopbackHost(listensOn)
            ? (host?.written ?? `FLASK_RUN_HOST=${hostFromEnvironment}`)
            : undefined,
      ),
    };
  }
  const artisan = words.findIndex((word, index) => word === 'serve' && index > 0 && words[index - 1]!.split('/').pop() === 'artisan');
  if (artisan !== -1) {
    const rest = words.slice(artisan + 1);
    const host = flagValue(rest, ['--host']);
    return {
      server: 'Laravel artisan serve',
      keepAliveTimeout: null,
      port: fromFlag(rest, ['--port'], portOf),
      ...optional('loopbackOnly', host === null ? "artisan serve's default --host 127.0.0.1" : isLoopbackHost(host.value) ? host.written : undefined),
    };
  }
  return null;
}

/**
 * MinIO's object server (`minio server …`, or `server …` as the command of a `minio` image, whose entrypoint runs
 * `minio`): a Go `http.Server` whose `IdleTimeout` is `--idle-timeout`, else `MINIO_IDLE_TIMEOUT`, else 30 s (minio
 * `cmd/server-main.go`). Its port is left alone: `--address` (9000) and `--console-address` are two listeners, and
 * a single port would make the console's a false mismatch.
 */
function minioServerArgs(words: readonly string[], image: string | null): string[] | null {
  if (imageName(image) === 'minio' && words[0] === 'server') return words.slice(1);
  const index = programIndex(words, 'minio');
  return index !== -1 && words[index + 1] === 'server' ? words.slice(index + 2) : null;
}

function minio(words: readonly string[], environment: Readonly<Record<string, string>>): InferredServer {
  return {
    server: 'MinIO',
    keepAliveTimeout:
      fromFlag(words, ['--idle-timeout'], goDuration) ??
      fromEnvironment(environment, 'MINIO_IDLE_TIMEOUT', goDuration) ??
      assumed('MinIO', SERVER_DEFAULTS.minio),
    port: null,
  };
}

/**
 * uWSGI's options that bind a socket (`uwsgi --help`: "bind to the specified UNIX/TCP socket using … protocol"), its
 * HTTP/HTTPS routers (`--http :8000` starts a router process listening there; `--https ADDR,CERT,KEY`) and its stats
 * server. `-s` is `--socket`'s short form.
 */
const UWSGI_BINDS = new Set([
  'socket',
  's',
  'uwsgi-socket',
  'suwsgi-socket',
  'ssl-socket',
  'http-socket',
  'http11-socket',
  'https-socket',
  'fastcgi-socket',
  'fastcgi-nph-socket',
  'scgi-socket',
  'scgi-nph-socket',
  'raw-socket',
  'puwsgi-socket',
  'http',
  'https',
  'stats',
  'stats-server',
]);
/**
 * Options after which the addresses uWSGI listens on are not all on its command line or in one ini file: other
 * configuration sources (uWSGI loads `--yaml`, `--json`, `--xml`, `--include`d and inherited files, and an Emperor's
 * vassals), other listeners (its routers and subscription servers, `--shared-socket` handed on by number), and
 * conditional blocks of an ini file (`if-env`, `for-readline`).
 */
const UWSGI_UNKNOWN_LISTENERS =
  /^(?:ini|yaml|yml|json|js|xml|sqlite3?|ldap|include|inherit|emperor.*|.*router.*|.*-server|subscribe.*|zerg.*|shared-socket|if-.*|for-.*|config)$/;
/** A configuration file uWSGI recognises by its name when it is an argument of its own (`uwsgi app.ini`). */
const UWSGI_CONFIG_NAME = /\.(?:ini|xml|ya?ml|json|js)(?::[\w-]+)?$/;

/**
 * The options an ini file of uWSGI sets in its `[uwsgi]` section (or the `:section` named), each with its line, or
 * null when a line is not an option. A value that uses what nginx-lint does not follow — placeholders and magic
 * variables (`%(name)`, `%d`), environment and command expansions (`$(HOST)`, `@(file)`) — is null: that option is
 * unknown, the file's literal ones are not (IntelOwl's `chdir = %(base)` beside `harakiri = 300`).
 */
function uwsgiIniOptions(text: string, section: string): { name: string; value: string | null; line: number }[] | null {
  const options: { name: string; value: string | null; line: number }[] = [];
  let current: string | null = null;
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === '' || /^[;#]/.test(line)) continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      current = header[1]!.trim();
      continue;
    }
    if (current !== section) continue;
    const pair = /^([\w.-]+)\s*(?:=\s*(.*))?$/.exec(line);
    if (!pair) return null;
    const value = (pair[2] ?? 'true').trim();
    options.push({ name: pair[1]!.toLowerCase(), value: /[%$@]\(|%[a-zA-Z]/.test(value) ? null : value, line: index + 1 });
  }
  return options;
}

/** `:8000`, `0.0.0.0:8000`, `[::]:8000`, `/tmp/uwsgi.sock`: a port, a socket path, or null (abstract, fd, unknown). */
function uwsgiAddress(value: string): { port: number } | { socket: string } | null {
  const address = value.split(',')[0]!.trim();
  if (address.startsWith('/')) return { socket: address };
  const tcp = /^(?:\[[0-9a-fA-F:.]*\]|[\w.-]*):(\d{1,5})$/.exec(address);
  const port = tcp ? Number(tcp[1]) : NaN;
  return port >= 1 && port <= 65535 ? { port } : null;
}

/**
 * uWSGI (`uwsgi …`, `uwsgi --ini /app/uwsgi.ini`): the addresses of all its binding options, from its command line
 * and the ini file it names (read through `spec.readFile`). The ports are known only when every listener is: any
 * `UWSGI_*` variable of the environment (uWSGI reads every option from one), another configuration source, a
 * router, a value it cannot read, or an ini file the repository does not hold leaves them unknown. No idle timeout is
 * inferred: uWSGI's keep-alive depends on the socket type and its options.
 */
function uwsgi(words: readonly string[], spec: ProcessSpec): InferredServer {
  const unknown: InferredServer = { server: 'uWSGI', keepAliveTimeout: null, port: null };
  if (Object.keys(spec.environment).some((name) => name.startsWith('UWSGI_'))) return unknown;
  /** Each option given, its value null where the ini file writes one nginx-lint does not expand. */
  const options: { name: string; value: string | null; evidence: string }[] = [];
  for (let index = 0; index < words.length; index++) {
    const word = words[index]!;
    const flag = /^--?([\w.-]+)(?:=(.*))?$/.exec(word);
    // A configuration file by its name, which uWSGI loads when it is an argument of its own (a flag without a value
    // may stand before it): any such word but the value of --ini leaves the listeners unknown.
    if (!flag) {
      if (UWSGI_CONFIG_NAME.test(word)) return unknown;
      continue;
    }
    const name = flag[1]!.toLowerCase().replace(/_/g, '-');
    const value = flag[2] ?? (words[index + 1] !== undefined && !words[index + 1]!.startsWith('-') ? words[index + 1] : undefined);
    if (name === 'ini' && value !== undefined) {
      const [file, section = 'uwsgi'] = value.split(/:(?=[\w-]+$)/) as [string, string?];
      const read = file.startsWith('/') ? (spec.readFile?.(file) ?? null) : null;
      const fromIni = read ? uwsgiIniOptions(read.text, section) : null;
      if (fromIni === null) return unknown;
      for (const option of fromIni) {
        options.push({
          name: option.name.replace(/_/g, '-'),
          value: option.value,
          evidence: `${read!.name}:${option.line} ${option.name} = ${option.value}`,
        });
      }
    } else if (value !== undefined) {
      if (UWSGI_CONFIG_NAME.test(value)) return unknown;
      options.push({ name, value, evidence: flag[2] === undefined ? `${word} ${value}` : word });
    }
    if (flag[2] === undefined && value !== undefined) index++;
  }
  const ports: InferredValue[] = [];
  const sockets: { path: string; evidence: string }[] = [];
  for (const option of options) {
    if (UWSGI_UNKNOWN_LISTENERS.test(option.name)) return unknown;
    if (!UWSGI_BINDS.has(option.name)) continue;
    const address = option.value === null ? null : uwsgiAddress(option.value);
    if (address === null) return unknown;
    const evidence = option.evidence.replace(/,.*$/, '');
    if ('port' in address) ports.push({ value: address.port, evidence, basis: 'flag' });
    else sockets.push({ path: address.socket, evidence });
  }
  const timeout = optional('requestTimeout', harakiriOf(options));
  // Nothing bound: uWSGI would refuse to start without a socket, unless a source nginx-lint does not read gives one.
  if (ports.length === 0 && sockets.length === 0) return { ...unknown, ...timeout };
  return { ...unknown, port: ports[0] ?? null, otherPorts: ports.slice(1), sockets, ...timeout };
}

/**
 * How long uWSGI lets a worker work on one request: `harakiri` (seconds, the last one given; 0 or none turns it off),
 * after which the worker is killed, with or without the master process, and the connection closes without a response
 * (measured with uWSGI 2.0.21 and nginx 1.22.1: `--harakiri 2` before a 5 s request gave 502 "upstream prematurely
 * closed connection" 3 times of 3, each after about 3 s).
 */
function harakiriOf(options: readonly { name: string; value: string | null; evidence: string }[]): InferredValue | undefined {
  const option = options.filter((each) => each.name === 'harakiri').pop();
  const value = option?.value && /^\d+$/.test(option.value) ? Number(option.value) * SECOND : 0;
  return option && value > 0 ? { value, evidence: option.evidence, basis: 'flag' } : undefined;
}

/** `7.0.1` → [7, 0, 1]. */
function versionParts(version: string): number[] {
  return version.split('.').map((part) => Number.parseInt(part, 10) || 0);
}

/**
 * Puma's idle keep-alive timeout: `PUMA_PERSISTENT_TIMEOUT` (read from 7.0.0 on), else the default of the bundled
 * version — 20 s up to 6.x, 65 s from 7.0.0 — else, version unknown, 20 s with a message that says it depends.
 */
function pumaKeepAlive(environment: Readonly<Record<string, string>>, version: ProcessSpec['pumaVersion']): InferredValue {
  const major = version ? versionParts(version.version)[0]! : null;
  if (major === null || major >= 7) {
    const fromEnv = fromEnvironment(environment, 'PUMA_PERSISTENT_TIMEOUT', seconds);
    if (fromEnv) return fromEnv;
  }
  if (version && major !== null) {
    const value = major >= 7 ? PUMA_7_PERSISTENT_TIMEOUT : SERVER_DEFAULTS.puma;
    return { value, evidence: `Puma ${version.version}'s default (${value / SECOND}s; ${version.origin})`, basis: 'default' };
  }
  return {
    value: SERVER_DEFAULTS.puma,
    evidence: `Puma's default, which depends on its version (20s up to 6.x, 65s from 7.0.0; version unknown, 20s assumed)`,
    basis: 'default',
  };
}

function puma(words: readonly string[], environment: Readonly<Record<string, string>>, version: ProcessSpec['pumaVersion']): InferredServer {
  return {
    server: 'Puma',
    keepAliveTimeout: pumaKeepAlive(environment, version),
    port: fromFlag(words, ['-p', '--port'], portOf) ?? fromFlag(words, ['-b', '--bind'], portOf) ?? envPort(environment),
  };
}

function node(words: readonly string[], environment: Readonly<Record<string, string>>): InferredServer {
  return {
    server: 'Node.js',
    keepAliveTimeout:
      fromFlag(words, ['--keepAliveTimeout'], (text) => (/^\d+$/.test(text) ? Number(text) : null)) ?? assumed('Node.js', SERVER_DEFAULTS.node),
    port: fromFlag(words, ['-p', '--port'], portOf) ?? envPort(environment),
  };
}

const NODE_LAUNCHERS = new Set(['node', 'nodejs', 'npm', 'npx', 'yarn', 'pnpm', 'next', 'nest', 'nuxt', 'ts-node', 'tsx', 'pm2-runtime']);

/** The last path segment and tag of an image: `docker.io/library/node:20-alpine` → `node`, `20-alpine`. */
export function imageName(image: string | null): string {
  if (!image) return '';
  const withoutDigest = image.split('@')[0]!;
  const lastSegment = withoutDigest.split('/').pop()!;
  return lastSegment.split(':')[0]!.toLowerCase();
}

/** OpenResty's image (`openresty/openresty`): nginx with its own prefix, `/usr/local/openresty/nginx`. */
export function isOpenRestyImage(image: string | null): boolean {
  return imageName(image) === 'openresty';
}

/** An image of nginx itself (official, unprivileged, a `nginx-*` variant, ModSecurity's): the one a config runs in. */
export function isNginxImage(image: string | null): boolean {
  const name = imageName(image);
  return name === 'nginx' || name === 'nginx-unprivileged' || name.startsWith('nginx-') || isModSecurityNginxImage(image);
}

/**
 * ModSecurity's nginx images (`owasp/modsecurity-crs:3.3.2-nginx-alpine`, `owasp/modsecurity:nginx`): nginx's official
 * image with the ModSecurity module, and files of their own under /etc/nginx (`includes/location_common.conf`,
 * `conf.d/logging.conf`). Their tag is the rule set's release, not nginx's; their Apache images are tagged `apache`.
 */
export function isModSecurityNginxImage(image: string | null): boolean {
  const name = imageName(image);
  return (name === 'modsecurity-crs' || name === 'modsecurity') && /(^|-)nginx(-|$)/.test(imageTag(image));
}

/**
 * An image whose tag is nginx's own version: nginx's official and unprivileged images, and OpenResty's (whose
 * `1.25.3.1` is nginx 1.25.3). Other `nginx-*` images version themselves (`nginxproxy/nginx-proxy:1.5`,
 * `jc21/nginx-proxy-manager:2.11.3`).
 */
export function tagsNginxVersion(image: string | null): boolean {
  const name = imageName(image);
  return name === 'nginx' || name === 'nginx-unprivileged' || isOpenRestyImage(image);
}

function imageTag(image: string | null): string {
  const lastSegment = (image ?? '').split('@')[0]!.split('/').pop()!;
  return lastSegment.includes(':') ? lastSegment.split(':').pop()!.toLowerCase() : '';
}

/** The port PHP-FPM listens on in the official `php:*-fpm` images: their `php-fpm.d/zz-docker.conf` says `listen = 9000`. */
export const PHP_FPM_IMAGE_PORT = 9000;

/** An image's repository, without registry prefix docker.io, `library/`, tag or digest: `reallibrephotos/librephotos-proxy`. */
export function imageRepository(image: string): string {
  const name = image
    .split('@')[0]!
    .replace(/^(?:index\.)?docker\.io\//, '')
    .replace(/^library\//, '');
  const slash = name.lastIndexOf('/');
  const colon = name.indexOf(':', slash + 1);
  return colon === -1 ? name : name.slice(0, colon);
}

/** An image of Docker's official images (`matomo:fpm`, `docker.io/library/wordpress:6-fpm`): no namespace of its own. */
function isOfficialImage(image: string): boolean {
  return !imageRepository(image).includes('/');
}

/**
 * The ports a program of an image listens on at every address, IPv4 and IPv6 alike, where nginx shares its network
 * (a container built on that image, or another container of nginx's Kubernetes pod): PHP-FPM of the official
 * `php:*-fpm` images, whose `listen = 9000` (a port without an address) PHP-FPM binds on `[::]` dual-stack
 * (php/php-src#11593; docker-library/php#562). The official images' `fpm` variants of PHP applications (`wordpress:fpm`,
 * `nextcloud:fpm`, `matomo:fpm`, `drupal:fpm`) are built `FROM php:*-fpm` and keep that file. `localhost:9000`
 * reaches it over `::1` and `127.0.0.1` alike.
 */
export function dualStackPortsOf(image: string | null): readonly number[] {
  return isOfficialPhpFpmImage(image) ? [PHP_FPM_IMAGE_PORT] : [];
}

/** `php:*-fpm`, or an official image's `fpm` variant of a PHP application, built `FROM php:*-fpm` (`nextcloud:fpm`). */
function isOfficialPhpFpmImage(image: string | null): image is string {
  if (image === null || !imageTag(image).includes('fpm')) return false;
  return imageName(image) === 'php' || isOfficialImage(image);
}

/**
 * Go servers nginx is put in front of, with the flags that name a TCP address they listen on (Go's flag package:
 * `-name value`, `-name=value`, `--name value`). An address without a host (`:8090`) or with `[::]` is one Go's
 * net.Listen binds on every local address, IPv4 and IPv6 alike ("if the host in the address parameter is empty or a
 * literal unspecified IP address, Listen listens on all available unicast and anycast IP addresses"): one `[::]`
 * socket that accepts IPv4 too on Linux.
 */
const GO_LISTEN_FLAGS: Readonly<Record<string, readonly string[]>> = {
  // gitlab-org/gitlab-pages: `-listen-proxy`, `-listen-http`, `-listen-https` (and the PROXY-protocol variant).
  'gitlab-pages': ['listen-proxy', 'listen-http', 'listen-https', 'listen-https-proxyv2'],
  // gitlab-org/gitlab-workhorse: `-listenAddr` on `-listenNetwork tcp` (its default).
  'gitlab-workhorse': ['listenAddr'],
};

/** A port a process listens on at every address, and the words that say so. */
export interface EveryAddressPort {
  readonly port: number;
  readonly evidence: string;
}

/**
 * The ports a command makes its server listen on at every address, IPv4 and IPv6 alike: the Go servers of
 * GO_LISTEN_FLAGS given `:PORT` or `[::]:PORT` (`gitlab-pages … -listen-proxy :8090`). A host (`0.0.0.0:8090`,
 * `127.0.0.1:8090`) binds one family, and another program's `:PORT` may not be Go's (uWSGI's `:3031` is IPv4 only).
 */
export function everyAddressPortsOf(words: readonly string[]): EveryAddressPort[] {
  const command = unwrapShell(words);
  const program = command[0]?.split('/').pop() ?? '';
  const flags = GO_LISTEN_FLAGS[program];
  if (!flags) return [];
  if (flagValue(command, ['-listenNetwork', '--listenNetwork'])?.value.startsWith('unix')) return [];
  const ports: EveryAddressPort[] = [];
  command.forEach((word, index) => {
    const flag = /^--?([\w-]+)(?:=(.*))?$/.exec(word);
    if (!flag || !flags.includes(flag[1]!)) return;
    const value = flag[2] ?? command[index + 1];
    const address = value === undefined ? null : /^(?:|\[::\]):(\d{1,5})$/.exec(value);
    const port = address ? Number(address[1]) : NaN;
    if (port >= 1 && port <= 65535) ports.push({ port, evidence: flag[2] === undefined ? `${word} ${value}` : word });
  });
  return ports;
}

/**
 * The unix-domain socket a command makes its server listen on: gunicorn's and hypercorn's `--bind unix:/run/app.sock`
 * (the last `--bind`, as for the port), uvicorn's `--uds /run/app.sock`. An absolute path only: a relative one
 * depends on the working directory.
 */
export function unixSocketOf(words: readonly string[]): { readonly path: string; readonly evidence: string } | null {
  const command = unwrapShell(words);
  const servers: [string, string[], string][] = [
    ['gunicorn', ['-b', '--bind'], 'unix:'],
    ['uvicorn', ['--uds'], ''],
    ['hypercorn', ['-b', '--bind'], 'unix:'],
  ];
  for (const [program, flags, prefix] of servers) {
    const index = programIndex(command, program);
    if (index === -1) continue;
    const flag = flagValue(command.slice(index + 1), flags);
    const socket = flag?.value.startsWith(prefix) ? flag.value.slice(prefix.length) : null;
    return flag && socket?.startsWith('/') ? { path: socket, evidence: flag.written } : null;
  }
  return null;
}

/** The directory of PHP-FPM's configuration in the official images; a volume there may change `listen`. */
const PHP_FPM_CONFIG = /^\/usr\/local\/etc(\/php-fpm(\.d|\.conf)?)?\/?$|^\/usr\/local\/etc\/php-fpm/;
/** A build step that may edit PHP-FPM's pool files (`sed -i … php-fpm.d/www.conf`, `echo 'listen = …' >> …`). */
const EDITS_PHP_FPM_CONFIG = /php-fpm|zz-docker|www\.conf|\blisten\b/i;

/**
 * A build that leaves the official image's PHP-FPM configuration as it is: no step names its files or a `listen`,
 * and nothing is copied there or into a folder above it (`COPY rootfs /` may hold `usr/local/etc/php-fpm.d/`).
 */
function buildKeepsPhpFpmConfig(steps: NonNullable<ProcessSpec['buildSteps']>): boolean {
  const above = (target: string) => '/usr/local/etc/php-fpm.d/'.startsWith(target.endsWith('/') ? target : `${target}/`);
  return !steps.runs.some((run) => EDITS_PHP_FPM_CONFIG.test(run)) && !steps.copiedTo.some((target) => PHP_FPM_CONFIG.test(target) || above(target));
}

/**
 * PHP-FPM from the official `php:*-fpm` image (`php:8.3-fpm`, `php:8.2-fpm-alpine`, `php:fpm`), or an official image's
 * `fpm` variant built on it (`nextcloud:fpm-alpine`, `wordpress:6-fpm`, `monica:fpm`), run as the image runs
 * it: no build but one whose Dockerfile leaves PHP-FPM's configuration alone (ucan-lab/docker-laravel's, which adds
 * extensions and a php.ini), no configuration mounted over the image's, and no command but `php-fpm` (a script could
 * rewrite `listen`, as some do with sed). PHP-FPM has no HTTP keep-alive of its own: nginx keeps FastCGI connections
 * only with `fastcgi_keep_conn on`, so no idle timeout is inferred.
 */
function phpFpm(spec: ProcessSpec, words: readonly string[]): InferredServer | null {
  if (!isOfficialPhpFpmImage(spec.image)) return null;
  if (spec.builds && !(spec.buildSteps && buildKeepsPhpFpmConfig(spec.buildSteps))) return null;
  if ((spec.mountTargets ?? []).some((target) => PHP_FPM_CONFIG.test(target))) return null;
  const program = words[0]?.split('/').pop();
  if (words.length > 0 && program !== 'php-fpm' && program !== 'docker-php-entrypoint') return null;
  if (program === 'docker-php-entrypoint' && words.length > 1 && words[1]!.split('/').pop() !== 'php-fpm') return null;
  return {
    server: 'PHP-FPM',
    keepAliveTimeout: null,
    port: {
      value: PHP_FPM_IMAGE_PORT,
      evidence: `PHP-FPM's listen = ${PHP_FPM_IMAGE_PORT} in the ${imageName(spec.image) === 'php' ? 'php:*-fpm image' : `${imageRepository(spec.image)}:*fpm* image, built FROM php:*-fpm`}`,
      basis: 'default',
    },
  };
}

/**
 * Where a PHP-FPM binary reads its configuration, by the name packages give it, and the pool files the package puts
 * in the folder that configuration includes: Alpine's `php-fpm83` (`/etc/php83/php-fpm.conf`, including
 * `php-fpm.d/*.conf`, which holds `www.conf`), Debian's and Ubuntu's `php-fpm8.2` (`/etc/php/8.2/fpm/php-fpm.conf`,
 * `pool.d/*.conf`), the official image's `php-fpm` (`/usr/local/etc/php-fpm.conf`, `php-fpm.d/*.conf`: `www.conf`,
 * `docker.conf`, `zz-docker.conf`).
 */
function phpFpmLayout(binary: string): { config: string; prefix: string; poolDir: string; stockPools: readonly string[] } | null {
  const alpine = /^php-fpm(\d{1,2})$/.exec(binary);
  if (alpine)
    return { config: `/etc/php${alpine[1]}/php-fpm.conf`, prefix: '/usr', poolDir: `/etc/php${alpine[1]}/php-fpm.d`, stockPools: ['www.conf'] };
  const debian = /^php-fpm(\d+\.\d+)$/.exec(binary);
  if (debian)
    return {
      config: `/etc/php/${debian[1]}/fpm/php-fpm.conf`,
      prefix: '/usr',
      poolDir: `/etc/php/${debian[1]}/fpm/pool.d`,
      stockPools: ['www.conf'],
    };
  if (binary === 'php-fpm') {
    return {
      config: '/usr/local/etc/php-fpm.conf',
      prefix: '/usr/local',
      poolDir: '/usr/local/etc/php-fpm.d',
      stockPools: ['docker.conf', 'www.conf', 'zz-docker.conf'],
    };
  }
  return null;
}

/** A PHP-FPM configuration's sections and `include`s in order; null for what nginx-lint does not follow (`${VAR}`). */
function phpFpmIni(text: string): { section: string; name: string; value: string; line: number }[] | null {
  const entries: { section: string; name: string; value: string; line: number }[] = [];
  let section = 'global';
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/^\s*;.*$/, '').trim();
    if (line === '') continue;
    const header = /^\[([^\]]+)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim();
      continue;
    }
    const pair = /^([\w.[\]-]+)\s*=\s*(.*?)\s*$/.exec(line);
    if (!pair) continue;
    const value = pair[2]!.replace(/^"(.*)"$|^'(.*)'$/, '$1$2');
    if (value.includes('$')) return null;
    entries.push({ section, name: pair[1]!.toLowerCase(), value, line: index + 1 });
  }
  return entries;
}

/**
 * PHP-FPM started as a program of its own (`php-fpm83 -F`, `/usr/local/sbin/php-fpm --nodaemonize`), its pools read
 * from the configuration files the repository puts where it reads them (`-y`/`--fpm-config`, else its package's
 * `php-fpm.conf`, and the files that includes): every pool's `listen`, the last one given for a pool winning, as
 * PHP-FPM reads included files in order. Unknown (null) when a file it reads is not the repository's (a package's own
 * pool file left in place, which nginx-lint does not read), when a pool has no listen, or a value holds a variable.
 * `listen = 9000` (a port alone) binds every address.
 */
function phpFpmPools(words: readonly string[], spec: ProcessSpec): InferredServer | null {
  const binary = words[0]?.split('/').pop() ?? '';
  const layout = phpFpmLayout(binary);
  if (!layout || !spec.readFile || !spec.listFiles) return null;
  const given = flagValue(words, ['-y', '--fpm-config'])?.value;
  const listens = new Map<string, { value: string; evidence: string }>();
  const terminations = new Map<string, { value: string; evidence: string }>();
  const read = (containerPath: string, depth: number): boolean => {
    const file = spec.readFile!(containerPath);
    // The package's own php-fpm.conf, which the repository does not replace, only includes its pool folder.
    const stock = file === null && given === undefined && containerPath === layout.config;
    const entries = stock
      ? [{ section: 'global', name: 'include', value: `${layout.poolDir}/*.conf`, line: 0 }]
      : file && depth < 4
        ? phpFpmIni(file.text)
        : null;
    if (!entries) return false;
    for (const entry of entries) {
      if (entry.section !== 'global' && entry.name === 'request_terminate_timeout') {
        terminations.set(entry.section, { value: entry.value, evidence: `${file!.name}:${entry.line} request_terminate_timeout = ${entry.value}` });
      }
      if (entry.section !== 'global' && entry.name === 'listen') {
        listens.set(entry.section, { value: entry.value, evidence: `${file!.name}:${entry.line} listen = ${entry.value}` });
      } else if (entry.section !== 'global' && !listens.has(entry.section)) {
        listens.set(entry.section, { value: '', evidence: '' });
      }
      if (entry.name !== 'include') continue;
      const target = entry.value.startsWith('/') ? entry.value : path.posix.join(layout.prefix, entry.value);
      const glob = /^(.*)\/\*\.conf$/.exec(target);
      if (!glob) {
        if (!read(target, depth + 1)) return false;
        continue;
      }
      const folder = glob[1]!;
      const names = spec.listFiles!(folder).filter((name) => name.endsWith('.conf'));
      // A package's own pool file there that the repository does not replace is read too, and nginx-lint does not read it.
      if (folder === layout.poolDir && layout.stockPools.some((stock) => !names.includes(stock))) return false;
      for (const name of names) if (!read(`${folder}/${name}`, depth + 1)) return false;
    }
    return true;
  };
  if (!read(given ?? layout.config, 0) || listens.size === 0) return null;
  const ports: InferredValue[] = [];
  const sockets: { path: string; evidence: string }[] = [];
  for (const { value, evidence } of listens.values()) {
    if (value.startsWith('/')) {
      sockets.push({ path: value, evidence });
      continue;
    }
    const port = /^(?:(?:\[[0-9a-fA-F:.]*\]|[\w.-]+):)?(\d{1,5})$/.exec(value);
    if (!port || Number(port[1]) < 1 || Number(port[1]) > 65535) return null;
    ports.push({ value: Number(port[1]), evidence, basis: 'flag' });
  }
  // With one pool, what nginx reaches is that pool; with several, which one is the port's.
  const [only] = listens.keys();
  const termination = listens.size === 1 ? terminations.get(only!) : undefined;
  return {
    server: 'PHP-FPM',
    keepAliveTimeout: null,
    port: ports[0] ?? null,
    otherPorts: ports.slice(1),
    sockets,
    ...optional('requestTimeout', termination && phpFpmTime(termination.value, termination.evidence)),
  };
}

/**
 * A pool's `request_terminate_timeout` (seconds, or with an `s`, `m`, `h` or `d` suffix; 0, the default, is off): the
 * master kills a child still working on a request after it, and nginx reads a reset connection (measured with PHP-FPM
 * 8.2 and nginx 1.22.1: `request_terminate_timeout = 2` before a 5 s script gave 502 "recv() failed (104: Connection
 * reset by peer) while reading response header from upstream" 3 times of 3, each after about 2.5 s).
 */
function phpFpmTime(value: string, evidence: string): InferredValue | undefined {
  const time = /^(\d+)([smhd]?)$/.exec(value);
  const unit = { '': SECOND, s: SECOND, m: 60 * SECOND, h: 3600 * SECOND, d: 86_400 * SECOND }[time?.[2] ?? ''] ?? SECOND;
  const milliseconds = time ? Number(time[1]) * unit : 0;
  return milliseconds > 0 ? { value: milliseconds, evidence, basis: 'flag' } : undefined;
}

/** An image of Puma itself tagged with its version (`…/puma:7.0.1`); any other image says nothing about Puma's. */
function pumaImageVersion(image: string | null): ProcessSpec['pumaVersion'] {
  const tag = imageTag(image);
  return imageName(image) === 'puma' && /^\d+(\.\d+)*$/.test(tag) ? { version: tag, origin: `image ${image}` } : null;
}

/** The version of `gem` a Gemfile.lock pins (`    puma (7.0.1)` under `specs:`), with its 1-based line. */
export function lockedGemVersion(lockText: string, gem: string): { version: string; line: number } | null {
  const lines = lockText.split(/\r?\n/);
  const pattern = new RegExp(`^    ${gem.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\((\\d+(?:\\.\\d+)*)[^)]*\\)\\s*$`);
  for (const [index, line] of lines.entries()) {
    const match = pattern.exec(line);
    if (match) return { version: match[1]!, line: index + 1 };
  }
  return null;
}

/**
 * Anubis (`ghcr.io/techarohq/anubis`), run as its image runs it, with `TARGET` blank: it proxies to nothing and only
 * answers nginx's `auth_request` checks and serves its challenge pages (its `-target` flag, read from `TARGET` by
 * flagenv: "set to an empty string to disable proxying when only using auth request"; cmd/anubis/main.go trims it).
 * It reads `X-Forwarded-Proto` in one place, `constructRedirectURL` (lib/http.go), which runs only with `PUBLIC_URL`
 * set; when it proxies, it passes the header on to its target, which may read it. So with `TARGET` blank and no
 * `PUBLIC_URL`, nothing reads `X-Forwarded-Proto` (it needs `X-Real-IP`, which stays read).
 */
function anubis(spec: ProcessSpec, words: readonly string[]): InferredServer | null {
  if (imageName(spec.image) !== 'anubis' || spec.builds || words.length > 0) return null;
  const target = spec.environment['TARGET'];
  const authOnly = target !== undefined && target.trim() === '';
  const publicUrl = (spec.environment['PUBLIC_URL'] ?? '').trim();
  return {
    server: 'Anubis',
    keepAliveTimeout: null,
    port: null,
    ...(authOnly && publicUrl === ''
      ? {
          unreadHeaders: {
            headers: ['x-forwarded-proto'],
            evidence:
              'TARGET blank and no PUBLIC_URL: Anubis only answers auth_request checks and builds no redirect URL, the one place it reads X-Forwarded-Proto',
          },
        }
      : {}),
  };
}

/**
 * The application server a process runs, read from its command first and its image second; null when neither is
 * one nginx-lint knows (a custom binary, a script whose contents we cannot see).
 */
export function inferAppServer(spec: ProcessSpec): InferredServer | null {
  const words = unwrapShell(spec.words);
  const runs = (program: string) => programIndex(words, program) !== -1;
  const after = (program: string) => words.slice(programIndex(words, program) + 1);
  const development = developmentServer(words, spec.environment);
  if (development) return development;
  if (runs('gunicorn')) return gunicorn(after('gunicorn'), spec);
  if (runs('uvicorn')) return uvicorn(after('uvicorn'), spec.environment);
  if (runs('hypercorn')) return hypercorn(after('hypercorn'));
  if (runs('uwsgi')) return uwsgi(after('uwsgi'), spec);
  if (runs('puma') || (runs('rails') && /^(s|server)$/.test(after('rails')[0] ?? ''))) {
    const version = spec.pumaVersion ?? pumaImageVersion(spec.image);
    return puma(runs('puma') ? after('puma') : after('rails'), spec.environment, version);
  }
  const minioArgs = minioServerArgs(words, spec.image);
  if (minioArgs) return minio(minioArgs, spec.environment);
  const first = words[0]?.split('/').pop() ?? '';
  const name = imageName(spec.image);
  // The node image's own command is `node`; a command that starts another program is not known to be Node.
  if (NODE_LAUNCHERS.has(first) || (name === 'node' && words.length === 0)) return node(words, spec.environment);
  // The official httpd image, and PHP's Apache flavour, run Apache with its stock KeepAliveTimeout 5.
  if (words.length === 0 && (name === 'httpd' || (name === 'php' && imageTag(spec.image).includes('apache')))) {
    return { server: 'Apache httpd', keepAliveTimeout: assumed('Apache httpd', SERVER_DEFAULTS.apache), port: null };
  }
  return (/^php-fpm[\d.]*$/.test(first) ? phpFpmPools(words, spec) : null) ?? anubis(spec, words) ?? phpFpm(spec, words);
}
