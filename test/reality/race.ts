/**
 * The keep-alive race of lab scenario 1, made certain instead of rare: shared by the reality tests of every rule whose
 * finding or fix is about nginx reusing a connection the backend is closing.
 */
import { expect } from 'vitest';
import { linesMatching, request, sendRequests, sleep, type Nginx, type Outcome } from './harness.js';

/** nginx's two ways of reporting a pooled connection the backend closed under it. */
export const RACE_SIGNATURE = new RegExp(
  [
    String.raw`recv\(\) failed \(104: Connection reset by peer\) while reading response header from upstream`,
    'upstream prematurely closed connection while reading response header from upstream',
  ].join('|'),
);
export const BACKEND_KEEP_ALIVE_MS = 1_000;
/** Node 20.20 closes an idle connection this much later than keepAliveTimeout (HTTP_SERVER_KEEP_ALIVE_TIMEOUT_BUFFER). */
const NODE_CLOSE_DELAY_MS = 1_000;
const BACKEND_CLOSES_AT_MS = BACKEND_KEEP_ALIVE_MS + NODE_CLOSE_DELAY_MS;
export const TRIALS = 3;

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

export async function raceTrials(nginx: Nginx, method: 'GET' | 'POST'): Promise<Array<number | null>> {
  const statuses: Array<number | null> = [];
  for (let trial = 0; trial < TRIALS; trial++) statuses.push((await raceRequest(nginx, method)).status);
  return statuses;
}

/** Requests per trial: three to warm the pool, the stall, and the test request. */
const REQUESTS_PER_TRIAL = 5;

/** `$upstream_status` of each test request (the ones to `/`): one status per attempt nginx made. */
export async function upstreamAttempts(nginx: Nginx): Promise<string[]> {
  const entries = await nginx.accessLog(TRIALS * REQUESTS_PER_TRIAL);
  return entries.filter((entry) => entry.uri === '/').map((entry) => entry.upstreamStatus);
}

/** The race's error_log lines in `log`. */
export function raceLines(log: string): string[] {
  return linesMatching(log, RACE_SIGNATURE);
}
