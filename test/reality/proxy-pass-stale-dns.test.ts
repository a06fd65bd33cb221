/**
 * proxy-pass-stale-dns: nginx resolves a host name written in `proxy_pass` or an upstream `server` once, at start-up;
 * a `proxy_pass` with a variable looks it up again through the `resolver` once the answer is older than `valid=`.
 *
 * What it models: a service recreated with a new address, as Compose does with a container (`docker compose up`
 * after a change) or Kubernetes with the pods of a headless Service: the backend stops at 127.0.0.2 and starts again
 * on the same port at 127.0.0.3, and both the DNS server (a stub this test runs on 127.0.0.1) and the hosts file nginx
 * started with now say 127.0.0.3. What it does not model: Docker's embedded DNS or CoreDNS, their TTLs, and what a
 * real network does with the old address — here nothing listens there, so the connection is refused at once; on a
 * Docker network the old address usually times out or answers "no route to host" (a 504, or a 502 after seconds),
 * and it may already belong to another container, which then gets the requests.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import { startDnsServer } from './dns.js';
import {
  canUseOwnHosts,
  countStatuses,
  findNginx,
  freePort,
  linesMatching,
  REALITY_TEST_TIMEOUT_MS,
  sendRequests,
  sleep,
  startNginx,
  stopAfterEach,
} from './harness.js';

const OLD = '127.0.0.2';
const NEW = '127.0.0.3';
const hostsFile = (address: string) => `127.0.0.1 localhost\n${address} app.internal\n${NEW} hostsonly.internal\n`;

/** The names written as they are, and a variable naming the same host and port beside them. */
const staticConfig = (dnsPort: number, port: number) => (listenPort: number) =>
  `    upstream app_block { server app.internal:${port}; }
    server {
        listen 127.0.0.1:${listenPort};
        resolver 127.0.0.1:${dnsPort} valid=1s ipv6=off;
        location /static { proxy_pass http://app.internal:${port}; }
        location /upstream { proxy_pass http://app_block; }
        location /variable-beside-static { set $app http://app.internal:${port}; proxy_pass $app; }
    }`;

/** The fix for nginx before 1.27.3: every pass to the name holds a variable, and a resolver is in effect. */
const variableConfig = (dnsPort: number, port: number) => (listenPort: number) =>
  `    server {
        listen 127.0.0.1:${listenPort};
        resolver 127.0.0.1:${dnsPort} valid=1s ipv6=off;
        location /variable { set $app http://app.internal:${port}; proxy_pass $app; }
        location /extra-hosts { set $other http://hostsonly.internal:${port}; proxy_pass $other; }
    }`;

const ownHosts = findNginx() !== null && canUseOwnHosts();

describe.skipIf(!ownHosts)('proxy-pass-stale-dns against real nginx', { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('a name resolved at start-up keeps the old address after the service moves (so does a variable beside it); a variable alone with a resolver follows it', async () => {
    const dns = track(await startDnsServer());
    dns.set('app.internal', [OLD]);
    const port = await freePort();
    const before = track(await startBackend({ host: OLD, port }));
    const nginx = track(await startNginx(staticConfig(dns.port, port), { hosts: hostsFile(OLD) }));
    const fixed = track(await startNginx(variableConfig(dns.port, port), { hosts: hostsFile(OLD) }));
    for (const location of ['/static', '/upstream', '/variable-beside-static']) {
      expect(countStatuses(await sendRequests(nginx.port, { count: 5, path: location })), location).toEqual({ '200': 5 });
    }
    expect(countStatuses(await sendRequests(fixed.port, { count: 5, path: '/variable' }))).toEqual({ '200': 5 });

    // The service is recreated: same name and port, a new address, in DNS and in the hosts file alike.
    await before.stop();
    track(await startBackend({ host: NEW, port }));
    dns.set('app.internal', [NEW]);
    for (const instance of [nginx, fixed]) writeFileSync(path.join(path.dirname(instance.confPath), 'hosts'), hostsFile(NEW));
    // Past valid=1s, so the resolver's cached answer has expired.
    await sleep(1_500);

    const stale = (location: string) => `upstream: "http://${OLD}:${port}${location}"`;
    const refused = 'connect() failed (111: Connection refused) while connecting to upstream';
    // A variable naming the host and port of a pass without variables reuses that pass's start-up address.
    for (const location of ['/static', '/upstream', '/variable-beside-static']) {
      expect(countStatuses(await sendRequests(nginx.port, { count: 10, path: location })), location).toEqual({ '502': 10 });
      const lines = linesMatching(nginx.errorLog(), refused).filter((line) => line.includes(stale(location)));
      expect(lines, nginx.errorLog()).toHaveLength(10);
    }
    // The variable's name is looked up again once its cached answer has expired; on a loaded machine the first
    // request after the move may still see the old one, so wait (bounded) for the first 200 before counting.
    for (let attempt = 0; attempt < 10; attempt++) {
      if (countStatuses(await sendRequests(fixed.port, { count: 1, path: '/variable' }))['200'] === 1) break;
      await sleep(500);
    }
    expect(countStatuses(await sendRequests(fixed.port, { count: 10, path: '/variable' }))).toEqual({ '200': 10 });
    const variableEntries = await fixed.accessLog(15);
    expect(variableEntries.slice(-10).map((entry) => entry.upstreamAddr)).toEqual(Array(10).fill(`${NEW}:${port}`));
    expect(dns.queries().some((query) => query.name === 'app.internal' && query.type === 1)).toBe(true);

    // The cost of the variable: its lookups go to the resolver only, so a name only the hosts file knows (Compose
    // extra_hosts) is not found.
    expect(countStatuses(await sendRequests(fixed.port, { count: 3, path: '/extra-hosts' }))).toEqual({ '502': 3 });
    expect(linesMatching(fixed.errorLog(), 'hostsonly.internal could not be resolved (3: Host not found)')).toHaveLength(3);
  });
});
