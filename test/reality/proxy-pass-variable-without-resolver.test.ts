import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { startBackend } from './backend.js';
import {
  countStatuses,
  findNginx,
  REALITY_TEST_TIMEOUT_MS,
  linesMatching,
  reportedRuleIds,
  sendGetsAndPosts,
  startNginx,
  stopAfterEach,
  writeLinterConfig,
} from './harness.js';

const RULE = 'proxy-pass-variable-without-resolver';
const NO_RESOLVER = 'no resolver defined to resolve app.internal';

/**
 * Lab scenario 7: a variable makes nginx look the host up per request, which needs a `resolver`, and there is
 * none. `app.internal` is in no DNS and no hosts file: nginx fails before it would need either.
 */
const badConfig = (backendPort: number) => (port: number) =>
  `    server { listen 127.0.0.1:${port}; location / { set $b http://app.internal:${backendPort}; proxy_pass $b; } }`;

/**
 * The fix the rule's docs give that needs no DNS at all: an upstream block of that name, named in the variable
 * without a port, which nginx matches before it would resolve anything.
 */
const fixedConfig = (backendPort: number) => (port: number) =>
  `    upstream app.internal { server 127.0.0.1:${backendPort}; }
    server { listen 127.0.0.1:${port}; location / { set $b http://app.internal; proxy_pass $b; } }`;

describe.skipIf(findNginx() === null)(`${RULE} against real nginx`, { timeout: REALITY_TEST_TIMEOUT_MS }, () => {
  const track = stopAfterEach();

  it('the bad config answers every GET and POST 502 without reaching the backend; with an upstream block, 200', async () => {
    const backend = track(await startBackend());
    const nginx = track(await startNginx(badConfig(backend.port)));
    writeLinterConfig(nginx.confPath, RULE, { app: { hosts: ['127.0.0.1'], port: backend.port } });

    const bad = await sendGetsAndPosts(nginx.port, 5);
    expect(countStatuses(bad), nginx.errorLog()).toEqual({ '502': 10 });
    expect(linesMatching(nginx.errorLog(), NO_RESOLVER)).toHaveLength(10);
    expect(backend.connectionCount()).toBe(0);
    expect(reportedRuleIds(nginx.confPath)).toContain(RULE);

    // The rule offers no fix, so the test applies the documented one itself.
    const conf = readFileSync(nginx.confPath, 'utf8');
    const badBody = badConfig(backend.port)(nginx.port);
    expect(conf).toContain(badBody);
    writeFileSync(nginx.confPath, conf.replace(badBody, fixedConfig(backend.port)(nginx.port)));
    expect(reportedRuleIds(nginx.confPath)).not.toContain(RULE);

    await nginx.restart();
    const fixed = await sendGetsAndPosts(nginx.port, 5);
    expect(countStatuses(fixed), nginx.errorLog()).toEqual({ '200': 10 });
    expect(linesMatching(nginx.errorLog(), NO_RESOLVER)).toEqual([]);
    expect(backend.connectionCount()).toBe(10);
  });
});
