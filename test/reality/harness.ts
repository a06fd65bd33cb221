/**
 * Runs real nginx for the reality suite: each test writes a bad config, measures what nginx does with it, lets
 * `nginx-lint --fix` rewrite the file, and measures again. See docs/reality-suite.md.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, expect } from 'vitest';
import type { LintResult } from '../../src/lint/results.js';

const repoRoot = path.resolve(import.meta.dirname, '../..');

// ---------------------------------------------------------------------------------------------------------------
// Locating nginx

let nginxBinary: string | null | undefined;

/**
 * The nginx binary: the one on PATH, else Debian's /usr/sbin/nginx (root's PATH has sbin, a user's often not).
 * Without nginx the suite is skipped with one line saying why, except in CI, where a missing nginx must fail
 * the run instead of turning the whole suite silently green.
 */
export function findNginx(): string | null {
  if (nginxBinary !== undefined) return nginxBinary;
  const onPath = spawnSync('sh', ['-c', 'command -v nginx'], { encoding: 'utf8' }).stdout.trim();
  nginxBinary = onPath || (existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : null);
  if (nginxBinary === null) {
    const why = 'nginx is not installed (not on PATH, no /usr/sbin/nginx)';
    if (process.env.CI === 'true') {
      throw new Error(`reality suite: ${why}; CI must install it (apt-get install -y nginx)`);
    }
    console.log(`reality suite skipped: ${why}; install it with: apt-get install -y nginx`);
  }
  return nginxBinary;
}

/**
 * A backend program the reality suite runs for real (uWSGI, PHP-FPM): the first of `names` on PATH or in /usr/sbin.
 * Without it the test is skipped with one line saying how to install it, except in CI, which must install it
 * (.ci/run does), where its absence fails the run.
 */
export function findProgram(names: readonly string[], debianPackages: string): string | null {
  for (const name of names) {
    const onPath = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).stdout.trim();
    if (onPath) return onPath;
    if (existsSync(`/usr/sbin/${name}`)) return `/usr/sbin/${name}`;
  }
  const why = `${names.join(' or ')} is not installed`;
  if (process.env.CI === 'true') throw new Error(`reality suite: ${why}; CI must install it (apt-get install -y ${debianPackages})`);
  console.log(`reality test skipped: ${why}; install it with: apt-get install -y ${debianPackages}`);
  return null;
}

function requireNginx(): string {
  const binary = findNginx();
  if (binary === null) throw new Error('nginx is not installed');
  return binary;
}

/**
 * Per test: each one starts nginx twice, a backend, three linter processes and hundreds of requests. That takes
 * 2–15 s on an idle 2-core machine and has taken 31 s on a heavily loaded one, beyond vitest's default of 30 s.
 */
export const REALITY_TEST_TIMEOUT_MS = 90_000;

// ---------------------------------------------------------------------------------------------------------------
// Cleanup

interface Stoppable {
  stop(): Promise<void>;
}

/**
 * Call inside a describe: returns `track`, and stops everything passed to `track` after each test, pass or fail,
 * in reverse order of start (nginx before the backend it proxies to).
 */
