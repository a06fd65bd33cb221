import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  createNginx,
  findNginx,
  fixWithLinter,
  request,
  sendRequests,
  sleep,
  startNginx,
  stopAfterEach,
  writeServiceFacts,
  type Nginx,
  type Outcome,
} from './harness.js';

const RULE = 'upstream-keepalive-timeout-race';
/** nginx's two ways of reporting a pooled connection the backend closed under it. */
const RACE_SIGNATURE =
  /recv\(\) failed \(104: Connection reset by peer\) while reading response header from upstream|upstream prematurely closed connection while reading response header from upstream/;
const BACKEND_KEEP_ALIVE_MS = 1_000;
/** Node 20.20 closes an idle connection this long after keepAliveTimeout (its HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER). */
const NODE_CLOSE_DELAY_MS = 1_000;
const BACKEND_CLOSES_AT_MS = BACKEND_KEEP_ALIVE_MS + NODE_CLOSE_DELAY_MS;
const TRIALS = 3;

/** Lab scenario 1: keep-alive set up correctly, but nginx keeps idle connections 60s (the default), Node 2s. */
const badConfig = (backendPort: number) => (port: number) =>
  `    upstream app { server 127.0.0.1:${backendPort}; keepalive 16; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; } }`;

/**
 * Makes the race between nginx reusing an idle connection and Node closing it certain instead of rare.
 *
 * Three concurrent requests that each hold the backend busy leave three idle pooled connections, all due to be
 * closed by Node ~2000 ms later. 300 ms before that, a request on one of them stalls Node's event loop for
 * 600 ms. During the stall the close deadline passes and the test request is written onto another pooled
 * connection. When the loop resumes, Node runs its expired keep-alive timers before reading sockets, so it
 * closes that connection with the request unread; the kernel answers with an RST, and nginx fails the request.
 * The lab hit the same window with 60 ms margins; these margins are wider so CPU contention cannot move a step
 * to the wrong side of the deadline.
 */
async function raceRequest(nginx: Nginx, method: 'GET' | 'POST'): Promise<Outcome> {
  await sendRequests(nginx.port, { count: 3, concurrency: 3, path: '/cpu?ms=10' });
  const idleSince = Date.now();
  await sleep(BACKEND_CLOSES_AT_MS - 300 - (Date.now() - idleSince));
  const stall = request(nginx.port, { path: '/cpu?ms=600' });
  await sleep(BACKEND_CLOSES_AT_MS - 200 - (Date.now() - idleSince));
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

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: 60_000 }, () => {
  const track = stopAfterEach();

  it('the bad config fails a POST that lands on a connection the backend is closing: 502', async () => {
    const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
    const nginx = track(await startNginx(badConfig(backend.port)));

    const statuses = await raceTrials(nginx, 'POST');

    expect(statuses, nginx.errorLog()).toEqual(Array(TRIALS).fill(502));
    expect(await upstreamAttempts(nginx)).toEqual(Array(TRIALS).fill('502'));
    expect(nginx.errorLog().split('\n').filter((line) => RACE_SIGNATURE.test(line))).toHaveLength(TRIALS);
  });

  it('the bad config hides the same failure for a GET, which nginx retries on a new connection', async () => {
    const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
    const nginx = track(await startNginx(badConfig(backend.port)));

    const statuses = await raceTrials(nginx, 'GET');

    expect(statuses, nginx.errorLog()).toEqual(Array(TRIALS).fill(200));
    expect(await upstreamAttempts(nginx)).toEqual(Array(TRIALS).fill('502, 200'));
  });

  it('nginx-lint reports it, and after --fix the same POSTs get 200 with nothing logged', async () => {
    const backend = track(await startBackend({ keepAliveTimeoutMs: BACKEND_KEEP_ALIVE_MS }));
    const nginx = track(await createNginx(badConfig(backend.port)));
    writeServiceFacts(nginx.confPath, { app: { hosts: ['127.0.0.1'], port: backend.port, keepAliveTimeout: '1s' } });

    fixWithLinter(nginx.confPath, RULE);
    await nginx.start();
    const statuses = await raceTrials(nginx, 'POST');

    expect(statuses, nginx.errorLog()).toEqual(Array(TRIALS).fill(200));
    expect(await upstreamAttempts(nginx)).toEqual(Array(TRIALS).fill('200'));
    expect(nginx.errorLog()).not.toMatch(RACE_SIGNATURE);
  });
});
