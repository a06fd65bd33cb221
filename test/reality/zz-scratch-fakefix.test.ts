import { vi } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

vi.mock('./harness.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('./harness.js')>();
  return {
    ...original,
    fixWithLinter: (confPath: string, rule: string) => {
      let t = readFileSync(confPath, 'utf8');
      const facts = JSON.parse(readFileSync(path.join(path.dirname(confPath), '.nginx-lint.json'), 'utf8'));
      const before = t;
      switch (rule) {
        case 'proxy-pass-port-mismatch': t = t.replace(/proxy_pass http:\/\/127\.0\.0\.1:\d+/, `proxy_pass http://127.0.0.1:${facts.services.app.port}`); break;
        case 'proxy-timeout-below-p99': t = t.replace('proxy_read_timeout 1s', 'proxy_read_timeout 3s'); break;
        case 'proxy-buffer-size-too-small': t = t.replace(/(proxy_pass [^;]+;)/, '$1 proxy_buffer_size 8k;'); break;
        case 'proxy-buffers-invalid': t = t.replace('proxy_buffer_size 16k;', 'proxy_buffer_size 16k; proxy_busy_buffers_size 16k;'); break;
        case 'proxy-keepalive-disabled': t = t.replace(' proxy_http_version 1.1;', '').replace(' proxy_set_header Connection "";', '').replace('proxy_pass http://app;', 'proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection "";'); break;
        case 'upstream-keepalive-timeout-race': t = t.replace('keepalive 16;', 'keepalive 16; keepalive_timeout 900ms;'); break;
        case 'proxy-next-upstream-missing': t = t.replace(' proxy_next_upstream off;', ''); break;
      }
      if (t === before) throw new Error('fake fix did nothing');
      writeFileSync(confPath, t);
    },
  };
});

await import('./proxy-pass-port-mismatch.test.js');
await import('./proxy-timeout-below-p99.test.js');
await import('./proxy-buffer-size-too-small.test.js');
await import('./proxy-buffers-invalid.test.js');
await import('./proxy-keepalive-disabled.test.js');
await import('./proxy-next-upstream-missing.test.js');
await import('./upstream-keepalive-timeout-race.test.js');
