import { it } from 'vitest';
import { startBackend } from './backend.js';
import { sendRequests, startNginx } from './harness.js';

it('measure', async () => {
  for (const extra of ['', ' proxy_http_version 1.1;', ' proxy_set_header Connection "";', ' proxy_http_version 1.1; proxy_set_header Connection "";']) {
    const b = await startBackend({ keepAliveTimeoutMs: 65000 });
    const ng = await startNginx((port) => `upstream app { server 127.0.0.1:${b.port}; keepalive 16; }
    server { listen 127.0.0.1:${port}; location / { proxy_pass http://app;${extra} } }`);
    const t = Date.now();
    await sendRequests(ng.port, { count: 500, concurrency: 8 });
    console.log(JSON.stringify(extra), 'conns', b.connectionCount(), 'ms', Date.now() - t);
    await ng.stop(); await b.stop();
  }
}, 60000);
