import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  fixWithLinter,
  linesMatching,
  reportedRuleIds,
  REALITY_TEST_TIMEOUT_MS,
  sendRequests,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'worker-limits-too-low';
const OUT_OF_DESCRIPTORS = 'socket() failed (24: Too many open files) while connecting to upstream';
/** What a config that passes nothing to a backend logs instead: the file it serves cannot be opened. */
const FILE_OUT_OF_DESCRIPTORS = /open\(\) ".*" failed \(24: Too many open files\)/;

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

  it('worker_rlimit_nofile 16 for worker_connections 16 serving only files: 500s with open() failed, no socket()', async () => {
    const root = mkdtempSync(path.join(os.tmpdir(), 'nginx-lint-reality-files-'));
    try {
      writeFileSync(path.join(root, 'big.bin'), Buffer.alloc(200_000, 1));
      // limit_rate keeps each response, and the file it sends, open for about two seconds.
      const nginx = track(
        await startNginx((listen) => `    server { listen 127.0.0.1:${listen}; location / { root ${root}; limit_rate 100k; } }`, {
          mainContext: 'worker_rlimit_nofile 16;\n',
          workerConnections: 16,
        }),
      );
      writeLinterConfig(nginx.confPath, RULE, {});
      expect(reportedRuleIds(nginx.confPath)).toEqual([RULE]);

      const bad = await sendRequests(nginx.port, { count: 60, concurrency: 60, path: '/big.bin' });
      expect(countStatuses(bad)['500'] ?? 0, nginx.errorLog()).toBeGreaterThan(0);
      expect(linesMatching(nginx.errorLog(), FILE_OUT_OF_DESCRIPTORS).length).toBe(countStatuses(bad)['500']);
      expect(linesMatching(nginx.errorLog(), 'socket() failed')).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
