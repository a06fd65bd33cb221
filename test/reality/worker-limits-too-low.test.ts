import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  fixWithLinter,
  linesMatching,
  REALITY_TEST_TIMEOUT_MS,
  sendRequests,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'worker-limits-too-low';
const OUT_OF_DESCRIPTORS = 'socket() failed (24: Too many open files) while connecting to upstream';

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('worker_rlimit_nofile 24 under worker_connections 1024: 500s at 20 concurrent requests; after --fix-unsafe, all 200', async () => {
    // 300 ms per response keeps 20 requests, 40 connections, open at once.
    const backend = track(await startBackend({ latencyMs: 300 }));
    const nginx = track(
      await startNginx(
        (listen) => `    upstream app { server 127.0.0.1:${backend.port}; }
    server { listen 127.0.0.1:${listen}; location / { proxy_pass http://app; } }`,
        { mainContext: 'worker_rlimit_nofile 24;\n', workerConnections: 1024 },
      ),
    );
    writeLinterConfig(nginx.confPath, RULE, {});

    const bad = await sendRequests(nginx.port, { count: 60, concurrency: 20 });
    expect(countStatuses(bad)['500'] ?? 0, nginx.errorLog()).toBeGreaterThan(0);
    expect(linesMatching(nginx.errorLog(), OUT_OF_DESCRIPTORS).length).toBe(countStatuses(bad)['500']);

    fixWithLinter(nginx.confPath, RULE, { unsafe: true });
    await nginx.restart();
    const fixed = await sendRequests(nginx.port, { count: 60, concurrency: 20 });
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 60 });
    expect(linesMatching(nginx.errorLog(), 'Too many open files')).toEqual([]);
  });
});
