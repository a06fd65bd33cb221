/**
 * proxy-pass-localhost against real nginx, with a hosts file that maps localhost to ::1 and 127.0.0.1 as Debian's,
 * RHEL's, Alpine's and Docker's do (lab scenario 4). nginx runs in a private mount namespace with that file bound over
 * /etc/hosts; where the machine does not allow one (no CAP_SYS_ADMIN), the test says so and cannot run — it does not
 * pretend.
 *
 * It also measures why the rewrite to 127.0.0.1 is an unsafe fix: for a backend on ::1 only it turns a few 502s into a
 * 502 for every request, so `--fix` leaves it alone and only `--fix-unsafe` applies it.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  canUseOwnHosts,
  countStatuses,
  findNginx,
  fixWithLinter,
  REALITY_TEST_TIMEOUT_MS,
  safeFixChanges,
  sendRequests,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-pass-localhost';
const HOSTS = '127.0.0.1 localhost\n::1 localhost\n';
const REQUESTS = 40;
/** Retries off: the lab's case where the refused address reaches clients as 502. */
const localhostConfig = (backendPort: number) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location / { proxy_pass http://localhost:${backendPort}; proxy_next_upstream off; } }`;

const ownHosts = findNginx() !== null && canUseOwnHosts();
if (findNginx() !== null && !ownHosts) {
  console.log(
    'proxy-pass-localhost reality test: this machine allows no private mount namespace (unshare --mount), so nginx cannot get its own /etc/hosts; not run',
  );
}

describe.skipIf(!ownHosts)(`${RULE} against real nginx, localhost = ::1 and 127.0.0.1`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('backend on 127.0.0.1 only: some 502s; the rewrite to 127.0.0.1 (--fix-unsafe) leaves none', async () => {
    const backend = track(await startBackend({ host: '127.0.0.1' }));
    const nginx = track(await startNginx(localhostConfig(backend.port), { hosts: HOSTS }));
    writeLinterConfig(nginx.confPath, RULE, {});
    const bad = countStatuses(await sendRequests(nginx.port, { count: REQUESTS, concurrency: 1 }));
    expect(bad['502'] ?? 0, nginx.errorLog()).toBeGreaterThan(0);
    expect(nginx.errorLog()).toMatch(/connect\(\) failed \(111: Connection refused\) while connecting to upstream, .*upstream: "http:\/\/\[::1\]/);

    // Unsafe: plain --fix must not touch it.
    expect(safeFixChanges(nginx.confPath)).toBe(false);
    fixWithLinter(nginx.confPath, RULE, { unsafe: true });
    await nginx.restart();
    expect(countStatuses(await sendRequests(nginx.port, { count: REQUESTS, concurrency: 1 }))).toEqual({ '200': REQUESTS });
  });

  it('backend on ::1 only: the same rewrite makes every request 502, which is why it is unsafe; the [::1] suggestion leaves none', async () => {
    const backend = track(await startBackend({ host: '::1' }));
    const nginx = track(await startNginx(localhostConfig(backend.port), { hosts: HOSTS }));
    writeLinterConfig(nginx.confPath, RULE, {});
    const bad = countStatuses(await sendRequests(nginx.port, { count: REQUESTS, concurrency: 1 }));
    expect(bad['502'] ?? 0, nginx.errorLog()).toBeGreaterThan(0);
    expect(bad['502'] ?? 0).toBeLessThan(REQUESTS);

    const original = readFileSync(nginx.confPath, 'utf8');
    fixWithLinter(nginx.confPath, RULE, { unsafe: true });
    await nginx.restart();
    expect(countStatuses(await sendRequests(nginx.port, { count: REQUESTS, concurrency: 1 }))).toEqual({ '502': REQUESTS });

    // The suggestion, as an editor would apply it.
    writeFileSync(nginx.confPath, original.replace('http://localhost:', 'http://[::1]:'));
    await nginx.restart();
    expect(countStatuses(await sendRequests(nginx.port, { count: REQUESTS, concurrency: 1 }))).toEqual({ '200': REQUESTS });
  });
});
