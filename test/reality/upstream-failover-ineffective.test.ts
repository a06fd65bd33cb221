import { describe, expect, it } from 'vitest';
import { type Backend, startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  fixWithLinter,
  freePort,
  linesMatching,
  type Nginx,
  type Outcome,
  REALITY_TEST_TIMEOUT_MS,
  request,
  sendGetsAndPosts,
  sendRequests,
  sleep,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'upstream-failover-ineffective';
const NO_LIVE = 'no live upstreams while connecting to upstream';

/** One request every `everyMs` for `durationMs`, each on its own connection, however long the others take. */
async function pacedRequests(port: number, everyMs: number, durationMs: number): Promise<Outcome[]> {
  const pending: Promise<Outcome>[] = [];
  for (let elapsed = 0; elapsed < durationMs; elapsed += everyMs) {
    pending.push(request(port));
    await sleep(everyMs);
  }
  return Promise.all(pending);
}

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('one live server beside a down one: after a 1 s outage, 502 "no live upstreams" while the app is back; after --fix, 200', async () => {
    const port = await freePort();
    let backend: Backend = await startBackend({ port });
    // The backend is replaced during the test: stop whichever instance is current.
    track({ stop: () => backend.stop() });
    const nginx = track(
      await startNginx(
        (listen) => `    upstream app { server 127.0.0.1:${port} max_fails=1 fail_timeout=30s; server 127.0.0.2:${port} down; }
    server { listen 127.0.0.1:${listen}; location / { proxy_pass http://app; } }`,
      ),
    );
    writeLinterConfig(nginx.confPath, RULE, {});

    /** 5 requests with the app up, one while it is down, then 10 once it is back. */
    const outage = async (): Promise<{ before: Outcome[]; after: Outcome[] }> => {
      const before = await sendRequests(nginx.port, { count: 5 });
      await backend.stop();
      await request(nginx.port);
      backend = await startBackend({ port });
      return { before, after: await sendRequests(nginx.port, { count: 10 }) };
    };

    const bad = await outage();
    expect(countStatuses(bad.before)).toEqual({ '200': 5 });
    // nginx marked its only usable server down for fail_timeout (30s): the app answers, nginx does not ask it.
    expect(countStatuses(bad.after), nginx.errorLog()).toEqual({ '502': 10 });
    expect(linesMatching(nginx.errorLog(), NO_LIVE)).toHaveLength(10);

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    const fixed = await outage();
    expect(countStatuses([...fixed.before, ...fixed.after]), nginx.errorLog()).toEqual({ '200': 15 });
    expect(linesMatching(nginx.errorLog(), NO_LIVE)).toEqual([]);
  });

  it('fail_timeout longer than the restart interval: a rolling restart gives 502 "no live upstreams"; after --fix-unsafe, none', async () => {
    const ports = [await freePort(), await freePort()] as const;
    const backends: Backend[] = [await startBackend({ port: ports[0] }), await startBackend({ port: ports[1] })];
    track({ stop: async () => void (await Promise.all(backends.map((backend) => backend.stop()))) });
    const nginx: Nginx = track(
      await startNginx(
        (listen) => `    upstream app { server 127.0.0.1:${ports[0]}; server 127.0.0.1:${ports[1]}; }
    server { listen 127.0.0.1:${listen}; location / { proxy_pass http://app; } }`,
      ),
    );
    writeLinterConfig(nginx.confPath, RULE, { app: { hosts: ['127.0.0.1'], port: ports[0], restartInterval: '2s' } });

    /** Each instance down for 300 ms, 2 s apart, while a request goes out every 50 ms for 4.5 s. */
    const rollingRestart = async (): Promise<Outcome[]> => {
      const load = pacedRequests(nginx.port, 50, 4_500);
      const paced = (async () => {
        for (const [index, port] of ports.entries()) {
          await sleep(index === 0 ? 300 : 1_700);
          await backends[index]!.stop();
          await sleep(300);
          backends[index] = await startBackend({ port });
        }
      })();
      const [outcomes] = await Promise.all([load, paced]);
      return outcomes;
    };

    const bad = await rollingRestart();
    // The first instance is still marked down (fail_timeout 10s) when the second one restarts.
    expect(countStatuses(bad)['502'] ?? 0, nginx.errorLog()).toBeGreaterThan(0);
    expect(linesMatching(nginx.errorLog(), NO_LIVE).length).toBeGreaterThan(0);

    fixWithLinter(nginx.confPath, RULE, { unsafe: true });
    await nginx.restart();
    const fixed = await rollingRestart();
    expect(countStatuses(fixed)['502'] ?? 0, nginx.errorLog()).toBe(0);
    expect(linesMatching(nginx.errorLog(), NO_LIVE)).toEqual([]);
  });

  it('proxy_next_upstream_tries 1 with one instance of two down: 502 for its requests; after --fix, all 200', async () => {
    const backend = track(await startBackend());
    const nginx = track(
      await startNginx(
        // max_fails=0 keeps the dead instance in the rotation, so every second request meets it (lab scenario 11).
        (listen) => `    upstream app { server 127.0.0.1:${backend.port}; server 127.0.0.2:${backend.port} max_fails=0; }
    server { listen 127.0.0.1:${listen}; location / { proxy_pass http://app; proxy_next_upstream_tries 1; } }`,
      ),
    );
    writeLinterConfig(nginx.confPath, RULE, {});

    const bad = await sendGetsAndPosts(nginx.port, 20);
    expect(countStatuses(bad), nginx.errorLog()).toEqual({ '200': 20, '502': 20 });

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    const fixed = await sendGetsAndPosts(nginx.port, 20);
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 40 });
  });
});
