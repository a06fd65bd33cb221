/**
 * What a service's own start-up says about it when nobody declared anything: the application server its command or
 * image runs, how long that server keeps an idle keep-alive connection open, and the port a flag makes it listen on.
 * Each value says whether it was read from a flag or environment variable, or assumed from the server's documented
 * default (docs/services.md lists every server, value and source). Rules treat assumed values as less certain.
 */
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
  /**
   * Request headers the application never reads, lower case, with what says so (evidence for messages): a header
   * nginx stops sending it changes nothing there.
   */
  readonly unreadHeaders?: { readonly headers: readonly string[]; readonly evidence: string };
}

/**
 * The service fact for a server that closes every connection (InferredServer.closesConnections), from what a Compose
 * service or a Kubernetes container states: the evidence is added to where it was read.
 */
export function closesConnectionsFact<Origin extends { readonly label: string }>(evidence: string, origin: Origin) {
  return {
    value: true as const,
    text: 'closes every connection',
    basis: 'flag' as const,
    origin: { ...origin, label: `${origin.label} ${evidence}` },
  };
}

/** What a Compose service or Kubernetes container states about its process. */
export interface ProcessSpec {
  readonly image: string | null;
  /** `entrypoint` then `command` (Compose), or `command` then `args` (Kubernetes), as words. */
  readonly words: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  /** The service builds its own image (Compose `build`), which may change anything the base image configures. */
  readonly builds?: boolean;
  /** The container paths volumes are mounted at: a mounted configuration may change what the image configures. */
  readonly mountTargets?: readonly string[];
  /**
   * The Puma version the app bundles, when a `Gemfile.lock` beside the service says (`puma (7.0.1)`): Puma's idle
   * timeout default changed in 7.0.0. `origin` is where it was read, for messages (`Gemfile.lock:42`).
   */
  readonly pumaVersion?: { readonly version: string; readonly origin: string } | null;
}

const SECOND = 1000;

/** The documented idle keep-alive defaults, in milliseconds (sources in docs/services.md). */
export const SERVER_DEFAULTS = {
  uvicorn: 5 * SECOND,
  gunicorn: 2 * SECOND,
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
 * The server a start script runs in the end: its one `exec` line (`exec gunicorn 'app:create_app()' --bind …`,
 * continuation lines joined) as words, `$NAME` expanded from the script's own assignments above it
 * (`WORKER_CLASS=${WORKER_CLASS:-gevent}`) over the environment. `line` is the 1-based line the exec starts on. Null
 * when the script execs its arguments (`exec "$@"`: the command is the CMD) or several commands (branches), or
 * nothing.
 */
export function scriptExec(text: string, environment: Readonly<Record<string, string>>): { words: string[]; line: number } | null {
  const variables: Record<string, string> = { ...environment };
  const lookup = (name: string) => variables[name] ?? `$${name}`;
  const execs: { words: string[]; line: number }[] = [];
  const physical = text.split(/\r?\n/);
  for (let index = 0; index < physical.length; index++) {
    const start = index;
    let logical = physical[index]!;
    while (/\\\s*$/.test(logical) && index + 1 < physical.length) logical = logical.replace(/\\\s*$/, ' ') + physical[++index]!;
    const trimmed = logical.trim();
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
    if (/^exec\s/.test(trimmed)) {
      const words = parseShellWords(trimmed.slice(4), lookup).flatMap((entry) => (typeof entry === 'string' ? [entry] : []));
      execs.push({ words, line: start + 1 });
    }
  }
  if (execs.length !== 1) return null;
  const [only] = execs as [{ words: string[]; line: number }];
  return only.words.length === 0 || only.words[0]!.startsWith('$') ? null : only;
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
  };
}

function gunicorn(words: readonly string[], environment: Readonly<Record<string, string>>): InferredServer {
  // GUNICORN_CMD_ARGS is read before the command line, which wins (gunicorn/config.py).
  const all = [...commandWords(environment['GUNICORN_CMD_ARGS'] ?? ''), ...words];
  const workerClass = flagValue(all, ['-k', '--worker-class'])?.value ?? 'sync';
  const threads = Number(flagValue(all, ['--threads'])?.value ?? '1');
  const port = fromFlag(all, ['-b', '--bind'], portOf) ?? envPort(environment);
  // The sync worker closes every connection after its response: "sync worker does not support persistent
  // connections" (gunicorn settings, keepalive). With --threads above 1 gunicorn runs the gthread worker instead.
  const sync = workerClass === 'sync' || workerClass.endsWith('SyncWorker');
  if (sync && !(threads > 1)) {
    const how = flagValue(all, ['-k', '--worker-class']) ? `-k ${workerClass}` : "gunicorn's default sync worker";
    return { server: 'gunicorn (sync worker)', keepAliveTimeout: null, closesConnections: `${how} closes every connection after its response`, port };
  }
  // Other workers, uvicorn's among them (it passes gunicorn's keepalive as timeout_keep_alive), keep connections
  // for --keep-alive seconds.
  return {
    server: `gunicorn (${sync ? 'gthread' : workerClass.split('.').pop()} worker)`,
    keepAliveTimeout: fromFlag(all, ['--keep-alive'], seconds) ?? assumed('gunicorn', SERVER_DEFAULTS.gunicorn),
    port,
  };
}

function hypercorn(words: readonly string[]): InferredServer {
  return {
    server: 'hypercorn',
    keepAliveTimeout: fromFlag(words, ['--keep-alive'], seconds) ?? assumed('hypercorn', SERVER_DEFAULTS.hypercorn),
    port: fromFlag(words, ['-b', '--bind'], portOf),
  };
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
  if (image === null || !imageTag(image).includes('fpm')) return [];
  return imageName(image) === 'php' || isOfficialImage(image) ? [PHP_FPM_IMAGE_PORT] : [];
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

/**
 * PHP-FPM from the official `php:*-fpm` image (`php:8.3-fpm`, `php:8.2-fpm-alpine`, `php:fpm`) run as the image runs
 * it: no build of its own, no configuration mounted over the image's, and no command but `php-fpm` (a script could
 * rewrite `listen`, as some do with sed). PHP-FPM has no HTTP keep-alive of its own: nginx keeps FastCGI connections
 * only with `fastcgi_keep_conn on`, so no idle timeout is inferred.
 */
function phpFpm(spec: ProcessSpec, words: readonly string[]): InferredServer | null {
  if (imageName(spec.image) !== 'php' || !imageTag(spec.image).includes('fpm') || spec.builds) return null;
  if ((spec.mountTargets ?? []).some((target) => PHP_FPM_CONFIG.test(target))) return null;
  const program = words[0]?.split('/').pop();
  if (words.length > 0 && program !== 'php-fpm' && program !== 'docker-php-entrypoint') return null;
  if (program === 'docker-php-entrypoint' && words.length > 1 && words[1]!.split('/').pop() !== 'php-fpm') return null;
  return {
    server: 'PHP-FPM',
    keepAliveTimeout: null,
    port: { value: PHP_FPM_IMAGE_PORT, evidence: `PHP-FPM's listen = ${PHP_FPM_IMAGE_PORT} in the php:*-fpm image`, basis: 'default' },
  };
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
  if (runs('gunicorn')) return gunicorn(after('gunicorn'), spec.environment);
  if (runs('uvicorn')) return uvicorn(after('uvicorn'), spec.environment);
  if (runs('hypercorn')) return hypercorn(after('hypercorn'));
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
  return anubis(spec, words) ?? phpFpm(spec, words);
}