export function stopAfterEach(): <T extends Stoppable>(resource: T) => T {
  const started: Stoppable[] = [];
  afterEach(async () => {
    const failures: unknown[] = [];
    for (const resource of started.splice(0).reverse()) {
      try {
        await resource.stop();
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) throw new AggregateError(failures, 'stopping what the test started failed');
  });
  return (resource) => {
    started.push(resource);
    return resource;
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Ports

/** A loopback port that was free a moment ago: the OS picks it, and we release it for nginx to bind. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A port where nothing listens and no other test will: below the kernel's ephemeral range (32768–60999 on Linux), out
 * of which `freePort` and every `listen(0)` of the tests running beside this one take theirs. A port from `freePort`
 * can be taken by such a server before nginx connects to it (seen once in CI: 20 × 502, none "refused").
 */
export async function refusedPort(): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!(await accepts(port))) return port;
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * Starts a backend program in the foreground, in its own process group, and waits until it accepts connections on
 * 127.0.0.1:`port`. Stopping it ends the whole group (SIGTERM, then SIGKILL after 5 s): uWSGI and PHP-FPM fork workers.
 */
export async function startProgram(command: string, args: readonly string[], port: number, cwd: string): Promise<Stoppable & { output(): string }> {
  let output = '';
  const child = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      process.kill(-child.pid!, 'SIGTERM');
      if (!(await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]))) process.kill(-child.pid!, 'SIGKILL');
      await exited;
    }
    running.delete(child);
  };
  const deadline = Date.now() + 10_000;
  while (!(await accepts(port))) {
    if (child.exitCode !== null || child.signalCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${command} did not start on port ${port}:\n${output}`);
    }
    await sleep(20);
  }
  return { stop, output: () => output };
}

// ---------------------------------------------------------------------------------------------------------------
// nginx instances

export interface Nginx {
  /** The port nginx listens on at 127.0.0.1; the config body must use it in its `listen`. */
  readonly port: number;
  /** The config, in a temporary prefix directory that also holds the logs, pid file and temp paths. */
  readonly confPath: string;
  /** The error log (level warn unless NginxOptions.errorLogLevel says otherwise) of the current run. */
  errorLog(): string;
  /**
   * The access log of the current run, once it has at least `expected` entries or after 2 s. nginx writes an
   * entry when it closes the request, which can be just after the client has the response.
   */
  accessLog(expected: number): Promise<AccessEntry[]>;
  /** Starts nginx from the config on disk; rejects with nginx's own output if it does not come up. */
  start(): Promise<void>;
  /** Stops nginx and starts it again from the config on disk, so a fix is measured with fresh worker state. */
  restart(): Promise<void>;
  /** Stops nginx if it runs and deletes the prefix. Safe to call more than once. */
  stop(): Promise<void>;
}

export interface AccessEntry {
  readonly status: number;
  /** One status per upstream attempt, e.g. `502, 200` for a request nginx retried. */
  readonly upstreamStatus: string;
  readonly upstreamAddr: string;
  readonly method: string;
  readonly uri: string;
}

const ACCESS_LOG_FORMAT = `'$status "$upstream_status" "$upstream_addr" $request_method $request_uri'`;

function parseAccessLine(line: string): AccessEntry {
  const match = /^(\d+) "([^"]*)" "([^"]*)" (\S+) (\S+)$/.exec(line);
  if (!match) throw new Error(`unexpected access log line: ${line}`);
  // None of the five groups is optional, so a match has all five.
  const fields = match.slice(1) as [string, string, string, string, string];
  const [status, upstreamStatus, upstreamAddr, method, uri] = fields;
  return { status: Number(status), upstreamStatus, upstreamAddr, method, uri };
}

/** nginx processes still running, killed when the test process exits however it exits (a crash, Ctrl-C). */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // Already gone: its exit event just had not been delivered yet.
    }
  }
});

function fullConfig(port: number, httpBody: (listenPort: number) => string, options: NginxOptions): string {
  // Relative paths resolve against the prefix (-p), so nothing is written outside it.
  return `worker_processes 1;
${options.mainContext ?? ''}pid logs/nginx.pid;
error_log logs/error.log ${options.errorLogLevel ?? 'warn'};
events { worker_connections ${options.workerConnections ?? 1024}; }
http {
    log_format reality ${ACCESS_LOG_FORMAT};
    access_log logs/access.log reality;
    client_body_temp_path tmp/body; proxy_temp_path tmp/proxy;
    fastcgi_temp_path tmp/fastcgi; uwsgi_temp_path tmp/uwsgi; scgi_temp_path tmp/scgi;
${httpBody(port)}
}
`;
}

/**
 * Writes a complete nginx.conf into a fresh temporary prefix, around `httpBody` (the inside of `http {}`,
 * given the free port to listen on), without starting nginx.
 */
export interface NginxOptions {
  /**
   * An /etc/hosts for nginx to resolve names with: it runs in a private mount namespace (`unshare --mount`) with this
   * file bound over /etc/hosts, so the machine's own file is never touched. Needs CAP_SYS_ADMIN: see canUseOwnHosts.
   */
  readonly hosts?: string;
  /** The error log's level: `warn` by default; `info` shows what nginx logs only there (a timed-out websocket). */
  readonly errorLogLevel?: 'warn' | 'info';
  /** Main-context statements, one or more lines each ending in a newline, written before `pid`. */
  readonly mainContext?: string;
  /** `worker_connections` of the events block; 1024 unless given. */
  readonly workerConnections?: number;
}

/** Whether nginx can be given its own /etc/hosts here (a private mount namespace); a CI sandbox may not allow it. */
export function canUseOwnHosts(): boolean {
  return spawnSync('unshare', ['--mount', 'sh', '-c', 'mount --bind /etc/hosts /etc/hosts'], { stdio: 'ignore' }).status === 0;
}

export async function createNginx(httpBody: (listenPort: number) => string, options: NginxOptions = {}): Promise<Nginx> {
  const binary = requireNginx();
  const port = await freePort();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-reality-'));
  // Run as root, the master starts its workers as `nobody`, and they must be able to reach the temp paths.
  chmodSync(dir, 0o755);
  mkdirSync(path.join(dir, 'logs'));
  mkdirSync(path.join(dir, 'tmp'));
  const confPath = path.join(dir, 'nginx.conf');
  const errorLogPath = path.join(dir, 'logs', 'error.log');
  const accessLogPath = path.join(dir, 'logs', 'access.log');
  writeFileSync(confPath, fullConfig(port, httpBody, options));

  let child: ChildProcess | null = null;
  const readLog = (file: string): string => (existsSync(file) ? readFileSync(file, 'utf8') : '');

  const halt = async (): Promise<void> => {
    const current = child;
    child = null;
    if (current === null || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    // SIGTERM is nginx's fast shutdown: the master stops its workers and exits.
    current.kill('SIGTERM');
    const inTime = await Promise.race([exited.then(() => true), sleep(5_000).then(() => false)]);
    // The master is the leader of its own process group, so this also reaches workers it failed to stop.
    if (!inTime) process.kill(-current.pid!, 'SIGKILL');
    await exited;
    running.delete(current);
  };

  const start = async (): Promise<void> => {
    if (child !== null) throw new Error('nginx is already running');
    // Each run gets its own logs, so "the error is gone after the fix" reads only what the fixed config did.
    writeFileSync(errorLogPath, '');
    writeFileSync(accessLogPath, '');
    let output = '';
    // `daemon off` keeps the master our child, so we can stop it by its pid; it is not written into the file,
    // which stays a config that could be deployed as it is. detached gives it its own process group.
    const nginxArgs = ['-p', dir, '-c', confPath, '-e', errorLogPath, '-g', 'daemon off;'];
    let command = binary;
    let args = nginxArgs;
    if (options.hosts !== undefined) {
      const hostsPath = path.join(dir, 'hosts');
      writeFileSync(hostsPath, options.hosts);
      // `exec` keeps the pid: the master stays the process this harness stops.
      command = 'unshare';
      args = ['--mount', 'sh', '-c', 'mount --bind "$0" /etc/hosts && exec "$@"', hostsPath, binary, ...nginxArgs];
    }
    const started = spawn(command, args, {
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = started;
    running.add(started);
    started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.once('exit', () => running.delete(started));

    const deadline = Date.now() + 10_000;
    while (!(await accepts(port))) {
      if (started.exitCode !== null || started.signalCode !== null || Date.now() > deadline) {
        await halt();
        throw new Error(`nginx did not start on port ${port}:\n${output}${readLog(errorLogPath)}`);
      }
      await sleep(20);
    }
  };

  return {
    port,
    confPath,
    errorLog: () => readLog(errorLogPath),
    accessLog: async (expected) => {
      const deadline = Date.now() + 2_000;
      let lines = readLog(accessLogPath).split('\n').filter(Boolean);
      while (lines.length < expected && Date.now() < deadline) {
        await sleep(20);
        lines = readLog(accessLogPath).split('\n').filter(Boolean);
      }
      return lines.map(parseAccessLine);
    },
    start,
    restart: async () => {
      await halt();
      await start();
    },
    stop: async () => {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Writes the config (see createNginx) and starts nginx on it. */
export async function startNginx(httpBody: (listenPort: number) => string, options: NginxOptions = {}): Promise<Nginx> {
  const nginx = await createNginx(httpBody, options);
  try {
    await nginx.start();
  } catch (error) {
    await nginx.stop();
    throw error;
  }
  return nginx;
}

/** `nginx -t` on a config; its prefix is the config's directory, as for the instances above. */
export function nginxTest(confPath: string): { ok: boolean; output: string } {
  const result = spawnSync(requireNginx(), ['-t', '-p', path.dirname(confPath), '-c', confPath, '-e', 'stderr'], {
    encoding: 'utf8',
  });
  return { ok: result.status === 0, output: result.stdout + result.stderr };
}

// ---------------------------------------------------------------------------------------------------------------
// The linter's config: the rule under test and the application facts it compares nginx with

export interface ServiceFacts {
  readonly hosts: readonly string[];
  readonly port: number;
  readonly p99?: string;
  readonly keepAliveTimeout?: string;
  readonly maxResponseHeaderSize?: string;
  readonly restartInterval?: string;
}

/**
 * Writes `.nginx-lint.json` beside the config. It enables only the rules under test (`extends: []` drops the
 * recommended preset a config otherwise builds on), so `--fix` changes only what that rule fixes and the
 * measurement after the fix is about that rule alone.
 */
export function writeLinterConfig(confPath: string, ruleIds: string | readonly string[], services: Record<string, ServiceFacts>): void {
  const rules = Object.fromEntries(([] as string[]).concat(ruleIds).map((ruleId) => [ruleId, 'error']));
  const config = { extends: [], rules, services };
  writeFileSync(path.join(path.dirname(confPath), '.nginx-lint.json'), `${JSON.stringify(config, null, 2)}\n`);
}

// ---------------------------------------------------------------------------------------------------------------
// The linter

function runLinter(args: readonly string[]): string {
  const cli = path.join(repoRoot, 'dist', 'src', 'nginx-lint.cjs');
  if (!existsSync(cli)) throw new Error(`nginx-lint is not built (${cli} is missing): run npm run build`);
  // The findings are about the nginx that runs here, which is the one measured: say so, as a user would.
  const result = spawnSync(process.execPath, [path.join(repoRoot, 'bin', 'nginx-lint.cjs'), '--nginx-version', 'host', ...args], {
    encoding: 'utf8',
  });
  // 0 = clean, 1 = problems found; anything else means the linter itself failed.
  if (result.status !== 0 && result.status !== 1) {
    throw new Error(`nginx-lint ${args.join(' ')} exited ${result.status}:\n${result.stdout}${result.stderr}`);
  }
  return result.stdout;
}

/** Runs `nginx-lint --fix` (safe fixes only) and returns whether the file changed. */
export function safeFixChanges(confPath: string): boolean {
  const before = readFileSync(confPath, 'utf8');
  runLinter(['--fix', confPath]);
  return readFileSync(confPath, 'utf8') !== before;
}

/** The rule ids nginx-lint reports for a config (`--format json`). */
/** The rule ids `nginx-lint --format json` reports for a config. */
export function reportedRuleIds(confPath: string): string[] {
  const results = JSON.parse(runLinter(['--format', 'json', confPath])) as LintResult[];
  return results.flatMap((result) => result.messages.map((message) => message.ruleId ?? '(no rule)'));
}

/**
 * The linter half of every reality test: nginx-lint must report `ruleId` on the bad config, `--fix` must change
 * the file, and the fixed file must no longer be reported. The caller then measures the fixed file with nginx.
 */
export function fixWithLinter(confPath: string, ruleId: string, options: { unsafe?: boolean } = {}): void {
  expect(reportedRuleIds(confPath)).toContain(ruleId);
  const before = readFileSync(confPath, 'utf8');
  runLinter(['--fix', ...(options.unsafe ? ['--fix-unsafe'] : []), confPath]);
  expect(readFileSync(confPath, 'utf8'), `nginx-lint --fix did not change ${confPath}`).not.toBe(before);
  expect(reportedRuleIds(confPath)).not.toContain(ruleId);
}

// ---------------------------------------------------------------------------------------------------------------
// Clients

export interface Outcome {
  /** The HTTP status, or null when no response arrived (refused, reset, timed out). */
  readonly status: number | null;
  /** Why no response arrived. */
  readonly error?: string;
}

export interface RequestOptions {
  readonly method?: string;
  readonly path?: string;
  readonly body?: string;
  /** Per request, from sending to the end of the response body. */
  readonly timeoutMs?: number;
}

/** No keep-alive towards nginx, so every client request is independent of the ones before it. */
const freshConnections = new http.Agent({ keepAlive: false });

/** One request to nginx on 127.0.0.1; never rejects, a failure is an Outcome with status null. */
export function request(port: number, options: RequestOptions = {}): Promise<Outcome> {
  const { method = 'GET', path: requestPath = '/', body, timeoutMs = 10_000 } = options;
  return new Promise((resolve) => {
    const outgoing = http.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path: requestPath,
        agent: freshConnections,
        // Responses with big Set-Cookie headers exceed Node's default 16 KiB header limit for clients.
        maxHeaderSize: 64 * 1024,
        headers: body === undefined ? {} : { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? null }));
        response.on('error', (error) => resolve({ status: null, error: error.message }));
      },
    );
    outgoing.setTimeout(timeoutMs, () => outgoing.destroy(new Error(`no response within ${timeoutMs} ms`)));
    outgoing.on('error', (error) => resolve({ status: null, error: error.message }));
    outgoing.end(body);
  });
}

export interface LoadOptions extends RequestOptions {
  readonly count: number;
  /** Requests in flight at once. */
  readonly concurrency?: number;
  /** No request is started after this much time, so a misbehaving nginx cannot stretch the run. */
  readonly budgetMs?: number;
}

/** Sends `count` requests, `concurrency` at a time, and returns their outcomes in completion order. */
export async function sendRequests(port: number, options: LoadOptions): Promise<Outcome[]> {
  const { count, concurrency = 1, budgetMs = 60_000, ...requestOptions } = options;
  const stopAt = Date.now() + budgetMs;
  const outcomes: Outcome[] = [];
  let started = 0;
  const lane = async (): Promise<void> => {
    while (started < count && Date.now() < stopAt) {
      started++;
      outcomes.push(await request(port, requestOptions));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return outcomes;
}

/**
 * `each` GETs, then `each` POSTs with a small body: the lab measured both, because nginx retries a failed
 * request on another connection or server only while it may (GET always; POST only before it was sent).
 */
export async function sendGetsAndPosts(port: number, each: number, options: Omit<LoadOptions, 'count'> = {}): Promise<Outcome[]> {
  return [
    ...(await sendRequests(port, { ...options, count: each, method: 'GET' })),
    ...(await sendRequests(port, { ...options, count: each, method: 'POST', body: 'order=1' })),
  ];
}

/** Outcomes counted by status, e.g. `{ '502': 20 }`; requests without a response count as `none (<error>)`. */
export function countStatuses(outcomes: readonly Outcome[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const { status, error } of outcomes) {
    const key = status === null ? `none (${error})` : String(status);
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/** Size in bytes of a backend's response header block (status line to the blank line), read off the wire. */
export function responseHeaderBytes(port: number, requestPath = '/'): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let received = Buffer.alloc(0);
    socket.setTimeout(5_000, () => socket.destroy(new Error('no response header within 5 s')));
    socket.on('connect', () => {
      socket.write(`GET ${requestPath} HTTP/1.1\r\nHost: backend\r\nConnection: close\r\n\r\n`);
    });
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      const end = received.indexOf('\r\n\r\n');
      if (end !== -1) {
        socket.destroy();
        resolve(end + 4);
      }
    });
    socket.on('error', reject);
    socket.on('close', () => reject(new Error('connection closed before the end of the response header')));
  });
}

/** The lines of a log that contain `pattern` (a literal fragment, or a regular expression). */
export function linesMatching(log: string, pattern: string | RegExp): string[] {
  return log.split('\n').filter((line) => (typeof pattern === 'string' ? line.includes(pattern) : pattern.test(line)));
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
