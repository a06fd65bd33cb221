import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  fixWithLinter,
  linesMatching,
  request,
  sendRequests,
  sleep,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
  type Nginx,
  type Outcome,
} from './harness.js';

const RULE = 'upstream-keepalive-timeout-race';
/** nginx's two ways of reporting a pooled connection the backend closed under it. */
const RACE_SIGNATURE = new RegExp(
  [
    String.raw`recv\(\) failed \(104: Connection reset by peer\) while reading response header from upstream`,
    'upstream prematurely closed connection while reading response header from upstream',
  ].join('|'),
);
const BACKEND_KEEP_ALIVE_MS = 1_000;
/** Node 20.20 closes an idle connection this much later than keepAliveTimeout (HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER). */
const NODE_CLOSE_DELAY_MS = 1_000;
const BACKEND_CLOSES_AT_MS = BACKEND_KEEP_ALIVE_MS + NODE_CLOSE_DELAY_MS;
const TRIALS = 3;

/** Lab scenario 1: keep-alive set up correctly, but nginx keeps idle connections 60s (the default), Node 2s. */
const badConfig = (backendPort: number) => (port: number) =>
  `    upstream app { server 127.0.0.1:${backendPort}; keepalive 16; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }`;

/** The stall starts this long before Node's close deadline, so Node is sure to read it while the socket lives. */
const STALL_BEFORE_CLOSE_MS = 300;
/** Long enough to end well after the deadline. */
const STALL_MS = 600;
/** The test request is sent this long before the deadline, while the backend is already stalled. */
const REQUEST_BEFORE_CLOSE_MS = 200;

/**
 * Makes the race between nginx reusing an idle connection and Node closing it certain instead of rare.
 *
 * Three concurrent requests that each hold the backend busy leave three idle pooled connections, all due to be
 * closed by Node ~2000 ms later. Shortly before that, a request on one of them stalls the backend's event loop
 * across the deadline, and the test request is written onto another pooled connection, where it stays unread.
 * When the loop resumes, Node runs its expired keep-alive timers before reading sockets, so it closes that
 * connection with the request unread; the kernel answers with an RST, and nginx fails the request.
 * The lab hit the same window with 60 ms and 90 ms margins; these are wider so that CPU contention from other
 * test files cannot move a step to the wrong side of the deadline.
 */
async function raceRequest(nginx: Nginx, method: 'GET' | 'POST'): Promise<Outcome> {
  await sendRequests(nginx.port, { count: 3, concurrency: 3, path: '/cpu?ms=10' });
  const closeDeadline = Date.now() + BACKEND_CLOSES_AT_MS;
  await sleep(closeDeadline - STALL_BEFORE_CLOSE_MS - Date.now());
  const stall = request(nginx.port, { path: `/cpu?ms=${STALL_MS}` });
  await sleep(closeDeadline - REQUEST_BEFORE_CLOSE_MS - Date.now());
  const outcome = await request(nginx.port, method === 'POST' ? { method, body: 'order=1' } : { method });
  expect((await stall).status).toBe(200);
  return outcome;
}

async function raceTrials(nginx: Nginx, method: 'GET' | 'POST'): Promise<Array<number | null>> {
  const statuses: Array<number | null> = [];
  for (let trial = 0; trial < TRIALS; trial++) statuses.push((await raceRequest(nginx, method)).status);
  return statuses;
}

/** Requests per trial: three to warm the pool, the stall, and the test request. */
const REQUESTS_PER_TRIAL = 5;

/** `$upstream_status` of each test request (the ones to `/`): one status per attempt nginx made. */
async function upstreamAttempts(nginx: Nginx): Promise<string[]> {
  const entries = await nginx.accessLog(TRIALS * REQUESTS_PER_TRIAL);
  return entries.filter((entry) => entry.uri === '/').map((entry) => entry.upstreamStatus);
}

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('the bad config fails a POST that lands on a connection the backend is closing: 502; after nginx-lint --fix, 200', async () => {
    const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
    const nginx = track(await startNginx(badConfig(backend.port)));
    writeLinterConfig(nginx.confPath, RULE, {
      app: { hosts: ['127.0.0.1'], port: backend.port, keepAliveTimeout: '1s' },
    });

    expect(await raceTrials(nginx, 'POST'), nginx.errorLog()).toEqual(Array(TRIALS).fill(502));
    expect(await upstreamAttempts(nginx)).toEqual(Array(TRIALS).fill('502'));
    expect(linesMatching(nginx.errorLog(), RACE_SIGNATURE)).toHaveLength(TRIALS);

    fixWithLinter(nginx.confPath, RULE);
    await nginx.restart();
    expect(await raceTrials(nginx, 'POST'), nginx.errorLog()).toEqual(Array(TRIALS).fill(200));
    expect(await upstreamAttempts(nginx)).toEqual(Array(TRIALS).fill('200'));
    expect(linesMatching(nginx.errorLog(), RACE_SIGNATURE)).toEqual([]);
  });

  it('the bad config hides the same failure for a GET: nginx logs it and retries on a new connection', async () => {
    const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
    const nginx = track(await startNginx(badConfig(backend.port)));

    expect(await raceTrials(nginx, 'GET'), nginx.errorLog()).toEqual(Array(TRIALS).fill(200));
    expect(await upstreamAttempts(nginx)).toEqual(Array(TRIALS).fill('502, 200'));
    expect(linesMatching(nginx.errorLog(), RACE_SIGNATURE)).toHaveLength(TRIALS);
  });
});
