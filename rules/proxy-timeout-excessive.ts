/**
 * Timeouts so long that a failing backend costs more than it should: `proxy_connect_timeout` above 10 s (a
 * black-holed server — a dead host, a dropped SYN — holds every first request that long before nginx tries the next
 * one; nginx's 60 s default is the worst case the lab measured) and `proxy_read_timeout` above 300 s (requests pile up
 * on a slow app, each holding a connection and a worker slot, instead of failing with 504 and being seen). Both
 * thresholds are options. Warnings: long timeouts are sometimes deliberate (long polling, exports). The read timeout
 * of a websocket location (one forwarding `Upgrade`) is left out: there it is how long a quiet socket may stay open.
 */
import { defineRule } from '../src/lint/rule.js';
import type { PassModule } from '../src/model/index.js';
import { forwardsUpgrade } from '../src/model/keepalive.js';
import { formatNginxTime, parseNginxTime } from '../src/nginx/units.js';

interface Options {
  readonly maxConnectTimeout: string;
  readonly maxReadTimeout: string;
}

export default defineRule<Options>({
  meta: {
    id: 'proxy-timeout-excessive',
    description:
      'A `proxy_connect_timeout` over 10s or a `proxy_read_timeout` over 300s (or their grpc/fastcgi/uwsgi/scgi twins): a dead or slow backend holds requests that long.',
    category: 'reliability',
    severity: 'warn',
    presets: ['strict'],
    fixable: false,
    messages: {
      connect: '{{directive}} {{value}}: a request to a dead server waits {{value}} before nginx tries another (limit {{limit}})',
      read: '{{directive}} {{value}}: requests to a slow app pile up for {{value}} instead of failing with 504 (limit {{limit}})',
    },
    details: {
      connect:
        '{{directive}} {{value}} at {{where}}: when a server of the upstream does not answer its SYN (a dead host, a firewall that drops), every request that picks it waits {{value}} before nginx marks it failed and tries the next server (the lab measured the first request waiting the whole connect timeout, 60s by default). Above {{limit}} that wait is longer than any client keeps waiting. Lower it (2-5s is common inside a data centre), or raise the maxConnectTimeout option if it is deliberate.',
      read: "{{directive}} {{value}} at {{where}}: a request waits up to {{value}} for the app's response headers. While the app is slow, requests pile up, each holding a connection and a worker slot, instead of failing with 504 where they can be seen and retried. Keep it just above the slowest legitimate response (proxy-timeout-below-p99 checks the other side), or raise the maxReadTimeout option if long requests are deliberate.",
    },
    schema: {
      type: 'object',
      properties: {
        maxConnectTimeout: { type: 'string', description: 'The longest connect timeout that is not reported, as an nginx time ("10s").' },
        maxReadTimeout: { type: 'string', description: 'The longest read timeout that is not reported ("300s").' },
      },
      additionalProperties: false,
    },
    defaultOptions: { maxConnectTimeout: '10s', maxReadTimeout: '300s' },
  },
  check({ model, options, report }) {
    const limits = [
      { kind: 'connect' as const, suffix: '_connect_timeout', limitMs: parseNginxTime(options.maxConnectTimeout) },
      { kind: 'read' as const, suffix: '_read_timeout', limitMs: parseNginxTime(options.maxReadTimeout) },
    ];
    // Each directive name spelt once per module rather than once per pass and limit.
    const directives = new Map<PassModule, readonly string[]>();
    const seen = new Set<unknown>();
    for (const pass of model.proxyPasses) {
      // An open websocket is closed after a read timeout without traffic, so a long one is what websocket-idle-timeout
      // asks for there; the same statement is still reported through any ordinary pass it applies to.
      const websocket = pass.module === 'proxy' && forwardsUpgrade(model, pass);
      let names = directives.get(pass.module);
      if (!names) {
        names = limits.map(({ suffix }) => `${pass.module}${suffix}`);
        directives.set(pass.module, names);
      }
      for (const [index, { kind, limitMs }] of limits.entries()) {
        if (kind === 'read' && websocket) continue;
        const directive = names[index]!;
        const setter = model.effective(pass.node, directive).nodes[0];
        // The defaults (60s) are nginx's, within the read limit; a connect default above the limit is not the user's choice to report.
        if (!setter || seen.has(setter)) continue;
        const value = setter.directive.args[0]?.value ?? '';
        const ms = parseNginxTime(value);
        if (ms === null || limitMs === null || ms <= limitMs) continue;
        seen.add(setter);
        report({
          node: setter,
          token: setter.directive.args[0]!,
          messageId: kind,
          data: { directive, value, limit: formatNginxTime(limitMs), where: model.where(setter) },
        });
      }
    }
  },
});
