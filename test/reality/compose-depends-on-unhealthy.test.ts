/**
 * compose-depends-on-unhealthy, modelled at the process level: Compose's `depends_on` without a health condition
 * starts nginx as soon as the app's container has started, so nginx is up while the app is still binding its port.
 * Here nginx starts first and the backend listens a moment later (the app's start-up); then, as with
 * `condition: service_healthy`, nginx starts only once the backend answers. What it models: the order of the two
 * processes and the gap; not Compose itself, container networking or a real health check.
 *
 * With no depends_on at all, nginx may start before the app's container, whose name Docker's DNS does not know yet.
 * Modelled with a name under `.invalid` (RFC 2606: it never resolves, whatever the machine's resolver or hosts file)
 * and, for the name nginx looks up per request, the suite's own DNS server, which learns the name when the test says.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import { startDnsServer } from './dns.js';
import {
  countStatuses,
  createNginx,
  findNginx,
  freePort,
  linesMatching,
  REALITY_TEST_TIMEOUT_MS,
  reportedRuleIds,
  sendRequests,
  sleep,
  startNginx,
  stopAfterEach,
  type Nginx,
} from './harness.js';

/** A Compose service name the machine cannot resolve, as the app's name is before its container has started. */
const NOT_YET = 'app.invalid';

/**
 * Starts nginx in the foreground on the config as written and waits for it to exit (10 s at most, then it is killed):
 * its exit status and what it printed. An nginx that starts does not exit, so its status is null then.
 */
function runUntilExit(nginx: Nginx): { status: number | null; output: string } {
  const prefix = path.dirname(nginx.confPath);
  const result = spawnSync(findNginx()!, ['-p', prefix, '-c', nginx.confPath, '-e', 'stderr', '-g', 'daemon off;'], {
    encoding: 'utf8',
    timeout: 10_000,
    killSignal: 'SIGKILL',
  });
  return { status: result.status, output: result.stdout + result.stderr };
}

/**
 * A Compose file beside the config, as a repository would have it: nginx and the app, with no depends_on. A `.git`
 * folder makes the prefix the repository root, so the linter reads no Compose file above it.
 */
function writeComposeWithoutDependsOn(nginx: Nginx): void {
  const prefix = path.dirname(nginx.confPath);
  mkdirSync(path.join(prefix, '.git'));
  writeFileSync(
    path.join(prefix, 'compose.yaml'),
    `services:\n  proxy:\n    image: nginx:1.22\n    volumes: ["./nginx.conf:/etc/nginx/nginx.conf:ro"]\n  ${NOT_YET}:\n    image: python:3.12\n    expose: ["8000"]\n`,
  );
}

const config = (backendPort: number) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://127.0.0.1:${backendPort}; } }`;

describe.skipIf(findNginx() === null)('compose-depends-on-unhealthy against real nginx', { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('nginx up before the app listens: 502 "connection refused" until it does; waiting for the app first: none', async () => {
    const backendPort = await freePort();
    const nginx = track(await startNginx(config(backendPort)));
    // The app's start-up: it binds its port only now.
    const during = await sendRequests(nginx.port, { count: 10, concurrency: 1 });
    expect(countStatuses(during), nginx.errorLog()).toEqual({ '502': 10 });
    expect(linesMatching(nginx.errorLog(), 'connect() failed (111: Connection refused) while connecting to upstream')).toHaveLength(10);
    track(await startBackend({ port: backendPort }));
    await sleep(100);
    expect(countStatuses(await sendRequests(nginx.port, { count: 10, concurrency: 1 }))).toEqual({ '200': 10 });

    // service_healthy: the app answers before nginx takes any request.
    const healthyFirstPort = await freePort();
    track(await startBackend({ port: healthyFirstPort }));
    const waited = track(await startNginx(config(healthyFirstPort)));
    expect(countStatuses(await sendRequests(waited.port, { count: 20, concurrency: 2 }))).toEqual({ '200': 20 });
  });

  it('a name written without variables that does not resolve yet: nginx exits at once with "host not found in upstream", a resolver in effect or not', async () => {
    const dns = track(await startDnsServer());
    const resolver = `    resolver 127.0.0.1:${dns.port} valid=1s ipv6=off;\n`;
    const configs = {
      proxy_pass: (port: number) => `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://${NOT_YET}:8000; } }`,
      'upstream server': (port: number) =>
        `    upstream app { server ${NOT_YET}:8000; }\n    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; } }`,
      'proxy_pass, resolver in effect': (port: number) =>
        `${resolver}    server { listen 127.0.0.1:${port}; location / { proxy_pass http://${NOT_YET}:8000; } }`,
    };
    const outcomes: Record<string, { status: number | null; emerg: string[] }> = {};
    for (const [name, body] of Object.entries(configs)) {
      const nginx = track(await createNginx(body));
      const { status, output } = runUntilExit(nginx);
      outcomes[name] = { status, emerg: linesMatching(output, /\[emerg\].*host not found in upstream/) };
    }
    expect(outcomes).toEqual({
      // nginx 1.22.1 names the host alone for a proxy_pass, host and port for an upstream server.
      proxy_pass: { status: 1, emerg: [expect.stringContaining(`host not found in upstream "${NOT_YET}"`)] },
      'upstream server': { status: 1, emerg: [expect.stringContaining(`host not found in upstream "${NOT_YET}:8000"`)] },
      'proxy_pass, resolver in effect': { status: 1, emerg: [expect.stringContaining(`host not found in upstream "${NOT_YET}"`)] },
    });
    // nginx asked the system resolver, never the configured one.
    expect(dns.queries()).toEqual([]);

    // nginx-lint reports this config with the Compose file beside it.
    const reported = track(await createNginx(configs.proxy_pass));
    writeComposeWithoutDependsOn(reported);
    expect(reportedRuleIds(reported.confPath)).toContain('compose-depends-on-unhealthy');
  });

  it('the name in a variable with a resolver: nginx starts, answers 502 while the name is unknown and while nothing listens, 200 once the app does', async () => {
    const dns = track(await startDnsServer());
    const backendPort = await freePort();
    const nginx = track(
      await startNginx(
        (port) =>
          `    resolver 127.0.0.1:${dns.port} valid=1s ipv6=off;\n    server { listen 127.0.0.1:${port}; location / { set $app ${NOT_YET}; proxy_pass http://$app:${backendPort}; } }`,
      ),
    );
    // The app's container has not started: Docker's DNS does not know its name.
    expect(countStatuses(await sendRequests(nginx.port, { count: 5 }))).toEqual({ '502': 5 });
    expect(linesMatching(nginx.errorLog(), `${NOT_YET} could not be resolved (3: Host not found)`).length).toBeGreaterThan(0);
    // Its container has started (the name resolves) but the app does not listen yet.
    dns.set(NOT_YET, ['127.0.0.1']);
    await sleep(1_200);
    expect(countStatuses(await sendRequests(nginx.port, { count: 5 }))).toEqual({ '502': 5 });
    expect(linesMatching(nginx.errorLog(), 'connect() failed (111: Connection refused) while connecting to upstream')).toHaveLength(5);
    track(await startBackend({ port: backendPort }));
    await sleep(100);
    expect(countStatuses(await sendRequests(nginx.port, { count: 10 }))).toEqual({ '200': 10 });

    // Not reported: this nginx does not fail at start.
    writeComposeWithoutDependsOn(nginx);
    expect(reportedRuleIds(nginx.confPath)).not.toContain('compose-depends-on-unhealthy');
  });
});
