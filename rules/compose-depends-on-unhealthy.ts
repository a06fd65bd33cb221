/**
 * The Compose service that runs nginx starts as soon as the services it proxies to have started — not when they
 * listen. Until the app binds its port, every request nginx sends there is refused: 502 `connect() failed (111:
 * Connection refused) while connecting to upstream` (measured: test/reality/compose-depends-on-unhealthy.test.ts, a
 * backend that listens 1.5 s after start). `depends_on` with `condition: service_healthy` and a `healthcheck` on the
 * app make Compose wait until the app answers.
 *
 * Only for services nginx really proxies to, read from the model; reported at the line of the Compose file.
 */
import { defineRule } from '../src/lint/rule.js';
import { offsetAt } from '../src/syntax/ast.js';

export default defineRule({
  meta: {
    id: 'compose-depends-on-unhealthy',
    description:
      'The Compose service running nginx `depends_on` a service it proxies to without `condition: service_healthy`, or that service has no `healthcheck`: 502s while the app starts.',
    category: 'reliability',
    severity: 'warn',
    presets: ['recommended'],
    fixable: false,
    messages: {
      notHealthy:
        'depends_on {{service}} waits for it to start, not to listen: 502 (connection refused) until it does; use condition: service_healthy',
      noHealthcheck: '{{service}} has no healthcheck, so nginx cannot wait for it to listen: 502 (connection refused) while it starts',
    },
    details: {
      notHealthy:
        'Compose starts {{nginx}} as soon as {{service}} has started (depends_on without a condition means service_started). {{service}} then needs time to bind its port, and every request nginx proxies there meanwhile gets 502 "connect() failed (111: Connection refused) while connecting to upstream" (measured with real nginx and a backend that listens late). {{remedy}}',
      noHealthcheck:
        '{{nginx}} waits for {{service}} to be healthy, but {{service}} defines no healthcheck. Give it one (an HTTP request to its port) so that nginx starts only once it answers; until then requests get 502 "connect() failed (111: Connection refused) while connecting to upstream".',
    },
  },
  check({ model, report }) {
    const service = model.composeService;
    if (!service || service.dependsOn.length === 0) return;
    const proxiedTo = new Set<string>();
    for (const pass of model.proxyPasses) for (const match of model.servicesBehind(pass)) proxiedTo.add(match.service.name);
    for (const dependency of service.dependsOn) {
      if (!proxiedTo.has(dependency.service)) continue;
      const file = model.deploymentFile(dependency.file);
      if (!file) continue;
      const healthchecked = service.healthchecked.has(dependency.service);
      // Waiting for a ready-made image that may define its own HEALTHCHECK: if it does not, Compose refuses to start
      // the stack at all — not a 502 — so there is nothing to claim.
      if (dependency.condition === 'service_healthy' && (healthchecked || service.healthcheckUnknown.has(dependency.service))) continue;
      const lineStart = offsetAt(file, { line: dependency.line, column: 1 });
      const lineEnd = file.text.indexOf('\n', lineStart);
      // At the entry itself, past its indentation and list dash.
      const start = lineStart + (/^[\s-]*/.exec(file.text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd))?.[0].length ?? 0);
      const span = { file, start, end: lineEnd === -1 ? file.text.length : lineEnd };
      const data = {
        service: dependency.service,
        nginx: `service ${dependency.declaredBy}`,
        remedy: healthchecked
          ? `${dependency.service} has a healthcheck already: write depends_on: ${dependency.service}: condition: service_healthy.`
          : `Give ${dependency.service} a healthcheck (it has none yet) and write depends_on: ${dependency.service}: condition: service_healthy.`,
      };
      report({ span, messageId: dependency.condition === 'service_healthy' ? 'noHealthcheck' : 'notHealthy', data });
    }
  },
});
